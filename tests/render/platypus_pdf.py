"""An independent PDF rendering of an edition's records, made with reportlab's platypus (not the canvas drawing of
pdf.py, and without layout.py's block planning), to check that the PDF reader is not tuned to one renderer.

The table is one platypus `Table` (header row repeated on every page with `repeatRows=1`) drawn with `GRID` and
`BOX` lines. Each program is a block of sub-rows, one per partner; its ward, category, name, body and description
(and its start years, unless partners have years of their own) sit in cells merged over the block with `SPAN`.
Where partners have years of their own (`Partner.start_fiscal_year`), each sub-row's start cell names its partner's
year, written as the record's start text writes it; start texts no partner claims are put beside partners without
a year, or else under the last partner's year, so the program keeps every year it names.

Page breaks are left to platypus: `splitByRow=1` breaks the table between blocks (a block that does not fit at
the bottom of a page moves to the next). A block taller than a whole page (the real edition has programs with
more than a hundred partners) is broken inside with `splitInRow=1`: reportlab cuts its merged cells at the break
— their text stays in the upper part when it fits there, the rest goes on below — and the block goes on on the
next page under the repeated header with empty (merged) ward and name cells. For reportlab to cut merged cells
at a sub-row boundary, the sub-rows must not be splittable themselves: every sub-row carries one plain-string
cell (an empty string), which reportlab treats as a line that cannot be cut, so it cuts the merged cells
instead of the partner's row. Every other cell holds a one-element list of `Paragraph`s (a bare Paragraph would
be dropped by reportlab when a row is split). No text is shortened to fit: a cell grows with its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from renkei.records import Record
from tests.render.layout import as_of_line

HEADER = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
WARD, CATEGORY, NAME, BODY, PARTNER, CONTENT, START = range(7)
MERGED = (WARD, CATEGORY, NAME, BODY, CONTENT)

_ERA_START = {"昭和": 1926, "平成": 1989, "令和": 2019}
_ERA_YEAR = re.compile(r"(昭和|平成|令和)\s*(元|[0-9０-９]{1,2})\s*年")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class PlatypusLayout:
    page_size: tuple[float, float] = landscape(A4)
    font: str = "HeiseiMin-W3"
    font_size: float = 7.0
    leading: float = 9.0
    margin: float = 10 * mm
    padding: float = 2.5
    # reportlab's CJK wrap lets a character that may not start a line (ー、。）…) hang one character past the line
    # width; room for it in the right padding keeps it inside its cell (None: the padding plus one character).
    right_padding: float | None = None
    # Relative column widths (scaled to the frame width): a wide partner column, so that most partner names
    # take one line, and a start column wide enough for "平成20年度から参加".
    widths: tuple[float, ...] = (44, 56, 118, 72, 150, 262, 80)
    full_ward_name: bool = True  # "千代田区" (the publisher writes "千代田")
    start_per_line: bool = False  # each start text on a line of its own (otherwise wrapped like any text)
    close_page_bottom: bool = True  # a line under the last row of every page, also under cut merged cells
    in_row_split_share: float = 0.6  # a block is cut inside only with this share of a page's height free


DEFAULT = PlatypusLayout()


def _register(font: str) -> None:
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))


def _markup(text: str) -> str:
    """Paragraph markup for a cell's text: XML escaped, its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _token_years(token: str) -> list[int]:
    """Western years named by one start text ("平成21年度から参加" → [2009]); years in notes are not counted."""
    if token.startswith("※") or token.startswith(("(", "（")):
        return []
    years = []
    for era, number in _ERA_YEAR.findall(token):
        years.append(_ERA_START[era] + (1 if number == "元" else int(number.translate(_DIGITS))) - 1)
    return years


def _era_text(year: int) -> str:
    for era in ("令和", "平成", "昭和"):
        if year >= _ERA_START[era]:
            number = year - _ERA_START[era] + 1
            return f"{era}{'元' if number == 1 else number}年度"
    return f"{year}年度"


def _partner_starts(record: Record) -> list[list[str]]:
    """The start texts beside each partner's sub-row (see the module docstring)."""
    tokens = record.start.text.split() if record.start.text else []
    unused = list(tokens)
    cells: list[list[str]] = []
    for partner in record.partners:
        year = partner.start_fiscal_year
        if year is None:
            cells.append([])
            continue
        token = next((t for t in unused if _token_years(t) == [year]), None)
        if token is None:
            token = next((t for t in tokens if _token_years(t) == [year]), _era_text(year))
        else:
            unused.remove(token)
        cells.append([token])
    for token in unused:
        empty = next((cell for cell in cells if not cell), None)
        (empty if empty is not None else cells[-1]).append(token)
    return cells


class _PagedTable(Table):
    """A Table that cuts a block inside (splitInRow) only on a page with room for a good part of it: with less,
    the block moves to the next page (otherwise platypus places the rest of a table cut between blocks on the
    same page, cuts it inside, and repeats the header in the middle of the page)."""

    min_in_row_height = 0.0
    close_bottom = True
    line_width = 0.5

    def split(self, availWidth: float, availHeight: float) -> list[Table]:  # noqa: N803 (reportlab's names)
        self.splitInRow = 1 if availHeight >= self.min_in_row_height else 0
        return super().split(availWidth, availHeight)

    def draw(self) -> None:
        super().draw()
        if self.close_bottom:
            # reportlab leaves a merged cell cut at a page break open at the bottom of the page (a
            # ("LINEBELOW", (0, "splitlast"), …) command fails in reportlab 5.1 when it cuts merged cells): close
            # every part of the table with a line along its bottom.
            self.canv.saveState()
            self.canv.setLineWidth(self.line_width)
            self.canv.line(0, 0, self._width, 0)
            self.canv.restoreState()


