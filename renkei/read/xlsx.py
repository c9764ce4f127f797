"""XLSX editions via openpyxl, after checking the zip container (a zip bomb is refused before unpacking).

The sheet holding the table is the one with the header row; its columns are found by their labels. A cell
covered by a merged range reads as empty, and a row whose ward cell lies under a merged range that began in
a row above is marked as continuing that program — as the PDF reader does, so the shared stages read both
alike. Line breaks inside a cell become single spaces, as wrapped lines do in the other formats.

Rows are streamed (openpyxl read-only): the row and cell caps refuse a sheet far too big as soon as it passes
them; only rows holding text in the table's columns are kept, and merged ranges are looked at only where they
cover a kept row, so a range or a run of empty rows a million long costs no memory.
"""

from __future__ import annotations

import bisect
import itertools
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from renkei.errors import EditionReadError
from renkei.read.limits import RowCount, cell_refusal
from renkei.records import Provenance
from renkei.settings import ParseSettings
from renkei.table import COLUMN_COUNT, HEADER_LABELS, NAME_COLUMN, SourceRow, SourceTable, header_labels

_HEADER_SCAN_ROWS = 50  # the header is near the top of its sheet


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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _header_columns(cells: list[str]) -> list[int] | None:
    """Sheet column index (0-based) of each of the seven labels, when `cells` is the header row."""
    present = [(index, text) for index, text in enumerate(cells) if text]
    if len(present) < COLUMN_COUNT:
        return None
    for start in range(len(present) - COLUMN_COUNT + 1):
        window = present[start : start + COLUMN_COUNT]
        if len(header_labels(tuple(t for _, t in window))) >= COLUMN_COUNT - 1:
            return [index for index, _ in window]
    return None


def read_xlsx(path: Path, settings: ParseSettings) -> SourceTable:
    check_container(path, settings)
    from openpyxl import load_workbook

    try:
        # read-only streams the cells (ten times faster than a full load); merged ranges come from the XML
        workbook = load_workbook(path, data_only=True, read_only=True)
        try:
            for sheet in workbook.worksheets:
                rows = _sheet_rows(sheet, path, settings)
                if rows is not None:
                    return SourceTable(path=str(path), source_format="xlsx", rows=rows)
        finally:
            workbook.close()
    except EditionReadError:
        raise
    except Exception as exc:  # openpyxl raises anything from KeyError to its own InvalidFileException
        raise EditionReadError(f"{path}: cannot read XLSX ({type(exc).__name__}: {exc})") from exc
    labels = " … ".join((HEADER_LABELS[0], HEADER_LABELS[-1]))
    raise EditionReadError(f"{path}: no sheet has the table header ({labels}); not an edition of 連携事業一覧")


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
    range's first row. Ranges cannot overlap, so there are at most seven entries per kept row."""
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
    return _text(value)


def _sheet_rows(sheet: Any, path: Path, settings: ParseSettings) -> tuple[SourceRow, ...] | None:
    """The sheet's rows holding text as source rows, or None when it holds no header row."""
    head: list[tuple[Any, ...]] = []  # the first rows, raw, up to the header
    columns = None
    # Taking no row past the sheet's last (its dimension, when it has one) keeps openpyxl from going on to
    # parse what follows the rows: its merged ranges, all at once (we read those ourselves, as a stream).
    last = sheet.max_row
    scan = _HEADER_SCAN_ROWS if last is None else min(_HEADER_SCAN_ROWS, last)
    for values in itertools.islice(sheet.iter_rows(max_row=scan, values_only=True), scan):
        head.append(values)
        # a cell too long to be a label is not read here: it is refused below if this is the table's sheet
        limit = settings.max_cell_chars
        columns = _header_columns([_text(v) if not (isinstance(v, str) and len(v) > limit) else "" for v in values])
        if columns is not None:
            break
    if columns is None:
        return None
    header_at = len(head) - 1
    count = RowCount(path, settings)
    out: list[SourceRow] = []
    above: list[list[str]] = []  # texts of the rows above the header (a merged range may begin there)
    for index, values in enumerate(head[:header_at]):
        cells = [_cell(v, path, settings, sheet, index, c) for c, v in enumerate(values)]
        above.append(cells)
        line = " ".join(c for c in cells if c)
        if line:
            provenance = Provenance(sheet=sheet.title, rows=(index + 1,))
            count.add(provenance)
            out.append(SourceRow((line,), provenance))
    # 0-based sheet row → its seven cells, for the header and the rows below it that hold text
    kept: dict[int, tuple[str, ...]] = {}
    count.add(Provenance(sheet=sheet.title, rows=(header_at + 1,)))
    kept[header_at] = tuple(_cell(head[header_at][c], path, settings, sheet, header_at, c) for c in columns)
    # Read again from below the header, only as wide as the table: a sheet dimension of 16,384 columns (a
    # formatted row) would otherwise make every row that wide.
    rest = sheet.iter_rows(min_row=header_at + 2, max_col=max(columns) + 1, values_only=True)
    if last is not None:
        rest = itertools.islice(rest, max(0, last - header_at - 1))
    for index, values in enumerate(rest, start=header_at + 1):
        seven = tuple(_cell(values[c] if c < len(values) else None, path, settings, sheet, index, c) for c in columns)
        if any(seven):  # an empty row is skipped by every later stage: neither kept nor counted
            count.add(Provenance(sheet=sheet.title, rows=(index + 1,)))
            kept[index] = seven
    covered = _covered(path, sheet, columns, list(kept))

    def text_at(row: int, position: int, column: int) -> str:
        if row in kept:
            return kept[row][position]
        if row < header_at:
            return above[row][column] if column < len(above[row]) else ""
        return ""

    for index, cells in kept.items():
        provenance = Provenance(sheet=sheet.title, rows=(index + 1,))
        seven = list(cells)
        # Under a merged name cell the row continues the program above; otherwise a cell it shares with rows
        # above (a ward merged over all its programs) is filled from the range's first row.
        continues = (index, columns[NAME_COLUMN]) in covered
        if not continues:
            for position, column in enumerate(columns):
                top = covered.get((index, column))
                if top is not None and not seven[position]:
                    seven[position] = text_at(top, position, column)
        out.append(SourceRow(tuple(seven), provenance, continues=continues))
    return tuple(out)
