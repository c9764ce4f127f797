"""Reports as Markdown (Japanese): a changelog per ward, the index, the first edition's overview, and the
plain listing of `renkei changes --format md`. Deleted text is marked <del>, inserted text <ins>: CommonMark's
~~ and ** do not open or close next to Japanese punctuation ("区~~（実行委員会）~~" renders literally)."""

from __future__ import annotations

from renkei.records import Ward
from renkei.report.changes import ChangesView, ProgramDetail
from renkei.report.changes import Line as ChangeLine
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.report.textdiff import Segment
from renkei.report.view import IndexRow, Item, Overview, ReportInput, WardPage, slug

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
    lines += [
        "",
        "変更の一覧は changes_programs.csv・changes_partners.csv・changes_municipalities.csv"
        "（Excel 用、UTF-8 BOM 付き）と changes.json にもあります。",
        "",
    ]
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


def _program_head(item: Item) -> str:
    """The first line of a new or ended program in `renkei changes`: name and where it is printed."""
    where = item.where_new if item.kind == "program_added" else item.where_old
    label = "出典" if item.kind == "program_added" else "出典（前版）"
    return f"- **{escape(item.program)}**" + (f" — {label}: {where}" if where else "")


def _detail_lines(detail: ProgramDetail) -> list[str]:
    """Sub-bullets of a new or ended program: everything the edition says about it, in full."""
    return [
        f"  - 連携カテゴリ: {escape(detail.tags_text)}",
        f"  - 連携相手方（{len(detail.partners)}）: {escape(detail.partners_text())}",
        f"  - 事業内容: {escape(detail.description) or '記載なし'}",
        f"  - 事業開始年度: {escape(detail.start)}",
    ]


def _change_lines(line: ChangeLine) -> list[str]:
    if line.detail is None:
        return [item_line(line.item)]
    return [_program_head(line.item), *_detail_lines(line.detail)]


def render_changes_markdown(view: ChangesView) -> str:
    """`renkei changes --format md`: a headline with both dates and program counts, then a heading per ward;
    new and ended programs with their category tags, partners, description and start year."""
    ward = f"{view.ward.name}: " if view.ward is not None else ""
    span = f"{view.previous.isoformat()} → {view.edition.isoformat()}"  # as --from and --to are given
    lines = [f"# {ward}{span} の変更", "", f"{view.headline}。", ""]
    for ward in view.wards:
        lines += [f"## {ward.ward.name}", ""]
        if view.ward is None:
            lines += [f"事業数 {ward.previous_programs} → {ward.programs}、変更 {ward.total} 件。", ""]
        for section, items in ward.sections:
            lines += [f"### {section}（{len(items)}）", ""]
            for item in items:
                lines += _change_lines(item)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
