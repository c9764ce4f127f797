"""XLSX editions via openpyxl, after checking the zip container (a zip bomb is refused before unpacking).

Every visible sheet is looked at. A sheet holding a header row (recognised by `header.find_header`, anywhere in
its first rows and columns) is a table: one sheet for all wards, or one per ward (the ward then comes from the
sheet name or a title row, see `table.classify_rows`). A sheet without one before the first table (a cover) is
read for its title and as-of date only; after it (notes) it is skipped; a hidden sheet is skipped; each is named
in a `sheet_skipped` warning. A table's rows go on as the header's labelled columns, in the sheet's order: the
shared stage maps them to the seven fields and names the columns it does not read.

A cell covered by a merged range reads as empty, and a row whose name cell lies under a merged range that began
in a row above is marked as continuing that program — as the PDF reader does, so the shared stages read both
alike. Cell values are read as what they mean (`cell_text`): line breaks inside a cell become single spaces, as
wrapped lines do in the other formats; numbers and dates become text.

Rows are streamed (openpyxl read-only): the row and cell caps refuse a sheet far too big as soon as it passes
them; only rows holding text in the table's columns are kept, and merged ranges are looked at only where they
cover a kept row, so a range or a run of empty rows a million long costs no memory.
"""

from __future__ import annotations

import bisect
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from renkei.errors import EditionReadError
from renkei.parse.header import (
    NAME_COLUMN,
    Candidate,
    Header,
    closest_candidates,
    find_header,
    header_candidate,
    no_header_error,
)
from renkei.parse.read.limits import RowCount, cell_refusal
from renkei.parse.source import SourceRow, SourceTable
from renkei.records import ParseWarning, Provenance
from renkei.settings import ParseSettings

# Where a sheet's header may stand: anywhere in its first rows and columns (the 2026 rendering has it in row 4;
# a title block of a dozen rows, or a table starting in column B, is well inside).
HEADER_SCAN_ROWS = 200
HEADER_SCAN_COLUMNS = 100
# A date cell of the title block whose number format prints 現在 ([$-ja-JP]ggge"年"m"月"d"日現在") says so.
_AS_OF_FORMAT_MARK = "現在"


def check_container(path: Path, settings: ParseSettings) -> None:
    """Refuse what is not an XLSX workbook, or what would expand beyond the configured size."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise EditionReadError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    if "xl/workbook.xml" not in names:
        raise EditionReadError(f"{path}: a zip file but not an XLSX workbook (no xl/workbook.xml)")
    if expanded > settings.max_xlsx_uncompressed_bytes:
        raise EditionReadError(
            f"{path}: XLSX expands to {expanded:,} bytes, over the limit of {settings.max_xlsx_uncompressed_bytes:,} "
            "(max_xlsx_uncompressed_bytes; RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES)"
        )


def cell_text(value: Any) -> str:
    """A cell's value as the text it means: an integral number as its integer ("2015", "3"), another number in its
    shortest form ("2.5"), a date or date-time as its ISO date ("2015-04-01"), a boolean as Excel shows it
    ("TRUE"), text with its line breaks and runs of spaces as single spaces.

    Years are not decided here: a start cell of 2015 or 2015-04-01 goes on as that text, for the start-year
    reader to read.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


@dataclass(frozen=True)
class _Head:
    """A sheet's first rows, raw, up to its header row (the last of them), or all of them when it has none."""

    rows: list[tuple[Any, ...]]
    header: Header | None
    candidates: list[Candidate]


