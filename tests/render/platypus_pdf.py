"""An independent PDF rendering of an edition's records, made with reportlab's platypus (not the canvas drawing of
pdf.py, and without layout.py's block planning), to check that the PDF reader is not tuned to one renderer.

Title and as-of line are paragraphs above the table. Each ward is one platypus `Table` starting on a new page
(header row repeated on every page with `repeatRows=1`; one table for the whole edition works too, but platypus
re-examines every SPAN of a table at each page break, which takes 25–30 s more), drawn with `GRID` and `BOX` lines, text
in `Paragraph`s wrapped with `wordWrap="CJK"` (a break may fall between any two Japanese characters). Each program
is a block of sub-rows, one per partner (`Partner.text`); its ward, category, name, body and description (and its
start text, unless partners have years of their own) sit in cells merged over the block with `SPAN`. Where
partners have years of their own (`Partner.start_fiscal_year`), each sub-row's start cell names its partner's year
as the record's start text writes it; start texts no partner claims go beside a partner without a year, or else
after the last partner's, so the program keeps every year it names.

Page breaks are left to platypus (`splitByRow=1, splitInRow=1`). A table is broken between blocks where it can be;
a block taller than what is left of a page is broken inside: reportlab cuts its merged cells at a sub-row boundary
(their text stays in the upper part when it fits there, the rest goes on below) and the block goes on under the
repeated header, with empty merged cells. Three things make that work the way a publisher's table looks:

- reportlab cuts merged cells only when the sub-row at the break cannot be cut itself, which it decides from the
  plain-string cells of that sub-row. A partner that fits on one line is therefore written as a plain string (and
  an empty start cell as ""), longer texts as a one-element list of `Paragraph`s (a bare Paragraph would be
  dropped when a row is cut). A sub-row with a wrapped partner and no plain-string cell may still be cut inside.
- platypus places the rest of a table broken between blocks on the same page, and would cut the next block
  there under a second header in mid-page; `_PagedTable` allows cutting inside a block only on a page with at
  least `in_row_split_share` of its height free (otherwise the block starts on the next page).
- reportlab leaves a merged cell cut at a page break open at the bottom of the page (no line under it); each part
  of a table is closed with a line along its bottom (`close_page_bottom`).

No text is shortened: a cell grows with its text. reportlab's CJK wrap lets one character that may not start a
line (ー、。）…) hang past the line; the right padding leaves room for it, so no glyph crosses its cell's border.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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
    new_page_per_ward: bool = True  # otherwise each ward's table follows the last one (with its own header)
    line_width: float = 0.5


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


def _style_commands(layout: PlatypusLayout, right_padding: float) -> list[tuple[object, ...]]:
    return [
        ("GRID", (0, 0), (-1, -1), layout.line_width, colors.black),
        ("BOX", (0, 0), (-1, -1), layout.line_width * 1.6, colors.black),
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
    # The parts of a split table are made from its class: the settings of _PagedTable are class attributes.
    paged = type(
        "PagedTable",
        (_PagedTable,),
        {
            "min_in_row_height": layout.in_row_split_share * (height - 2 * layout.margin),
            "close_bottom": layout.close_page_bottom,
            "line_width": layout.line_width,
        },
    )

    title_style = ParagraphStyle("title", fontName=layout.font, fontSize=13, leading=17, alignment=TA_CENTER)
    as_of_style = ParagraphStyle("as-of", fontName=layout.font, fontSize=9, leading=12, alignment=TA_RIGHT)
    story: list[Flowable] = [
        Paragraph(escape(title), title_style),
        Spacer(1, 4),
        Paragraph(escape(as_of_line(as_of)), as_of_style),
        Spacer(1, 6),
    ]
    # One table per ward, each ward from a new page: platypus re-examines every SPAN of a table at each page
    # break, so one table of the whole edition (some 2,000 spans) takes five times as long.
    for number, (_code, group) in enumerate(groupby(records, key=lambda r: r.ward.code)):
        data: list[list[object]] = [[[Paragraph(label, cells.header_style)] for label in HEADER]]
        commands = _style_commands(layout, right_padding)
        for record in group:
            rows, spans = _block(record, cells, len(data))
            data.extend(rows)
            commands.extend(spans)
        table = paged(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1)
        table.setStyle(TableStyle(commands))
        if number:
            story.append(PageBreak() if layout.new_page_per_ward else Spacer(1, 8))
        story.append(table)

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
