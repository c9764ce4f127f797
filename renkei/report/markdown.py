"""Reports as Markdown (Japanese): a changelog per ward, the index, the first edition's overview, and the
plain listing of `renkei changes --format md`. Deleted text is marked <del>, inserted text <ins>: CommonMark's
~~ and ** do not open or close next to Japanese punctuation ("区~~（実行委員会）~~" renders literally)."""

from __future__ import annotations

from collections.abc import Sequence

from renkei.diff import ChangeEvent
from renkei.records import Ward
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.report.textdiff import Segment
from renkei.report.view import IndexRow, Item, Overview, ReportInput, WardPage, _item, slug

_SPECIAL = "\\*_`|[]<>#~"


def escape(text: str) -> str:
    """Markdown-safe inline text: special characters escaped, line breaks shown as " / "."""
    out = "".join("\\" + c if c in _SPECIAL else c for c in text)
    return out.replace("\r", "").replace("\n", " / ")


def _marked(segments: list[Segment], tag: str) -> str:
    return "".join(
        f"<{tag}>{escape(s.text)}</{tag}>" if s.changed and s.text.strip() else escape(s.text) for s in segments
    )


def item_line(item: Item) -> str:
    """One bullet for one change."""
    where_new = f" — 出典: {item.where_new}" if item.where_new else ""
    if item.kind == "program_added":
        summary = f"（{escape(item.summary)}）" if item.summary else ""
        return f"- **{escape(item.program)}**{summary}{where_new}"
    if item.kind == "program_removed":
        summary = f"（{escape(item.summary)}）" if item.summary else ""
        where_old = f" — 出典（前版）: {item.where_old}" if item.where_old else ""
        return f"- **{escape(item.program)}**{summary}{where_old}"
    if item.kind == "program_renamed":
        reason = f"（照合: {escape(item.reason)}）" if item.reason else ""
        return f"- {_marked(item.old, 'del')} → {_marked(item.new, 'ins')}{reason}{where_new}"
    if item.kind in ("partner_added", "partner_removed"):
        return f"- {escape(item.program)}: {item.sign} {escape(item.partner)}{where_new}"
    if item.kind == "program_changed":
        change = f"{_marked(item.old, 'del')} → {_marked(item.new, 'ins')}"
        return f"- {escape(item.program)}【{item.field_label}】 {change}{where_new}"
    code = f"（{item.partner_code}）" if item.partner_code else ""
    related = f" — 事業: {escape(item.related)}" if item.related else ""
    return f"- {escape(item.partner)}{code}{related}"


