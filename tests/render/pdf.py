"""Render an edition's records as a PDF laid out like the publisher's table (reportlab, built-in Japanese CID
fonts, so no font files are needed).

A4 landscape, the seven columns, the title and as-of date on the first page, the header repeated on every
page, each program a block of sub-rows with row-spanning merged cells (see layout.py), wrapped text, blocks
broken across pages, page numbers in the footer. `PdfLayout` varies what a different publisher year might:
page size, fonts, column widths, whether a block continued on a new page repeats its ward and name, whether
the header repeats, whether partners share one cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4, B4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from renkei.records import Record
from tests.render.layout import BODY, COLUMNS, CONTENT, PARTNER, START, WARD, Block, as_of_line, block, wrap

FONTS = ("HeiseiKakuGo-W5", "HeiseiMin-W3")


@dataclass(frozen=True)
class PdfLayout:
    page_size: tuple[float, float] = landscape(A4)
    font: str = "HeiseiKakuGo-W5"
    font_size: float = 7.0
    line_height: float = 1.3  # × font size
    margin: float = 24.0
    padding: float = 2.0
    widths: tuple[float, ...] = (40, 52, 118, 62, 128, 318, 76)  # fractions of the table width are taken
    repeat_on_new_page: bool = False  # a block continued on the next page repeats its merged cells
    header_every_page: bool = True
    full_ward_name: bool = False
    partners_in_one_cell: bool = False  # every partner on its own line of one cell, no sub-rows
    fill_merged: bool = False  # no merged cells: every sub-row repeats the program's ward, name, description…
    ward_over_programs: bool = False  # one ward cell merged over all its programs on a page
    line_width: float = 0.5
    footer: bool = True


PUBLISHER = PdfLayout()
# Different but realistic years: portrait B4, mincho, other widths, merged cells repeated after a page break,
# full ward names, partners listed in one cell; or no merged cells at all, each row repeating its program, and
# the header on the first page only.
ALTERNATIVE = PdfLayout(
    page_size=B4,
    font="HeiseiMin-W3",
    font_size=7.5,
    widths=(48, 48, 110, 56, 150, 230, 70),
    repeat_on_new_page=True,
    full_ward_name=True,
    partners_in_one_cell=True,
    ward_over_programs=True,
)
REPEATED = PdfLayout(
    page_size=landscape(B4),
    font_size=6.5,
    widths=(44, 56, 130, 70, 120, 300, 80),
    fill_merged=True,
    header_every_page=False,
)


@dataclass
class _Row:
    """One drawn table row: per-column lines, and which columns continue a merged cell from the row above."""

    lines: dict[int, list[str]]
    height: float
    merged_from_above: set[int] = field(default_factory=set)


class _Pdf:
    def __init__(self, path: Path, layout: PdfLayout) -> None:
        for font in FONTS:
            if font not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(font))
        self.layout = layout
        self.canvas = Canvas(str(path), pagesize=layout.page_size, pageCompression=1)
        self.width, self.height = layout.page_size
        table_width = self.width - 2 * layout.margin
        scale = table_width / sum(layout.widths)
        self.widths = [w * scale for w in layout.widths]
        self.xs = [layout.margin]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self.leading = layout.font_size * layout.line_height
        self.page = 1
        self.y = 0.0  # from the top of the page
        self.open_bottom: float | None = None

    # -- primitives ----------------------------------------------------------------------------------------
    def measure(self, text: str) -> float:
        return pdfmetrics.stringWidth(text, self.layout.font, self.layout.font_size)

    def lines(self, column: int, text: str) -> list[str]:
        inner = self.widths[column] - 2 * self.layout.padding
        out: list[str] = []
        for paragraph in text.split("\n"):
            out.extend(wrap(paragraph, inner, self.measure, words_only=column == START) or ([""] if out else []))
        return out

    def text(self, column: int, top: float, lines: Sequence[str], size: float | None = None) -> None:
        size = size or self.layout.font_size
        self.canvas.setFont(self.layout.font, size)
        for index, line in enumerate(lines):
            baseline = top + self.layout.padding + size + index * self.leading - 1
            self.canvas.drawString(self.xs[column] + self.layout.padding, self.height - baseline, line)

    def hline(self, x0: float, x1: float, y: float) -> None:
        self.canvas.line(x0, self.height - y, x1, self.height - y)

    def vline(self, x: float, y0: float, y1: float) -> None:
        self.canvas.line(x, self.height - y0, x, self.height - y1)

    def row_height(self, lines: dict[int, list[str]]) -> float:
        most = max((len(v) for v in lines.values()), default=1)
        return max(most, 1) * self.leading + 2 * self.layout.padding

    # -- pages -----------------------------------------------------------------------------------------------
    def start_page(self, title: str, as_of: date) -> None:
        self.canvas.setLineWidth(self.layout.line_width)
        self.y = self.layout.margin
        if self.page == 1:
            self.canvas.setFont(self.layout.font, 12)
            self.canvas.drawCentredString(self.width / 2, self.height - self.y - 12, title)
            self.canvas.setFont(self.layout.font, 9)
            self.canvas.drawRightString(self.xs[-1], self.height - self.y - 30, as_of_line(as_of))
            self.y += 40
        if self.page == 1 or self.layout.header_every_page:
            self.draw_rows([_Row({i: self.lines(i, label) for i, label in enumerate(COLUMNS)}, 0.0)])

    def end_page(self) -> None:
        if self.open_bottom is not None:
            self.hline(self.xs[0], self.xs[-1], self.open_bottom)
            self.open_bottom = None
        if self.layout.footer:
            self.canvas.setFont(self.layout.font, 8)
            self.canvas.drawCentredString(self.width / 2, self.layout.margin / 2, f"- {self.page} -")
        self.canvas.showPage()
        self.page += 1

    def room(self) -> float:
        return self.height - self.layout.margin - self.y

    def draw_rows(self, rows: list[_Row]) -> None:
        """Rows of one block segment: cell borders (merged cells have no line between their rows) and text."""
        top = self.y
        for row in rows:
            if not row.height:
                row.height = self.row_height(row.lines)
        bottom = top + sum(r.height for r in rows)
        # A segment's top line is the bottom line of the one above, left open where a merged cell goes on from
        # the rows above; the last bottom line of a page is drawn when the page ends.
        for column in range(len(COLUMNS)):
            if column not in rows[0].merged_from_above:
                self.hline(self.xs[column], self.xs[column + 1], top)
        self.open_bottom = bottom
        for x in self.xs:
            self.vline(x, top, bottom)
        y = top
        for index, row in enumerate(rows):
            if index:
                for column in range(len(COLUMNS)):
                    if column not in row.merged_from_above:
                        self.hline(self.xs[column], self.xs[column + 1], y)
            for column, lines in row.lines.items():
                if lines:
                    self.text(column, y, lines)
            y += row.height
        self.y = bottom


def _block_rows(pdf: _Pdf, plan: Block, layout: PdfLayout) -> tuple[dict[int, list[str]], list[_Row]]:
    merged = {column: pdf.lines(column, text) for column, text in plan.merged.items()}
    if layout.fill_merged:  # every row whole: text split over sub-rows is repeated whole on each
        whole = {c: "\n".join(dict.fromkeys(r[c] for r in plan.rows if r.get(c))) for c in (BODY, CONTENT)}
        fixed = {**merged, **{c: pdf.lines(c, t) for c, t in whole.items() if c not in merged and t}}
        rows = [
            _Row({**fixed, **{c: pdf.lines(c, t) for c, t in r.items() if c not in (BODY, CONTENT)}}, 0.0)
            for r in plan.rows
        ]
        for row in rows:
            row.height = pdf.row_height(row.lines)
        return {}, rows
    if layout.partners_in_one_cell:
        columns = {c for r in plan.rows for c in r}
        joined = {c: "\n".join(r.get(c, "") for r in plan.rows if r.get(c, "")) for c in columns}
        if START in columns:  # one line per partner line, "-" where a partner has no year of its own
            joined[START] = "\n".join(r.get(START) or "-" for r in plan.rows if r.get(PARTNER))
        single = {**merged, **{c: pdf.lines(c, t) for c, t in joined.items()}}
        return {}, [_Row(single, pdf.row_height(single))]
    rows = [_Row({c: pdf.lines(c, t) for c, t in r.items()}, 0.0) for r in plan.rows]
    for row in rows:
        row.height = pdf.row_height(row.lines)
    return merged, rows


def _split_tall_row(pdf: _Pdf, row: _Row, room: float) -> tuple[_Row, _Row | None]:
    """A single-row block taller than the room left: the lines that fit, and the rest for the next page
    (partners are not split inside one partner: every partner starts a line)."""
    fits = int((room - 2 * pdf.layout.padding) // pdf.leading)
    if fits < 1:
        return row, None
    first = {c: lines[:fits] for c, lines in row.lines.items()}
    rest = {c: lines[fits:] for c, lines in row.lines.items()}
    if not any(rest.values()):
        return row, None
    return _Row(first, pdf.row_height(first)), _Row(rest, pdf.row_height(rest))


def render_pdf(
    records: Sequence[Record], path: Path, *, title: str, as_of: date, layout: PdfLayout = PUBLISHER
) -> Path:
    """Write `records` as a PDF edition at `path`."""
    pdf = _Pdf(path, layout)
    pdf.start_page(title, as_of)
    ward_on_page: tuple[int, str] | None = None  # (page, ward) of the block drawn last
    for record in records:
        plan = block(record, full_ward_name=layout.full_ward_name)
        merged, rows = _block_rows(pdf, plan, layout)
        continued_ward = layout.ward_over_programs and ward_on_page == (pdf.page, record.ward.code)
        merged_height = pdf.row_height(merged) if merged else 0.0
        first_needed = max(merged_height, rows[0].height)
        if pdf.room() < first_needed:
            pdf.end_page()
            pdf.start_page(title, as_of)
            continued_ward = False
        if continued_ward:  # the ward cell above goes on over this program
            rows[0].lines.pop(WARD, None)
            merged.pop(WARD, None)
            rows[0].merged_from_above.add(WARD)
        pending = list(rows)
        first_segment = True
        while pending:
            segment: list[_Row] = []
            used = 0.0
            while pending and used + pending[0].height <= pdf.room():
                used += pending[0].height
                segment.append(pending.pop(0))
            if not segment:  # one row taller than the room: split its lines
                head, tail = _split_tall_row(pdf, pending.pop(0), pdf.room())
                segment.append(head)
                if tail is not None:
                    pending.insert(0, tail)
            show_merged = first_segment or layout.repeat_on_new_page
            if merged:
                segment[0].lines = {**(merged if show_merged else {}), **segment[0].lines}
                need = merged_height if show_merged else 0.0
                total = sum(r.height for r in segment)
                if total < need:
                    segment[-1].height += min(need - total, pdf.room() - total)
                for row in segment[1:]:
                    row.merged_from_above = set(merged)
            pdf.draw_rows(segment)
            ward_on_page = (pdf.page, record.ward.code)
            first_segment = False
            if pending:
                pdf.end_page()
                pdf.start_page(title, as_of)
    pdf.end_page()
    pdf.canvas.save()
    return path


def page_count(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


__all__ = ["ALTERNATIVE", "PUBLISHER", "REPEATED", "PdfLayout", "page_count", "render_pdf"]