def read_xlsx(path: Path, settings: ParseSettings) -> SourceTable:
    check_container(path, settings)
    from openpyxl import load_workbook

    rows: list[SourceRow] = []
    warnings: list[ParseWarning] = []
    candidates: list[Candidate] = []
    hidden: list[str] = []
    tables = 0
    try:
        # read-only streams the cells (ten times faster than a full load); merged ranges come from the XML
        workbook = load_workbook(path, data_only=True, read_only=True)
        try:
            count = RowCount(path, settings)
            for sheet in workbook.worksheets:
                where = Provenance(sheet=sheet.title)
                if sheet.sheet_state != "visible":
                    hidden.append(sheet.title)
                    warnings.append(ParseWarning("sheet_skipped", f"sheet {sheet.title} is hidden: not read", where))
                    continue
                head = _scan_head(sheet, settings)
                if head.header is None:
                    candidates.extend(closest_candidates(head.candidates, limit=1))
                    if tables == 0:  # a cover: its title and as-of date may be the edition's
                        rows.extend(_title_rows(_texts(head.rows, path, settings, sheet), sheet, count))
                    what = "read for its title and as-of date only" if tables == 0 else "not read"
                    warnings.append(
                        ParseWarning("sheet_skipped", f"sheet {sheet.title} has no table header: {what}", where)
                    )
                    continue
                tables += 1
                rows.extend(_sheet_rows(sheet, path, settings, head.rows, head.header, count))
        finally:
            workbook.close()
    except EditionReadError:
        raise
    except Exception as exc:  # openpyxl raises anything from KeyError to its own InvalidFileException
        raise EditionReadError(f"{path}: cannot read XLSX ({type(exc).__name__}: {exc})") from exc
    if tables == 0:
        names = ", ".join(hidden[:5]) + (f" and {len(hidden) - 5} more" if len(hidden) > 5 else "")
        more = f"; hidden sheets not read: {names}" if hidden else ""
        raise no_header_error(path, closest_candidates(candidates), "no sheet has the table header", more)
    return SourceTable(path=str(path), source_format="xlsx", rows=tuple(rows), warnings=tuple(warnings))


def _head_value(cell: Any) -> Any:
    """A title-block cell's value; a date whose number format prints 現在 keeps the word."""
    value = cell.value
    if isinstance(value, datetime | date) and _AS_OF_FORMAT_MARK in (getattr(cell, "number_format", None) or ""):
        return f"{cell_text(value)} {_AS_OF_FORMAT_MARK}"
    return value


def _scan_head(sheet: Any, settings: ParseSettings) -> _Head:
    """The sheet's first rows up to its header row (the first row `find_header` accepts), or all of them."""
    rows: list[tuple[Any, ...]] = []
    candidates: list[Candidate] = []
    # Taking no row past the sheet's last (its dimension, when it has one) keeps openpyxl from going on to
    # parse what follows the rows: its merged ranges, all at once (we read those ourselves, as a stream).
    last = sheet.max_row
    scan = HEADER_SCAN_ROWS if last is None else min(HEADER_SCAN_ROWS, last)
    limit = settings.max_cell_chars
    cells_of = sheet.iter_rows(max_row=scan, max_col=HEADER_SCAN_COLUMNS)
    for cells in itertools.islice(cells_of, scan):
        values = tuple(_head_value(cell) for cell in cells)
        rows.append(values)
        # a cell too long to be a label is not read here: it is refused below if this is a table's sheet
        texts = [cell_text(v) if not (isinstance(v, str) and len(v) > limit) else "" for v in values]
        header = find_header(texts)
        if header is not None:
            return _Head(rows, header, candidates)
        if any(texts) and len(candidates) < 100:
            candidates.append(header_candidate(texts, f"sheet {sheet.title} row {len(rows)}"))
    return _Head(rows, None, candidates)


def _title_rows(texts: list[list[str]], sheet: Any, count: RowCount) -> Iterator[SourceRow]:
    """Rows above a table (or a cover sheet's rows) as one-cell title rows: the text of their cells."""
    for index, cells in enumerate(texts):
        line = " ".join(t for t in cells if t)
        if line:
            provenance = Provenance(sheet=sheet.title, rows=(index + 1,))
            count.add(provenance)
            yield SourceRow((line,), provenance)


def _texts(rows: list[tuple[Any, ...]], path: Path, settings: ParseSettings, sheet: Any) -> list[list[str]]:
    return [[_cell(v, path, settings, sheet, i, c) for c, v in enumerate(row)] for i, row in enumerate(rows)]