class _Cells:
    def __init__(self, layout: PlatypusLayout, widths: Sequence[float], right_padding: float) -> None:
        self.layout = layout
        self.widths = widths
        self.right_padding = right_padding
        self.style = ParagraphStyle(
            "cell", fontName=layout.font, fontSize=layout.font_size, leading=layout.leading, wordWrap="CJK"
        )
        self.header_style = ParagraphStyle("header", parent=self.style, alignment=TA_CENTER)

    def cell(self, text: str) -> list[Paragraph]:
        return [Paragraph(_markup(text), self.style)]

    def line_or_cell(self, text: str, column: int) -> str | list[Paragraph]:
        """A text that fits on one line of the column as a plain string (see the module docstring)."""
        inner = self.widths[column] - self.layout.padding - self.right_padding
        if "\n" not in text and pdfmetrics.stringWidth(text, self.layout.font, self.layout.font_size) <= inner:
            return text
        return self.cell(text)

    def start(self, texts: Sequence[str]) -> list[Paragraph]:
        joiner = "\n" if self.layout.start_per_line else " "
        return self.cell(joiner.join(texts))


def _block(record: Record, cells: _Cells, top: int) -> tuple[list[list[object]], list[tuple[object, ...]]]:
    """The sub-rows of one program starting at table row `top`, and their SPAN commands."""
    layout = cells.layout
    ward = record.ward.name if layout.full_ward_name else record.ward.name.removesuffix("区") or record.ward.name
    merged = {WARD: ward, CATEGORY: record.category, NAME: record.name, BODY: record.body, CONTENT: record.content}
    per_partner = any(p.start_fiscal_year is not None for p in record.partners)
    starts = _partner_starts(record) if per_partner else []
    count = max(1, len(record.partners))
    rows: list[list[object]] = []
    for index in range(count):
        row: list[object] = [""] * len(HEADER)
        if index == 0:
            for column, text in merged.items():
                row[column] = cells.cell(text)
            if not per_partner:
                row[START] = cells.start(record.start.text.split())
        if index < len(record.partners):
            row[PARTNER] = cells.line_or_cell(record.partners[index].text, PARTNER)
        if per_partner:
            # An empty start cell stays a plain string: reportlab cannot cut it, which makes it cut the merged
            # cells at this sub-row rather than the sub-row itself (see the module docstring).
            row[START] = cells.start(starts[index]) if starts[index] else ""
        rows.append(row)
    spans: list[tuple[object, ...]] = []
    if count > 1:
        spanned = (*MERGED, *(() if per_partner else (START,)))
        spans = [("SPAN", (column, top), (column, top + count - 1)) for column in spanned]
    return rows, spans


def render_platypus_pdf(
    records: Sequence[Record], path: Path, *, title: str, as_of: date, layout: PlatypusLayout = DEFAULT
) -> Path:
    """Write `records` as a PDF edition at `path` with platypus."""
    _register(layout.font)
    width, height = layout.page_size
    scale = (width - 2 * layout.margin) / sum(layout.widths)
    widths = [w * scale for w in layout.widths]
    right_padding = layout.padding + layout.font_size if layout.right_padding is None else layout.right_padding
    cells = _Cells(layout, widths, right_padding)

    data: list[list[object]] = [[[Paragraph(label, cells.header_style)] for label in HEADER]]
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), layout.font),
        ("FONTSIZE", (0, 0), (-1, -1), layout.font_size),
        ("LEADING", (0, 0), (-1, -1), layout.leading),
        ("LEFTPADDING", (0, 0), (-1, -1), layout.padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), right_padding),
        ("TOPPADDING", (0, 0), (-1, -1), layout.padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), layout.padding),
    ]
    for record in records:
        rows, spans = _block(record, cells, len(data))
        data.extend(rows)
        commands.extend(spans)
    # The parts of a split table are made from their class: the threshold is a class attribute.
    threshold = layout.in_row_split_share * (height - 2 * layout.margin)
    paged = type("PagedTable", (_PagedTable,), {"min_in_row_height": threshold, "close_bottom": layout.close_page_bottom})
    table = paged(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1)
    table.setStyle(TableStyle(commands))

    title_style = ParagraphStyle("title", fontName=layout.font, fontSize=13, leading=17, alignment=TA_CENTER)
    as_of_style = ParagraphStyle("as-of", fontName=layout.font, fontSize=9, leading=12, alignment=TA_RIGHT)
    story = [
        Paragraph(escape(title), title_style),
        Spacer(1, 4),
        Paragraph(escape(as_of_line(as_of)), as_of_style),
        Spacer(1, 6),
        table,
    ]

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(layout.font, 8)
        canvas.drawCentredString(width / 2, layout.margin / 2, f"{doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path), pagesize=layout.page_size, leftMargin=layout.margin, rightMargin=layout.margin,
        topMargin=layout.margin, bottomMargin=layout.margin, title=title, pageCompression=1,
    )  # fmt: skip
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


__all__ = ["DEFAULT", "PlatypusLayout", "render_platypus_pdf"]
