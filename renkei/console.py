"""Terminal renderings (Rich) of parse results: record tables, edition summaries, quality reports."""

from __future__ import annotations

from collections import Counter

from rich.console import Group
from rich.table import Table
from rich.text import Text

from renkei.quality import QualityReport
from renkei.records import Edition, Record


def records_table(records: tuple[Record, ...]) -> Table:
    table = Table(title=None, show_lines=False, expand=False)
    for column in ("区", "#", "カテゴリ", "事業名称", "連携相手方", "開始年度", "出典"):
        table.add_column(column, overflow="fold")
    for record in records:
        partners = "、".join(p.name for p in record.partners[:4])
        if len(record.partners) > 4:
            partners += f" 他{len(record.partners) - 4}"
        table.add_row(
            record.ward.name,
            str(record.seq),
            record.category,
            record.name,
            partners,
            " ".join(str(y) for y in record.start.fiscal_years) or "—",
            record.provenance.describe(),
        )
    return table


def edition_summary(edition: Edition, source: str) -> Group:
    """Counts per ward and totals of one parsed edition."""
    per_ward = Counter(r.ward.name for r in edition.records)
    places = {p.code for r in edition.records for p in r.partners if p.code}
    table = Table(title=f"{edition.title}（{edition.as_of.isoformat()} 現在） — {source}")
    table.add_column("区")
    table.add_column("事業数", justify="right")
    table.add_column("連携相手方（延べ）", justify="right")
    for ward in dict.fromkeys(r.ward.name for r in edition.records):
        partners = sum(len(r.partners) for r in edition.records if r.ward.name == ward)
        table.add_row(ward, str(per_ward[ward]), str(partners))
    table.add_section()
    table.add_row(
        f"計 {len(per_ward)} 区",
        str(len(edition.records)),
        str(sum(len(r.partners) for r in edition.records)),
    )
    footer = f"distinct partner places (codes): {len(places)}; warnings: {len(edition.warnings)}"
    return Group(table, footer)


def quality_table(report: QualityReport) -> Group:
    counts = Table(title="Quality report")
    counts.add_column("kind")
    counts.add_column("meaning")
    counts.add_column("count", justify="right")
    for kind, label, count in report.counts:
        counts.add_row(kind, label, str(count))
    items = Table(show_lines=False)
    for column in ("where", "kind", "program", "detail"):
        items.add_column(column, overflow="fold")
    for item in report.items:
        items.add_row(item.where, item.kind, item.program, item.message)
    return Group(counts, items)


def _title(text: str) -> Text:
    """A heading above a table (a table's own title wraps to the table's width)."""
    return Text(text, style="bold")


DECLARED_TITLE = "事業開始年度による連携の開始（申告：各連携を載せた最新の版による）"
NO_DECLARED = "事業開始年度の申告はありません。"


def timeline_tables(timeline) -> Group:  # type: ignore[no-untyped-def]
    """Rich tables of a ward or municipality timeline (observed, then declared)."""
    from renkei.timeline import WardTimeline

    if isinstance(timeline, WardTimeline):
        editions = Table()
        for column in ("版", "事業数", "連携自治体数", "新規事業", "終了事業"):
            editions.add_column(column, overflow="fold")
        for row in timeline.editions:
            editions.add_row(
                row.edition,
                str(row.programs),
                str(row.partner_places),
                "、".join(row.programs_added),
                "、".join(row.programs_ended),
            )
        places = Table()
        for column in ("自治体", "コード", "版", "申告された開始年度"):
            places.add_column(column, overflow="fold")
        for place in timeline.places:
            declared = str(place.declared_start) if place.declared_start else ""
            places.add_row(place.place.name, place.place.code, "、".join(place.editions), declared)
        declared = Table()
        for column in ("年度", "自治体", "事業"):
            declared.add_column(column, overflow="fold")
        for year in timeline.declared:
            declared.add_row(str(year.fiscal_year), "、".join(p.name for p in year.places), "、".join(year.programs))
        return Group(
            _title(f"{timeline.ward.name}: 版ごとの連携（観測）"),
            editions,
            _title("連携自治体ごとの観測された版"),
            places,
            _title(DECLARED_TITLE),
            declared if timeline.declared else NO_DECLARED,
        )
    if not timeline.links:
        return Group(
            f"{timeline.place.name}（{timeline.place.code}）は、取り込んだどの版でも連携相手方ではありません。"
        )
    links = Table()
    for column in ("版", "区", "事業"):
        links.add_column(column, overflow="fold")
    for link in timeline.links:
        links.add_row(link.edition, link.ward.name, "、".join(link.programs))
    declared_links = Table()
    for column in ("区", "申告された開始年度", "事業"):
        declared_links.add_column(column, overflow="fold")
    for item in timeline.declared:
        start = str(item.declared_start) if item.declared_start else "不明"
        declared_links.add_row(item.ward.name, start, "、".join(item.programs))
    return Group(
        _title(f"{timeline.place.name}（{timeline.place.code}）: 版ごとの連携（観測）"),
        links,
        _title(DECLARED_TITLE),
        declared_links,
    )