def _merged_ranges(path: Path, part: str) -> Iterator[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based, of the sheet part's merged ranges. Rows and ranges are
    dropped from their parent as they are passed, so memory stays flat however many there are."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    parents: dict[str, Any] = {}  # "row" → its sheetData, "mergeCell" → its mergeCells
    with zipfile.ZipFile(path) as archive, archive.open(part) as handle:
        for event, element in iterparse(handle, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                if tag in ("sheetData", "mergeCells"):
                    parents["row" if tag == "sheetData" else "mergeCell"] = element
                continue
            if tag == "mergeCell" and element.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                yield min_row, min_col, max_row, max_col
            if tag in parents:
                parents[tag].clear()


def _covered(path: Path, sheet: Any, columns: list[int], kept: list[int]) -> dict[tuple[int, int], int]:
    """(row, column), 0-based, of the kept rows' table cells under a merged range begun in a row above → the
    range's first row. Ranges cannot overlap, so there is at most one entry per kept row and table column."""
    covered: dict[tuple[int, int], int] = {}
    for min_row, min_col, max_row, max_col in _merged_ranges(path, sheet._worksheet_path):
        spanned = [c for c in columns if min_col - 1 <= c < max_col]
        first, last = bisect.bisect_left(kept, min_row), bisect.bisect_left(kept, max_row)
        for position in range(first, last):  # kept rows from the range's second row to its last
            for column in spanned:
                if (kept[position], column) in covered:
                    raise EditionReadError(
                        f"{path}: sheet {sheet.title} row {kept[position] + 1}: merged ranges overlap; "
                        "not a valid workbook"
                    )
                covered[(kept[position], column)] = min_row - 1
    return covered


def _cell(value: Any, path: Path, settings: ParseSettings, sheet: Any, row: int, column: int) -> str:
    """A cell's text (0-based row and column), refusing one longer than max_cell_chars as stored."""
    if isinstance(value, str) and len(value) > settings.max_cell_chars:
        from openpyxl.utils.cell import get_column_letter

        where = f"sheet {sheet.title} row {row + 1}, column {get_column_letter(column + 1)}"
        raise cell_refusal(path, settings, where)
    return cell_text(value)


def _sheet_rows(
    sheet: Any, path: Path, settings: ParseSettings, head: list[tuple[Any, ...]], header: Header, count: RowCount
) -> list[SourceRow]:
    """A table sheet's rows holding text: its title rows (one cell each), then the header (the last of the `head`
    rows) and the rows below it, as the header's labelled columns."""
    header_at = len(head) - 1
    above = _texts(head[:header_at], path, settings, sheet)
    out = list(_title_rows(above, sheet, count))
    # The table's columns: every labelled cell of the header row; the fields' own among them say which rows
    # hold text (a row with a number in No. alone is none).
    header_cells = head[header_at]
    columns = [c for c, v in enumerate(header_cells) if cell_text(v)]
    fields = {c for c in header.columns if c is not None}
    # 0-based sheet row → its cells in `columns`, for the header and the rows below it that hold text
    kept: dict[int, tuple[str, ...]] = {}
    count.add(Provenance(sheet=sheet.title, rows=(header_at + 1,)))
    kept[header_at] = tuple(_cell(header_cells[c], path, settings, sheet, header_at, c) for c in columns)
    # Read again from below the header, only as wide as the table: a sheet dimension of 16,384 columns (a
    # formatted row) would otherwise make every row that wide.
    last = sheet.max_row
    rest = sheet.iter_rows(min_row=header_at + 2, max_col=max(columns) + 1, values_only=True)
    if last is not None:
        rest = itertools.islice(rest, max(0, last - header_at - 1))
    for index, values in enumerate(rest, start=header_at + 1):
        cells = tuple(_cell(values[c] if c < len(values) else None, path, settings, sheet, index, c) for c in columns)
        # an empty row is skipped by every later stage: neither kept nor counted
        if any(text for c, text in zip(columns, cells, strict=True) if c in fields):
            count.add(Provenance(sheet=sheet.title, rows=(index + 1,)))
            kept[index] = cells
    covered = _covered(path, sheet, columns, list(kept))
    name_column = header.columns[NAME_COLUMN]

    def text_at(row: int, position: int, column: int) -> str:
        if row in kept:
            return kept[row][position]
        if row < header_at:
            return above[row][column] if column < len(above[row]) else ""
        return ""

    for index, texts in kept.items():
        provenance = Provenance(sheet=sheet.title, rows=(index + 1,))
        cells = list(texts)
        # Under a merged name cell the row continues the program above; otherwise a cell it shares with rows
        # above (a ward merged over all its programs) is filled from the range's first row.
        continues = index != header_at and (index, name_column) in covered
        if not continues and index != header_at:
            for position, column in enumerate(columns):
                top = covered.get((index, column))
                if top is not None and not cells[position]:
                    cells[position] = text_at(top, position, column)
        out.append(SourceRow(tuple(cells), provenance, continues=continues))
    return out