def render_ward_markdown(page: WardPage, data: ReportInput) -> str:
    span = f"{date_ja(data.previous)} → {date_ja(data.edition)}" if data.previous else date_ja(data.edition)
    lines = [
        f"# {page.ward.name} 変更履歴（{span}）",
        "",
        f"事業数 {page.previous_programs} → {page.programs}、変更 {page.total} 件。",
        "",
    ]
    for section in page.sections:
        lines += [f"## {section.title}（{len(section.items)}）", ""]
        lines += [item_line(i) for i in section.items] or ["なし"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_index_markdown(rows: list[IndexRow], data: ReportInput) -> str:
    span = f"{date_ja(data.previous)} → {date_ja(data.edition)}" if data.previous else date_ja(data.edition)
    header = ["区", "事業数", *(title for title, _ in SECTIONS)]
    lines = [
        f"# {escape(data.title)} 変更レポート（{span}）",
        "",
        f"| {' | '.join(header)} |",
        f"|{'|'.join(['---'] + ['---:'] * (len(header) - 1))}|",
    ]
    for row in rows:
        cells = [f"[{row.ward.name}](wards/{slug(row.ward)}.md)", str(row.programs), *(str(c) for c in row.counts)]
        lines.append(f"| {' | '.join(cells)} |")
    totals = [str(sum(r.programs for r in rows)), *(str(sum(r.counts[i] for r in rows)) for i in range(len(SECTIONS)))]
    lines.append(f"| 計 | {' | '.join(totals)} |")
    lines += ["", "変更の一覧は changes.csv（Excel 用、UTF-8 BOM 付き）と changes.json にもあります。", ""]
    return "\n".join(lines)


def render_overview_markdown(view: Overview, data: ReportInput) -> str:
    columns = view.category_columns()
    lines = [
        f"# {escape(data.title)}（{date_ja(data.edition)}現在）概要",
        "",
        "最初に取り込んだ版のため、前版との比較ではなく内容の概要を示します。",
        "",
        "## 区別の事業数と連携自治体数",
        "",
        "| 区 | 事業数 | 連携自治体数 |",
        "|---|---:|---:|",
    ]
    lines += [f"| [{w.name}](wards/{slug(w)}.md) | {programs} | {places} |" for w, programs, places in view.wards]
    header = ["区", *(escape(c) for c in columns), "上記以外"]
    lines += [
        "",
        "## 区別・連携カテゴリ別の事業数",
        "",
        f"| {' | '.join(header)} |",
        f"|{'|'.join(['---'] + ['---:'] * (len(header) - 1))}|",
    ]
    for ward, _, _ in view.wards:
        lines.append(f"| {ward.name} | {' | '.join(str(n) for n in view.category_row(ward.code, columns))} |")
    lines += ["", "## 連携カテゴリ別の事業数", "", "| 連携カテゴリ | 事業数 |", "|---|---:|"]
    lines += [f"| {escape(c)} | {n} |" for c, n in view.categories]
    lines += ["", "## 都道府県別の連携（区と自治体の組の数）", "", "| 都道府県 | 連携数 |", "|---|---:|"]
    lines += [f"| {p} | {n} |" for p, n in view.prefectures]
    return "\n".join(lines) + "\n"


def render_ward_overview_markdown(ward: Ward, view: Overview, data: ReportInput) -> str:
    records = view.ward_programs.get(ward.code, [])
    places = view.ward_places.get(ward.code, [])
    lines = [
        f"# {ward.name}（{date_ja(data.edition)}現在）",
        "",
        f"事業数 {len(records)}、連携自治体数 {len(places)}。",
        "",
        f"## 事業（{len(records)}）",
        "",
    ]
    for record in records:
        partners = "、".join(escape(p.name) for p in record.partners)
        category = f"（{escape(record.category)}）" if record.category else ""
        start = f" — 開始: {escape(record.start.text)}" if record.start.fiscal_years else ""
        lines.append(f"- **{escape(record.name)}**{category}{partners}{start}")
    lines += ["", f"## 連携自治体（{len(places)}）", "", "| 自治体 | コード | 事業数 |", "|---|---|---:|"]
    lines += [f"| {place.name} | {place.code} | {n} |" for place, n in places]
    return "\n".join(lines) + "\n"


def render_changes_markdown(events: Sequence[ChangeEvent], *, title: str | None = None) -> str:
    """Events alone as one Markdown document (`renkei changes --format md`): a heading per ward."""
    if not events:
        return f"# {title or '変更なし'}\n\n変更はありません。\n"
    first = events[0]
    data = ReportInput(
        title="", edition=first.to_edition, records=(), previous=first.from_edition, events=tuple(events)
    )
    lines = [f"# {title or f'{first.from_edition.isoformat()} → {first.to_edition.isoformat()} の変更'}", ""]
    wards: dict[str, list[ChangeEvent]] = {}
    for event in events:
        wards.setdefault(event.ward.code, []).append(event)
    for code in sorted(wards):
        lines += [f"## {wards[code][0].ward.name}", ""]
        for section, kinds in SECTIONS:
            items = [_item(e, data) for e in wards[code] if e.kind in kinds]
            if items:
                lines += [f"### {section}（{len(items)}）", "", *(item_line(i) for i in items), ""]
    return "\n".join(lines).rstrip() + "\n"
