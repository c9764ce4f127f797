"""Terminal renderings (Rich) of parse results, quality reports, timelines and `renkei changes`."""

from __future__ import annotations

from collections import Counter

from rich.console import Group
from rich.table import Table
from rich.text import Text

from renkei.quality import QualityReport
from renkei.records import Edition, Record
from renkei.report.changes import ChangesView, Line
from renkei.report.labels import KIND_LABELS
from renkei.report.textdiff import Segment


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
BASIS_LABELS = {"partner": "相手方の開始年度", "program": "事業の開始年度"}


def _basis_label(basis: str | None) -> str:
    return BASIS_LABELS.get(basis or "", "")


def _pair_group(pair) -> list:  # type: ignore[no-untyped-def]
    """Renderables of one ward × place timeline: observed editions with programs, then declared start years."""
    if not pair.links:
        return [f"{pair.ward.name}と{pair.place.name}（{pair.place.code}）は、取り込んだどの版でも連携していません。"]
    links = Table()
    for column in ("版", "事業"):
        links.add_column(column, overflow="fold")
    for link in pair.links:
        links.add_row(link.edition, "、".join(link.programs))
    declared = Table()
    for column in ("年度", "根拠", "事業"):
        declared.add_column(column, overflow="fold")
    for row in pair.declared:
        declared.add_row(str(row.fiscal_year), _basis_label(row.basis), row.program)
    return [
        _title(f"{pair.ward.name} × {pair.place.name}（{pair.place.code}）: 版ごとの連携（観測）"),
        links,
        _title(DECLARED_TITLE),
        declared if pair.declared else NO_DECLARED,
    ]


def timeline_tables(timeline) -> Group:  # type: ignore[no-untyped-def]
    """Rich tables of a ward, municipality, ward × place or prefecture timeline (observed, then declared)."""
    from renkei.timeline import PairTimeline, PrefectureTimeline, WardTimeline

    if isinstance(timeline, PairTimeline):
        return Group(*_pair_group(timeline))
    if isinstance(timeline, PrefectureTimeline):
        if not timeline.pairs:
            return Group(
                f"{timeline.prefecture.name}（{timeline.prefecture.code}）のどの自治体も、"
                "取り込んだどの版でも連携相手方ではありません。"
            )
        summary = Table()
        for column in ("自治体", "コード", "区", "観測された版", "申告された最初の年度", "根拠", "事業"):
            summary.add_column(column, overflow="fold")
        for pair in timeline.pairs:
            first = pair.declared[0] if pair.declared else None
            summary.add_row(
                pair.place.name,
                pair.place.code,
                pair.ward.name,
                "、".join(link.edition for link in pair.links),
                str(first.fiscal_year) if first else "",
                _basis_label(first.basis) if first else "",
                first.program if first else "",
            )
        return Group(_title(f"{timeline.prefecture.name}（{timeline.prefecture.code}）の自治体と区の連携"), summary)

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
        for column in ("年度", "根拠", "自治体", "事業"):
            declared.add_column(column, overflow="fold")
        for year in timeline.declared:
            declared.add_row(
                str(year.fiscal_year),
                _basis_label(year.basis),
                "、".join(p.name for p in year.places),
                "、".join(year.programs),
            )
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
    for column in ("区", "申告された開始年度", "根拠", "事業"):
        declared_links.add_column(column, overflow="fold")
    for item in timeline.declared:
        start = str(item.declared_start) if item.declared_start else "不明"
        basis = f"{_basis_label(item.basis)}（{item.program}）" if item.basis else ""
        declared_links.add_row(item.ward.name, start, basis, "、".join(item.programs))
    return Group(
        _title(f"{timeline.place.name}（{timeline.place.code}）: 版ごとの連携（観測）"),
        links,
        _title(DECLARED_TITLE),
        declared_links,
    )


# -- renkei changes --format table ---------------------------------------------------------------------------
DELETED = "strike red"  # Rich styles of edits; Markdown marks them <del>/<ins> instead
INSERTED = "bold green"
DESCRIPTION_CHARS = 48  # a description longer than this is cut, with "…", in the table (in full in md)
PARTNERS_SHOWN = 6  # partners listed before "ほかM"


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """One line of at most `limit` characters, "…" marking a cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _segments(segments: list[Segment], style: str) -> Text:
    text = Text()
    for segment in segments:
        text.append(segment.text, style=style if segment.changed and segment.text.strip() else "")
    return text


def _change_text(line: Line) -> Text:
    """What changed, as styled text: edits as before → after with deletions and insertions marked."""
    item = line.item
    where_new = f" — 出典: {item.where_new}" if item.where_new else ""
    if item.kind in ("program_added", "program_removed"):
        where = (
            where_new
            if item.kind == "program_added"
            else (f" — 出典（前版）: {item.where_old}" if item.where_old else "")
        )
        text = Text(item.program, style="bold")
        text.append(where)
        detail = line.detail
        if detail is not None:
            text.append(f"\n連携カテゴリ: {detail.tags_text}")
            text.append(f"\n連携相手方（{len(detail.partners)}）: {detail.partners_text(PARTNERS_SHOWN)}")
            text.append(f"\n事業内容: {shorten(detail.description) or '記載なし'}")
            text.append(f"\n事業開始年度: {detail.start}")
        return text
    if item.kind == "program_renamed":
        reason = f"（照合: {item.reason}）" if item.reason else ""
        return Text.assemble(_segments(item.old, DELETED), " → ", _segments(item.new, INSERTED), reason, where_new)
    if item.kind in ("partner_added", "partner_removed"):
        return Text(f"{item.program}: {item.sign} {item.partner}{where_new}")
    if item.kind == "program_changed":
        return Text.assemble(
            f"{item.program}【{item.field_label}】 ",
            _segments(item.old, DELETED),
            " → ",
            _segments(item.new, INSERTED),
            where_new,
        )
    code = f"（{item.partner_code}）" if item.partner_code else ""
    related = f" — 事業: {item.related}" if item.related else ""
    return Text(f"{item.partner}{code}{related}")


def changes_table(view: ChangesView) -> Group:
    """The headline (ward, both dates, program counts), then one row per change; the headline alone when
    nothing changed."""
    headline = _title(view.headline)
    if not view.wards:
        return Group(headline)
    table = Table()
    for column in ("区", "変更", "内容", "確度"):
        table.add_column(column, overflow="fold")
    for ward in view.wards:
        for _, lines in ward.sections:
            for line in lines:
                confidence = f"{line.item.confidence:.2f}" if line.item.confidence is not None else ""
                table.add_row(ward.ward.name, KIND_LABELS[line.item.kind], _change_text(line), confidence)
    return Group(headline, table)
