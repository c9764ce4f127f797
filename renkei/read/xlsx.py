"""XLSX editions via openpyxl, after checking the zip container (a zip bomb is refused before unpacking).

The sheet holding the table is the one with the header row; its columns are found by their labels. A cell
covered by a merged range reads as empty, and a row whose ward cell lies under a merged range that began in
a row above is marked as continuing that program — as the PDF reader does, so the shared stages read both
alike. Line breaks inside a cell become single spaces, as wrapped lines do in the other formats.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from renkei.errors import EditionReadError
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
                rows = _sheet_rows(sheet, path)
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


def _merged_ranges(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based, of the sheet part's merged ranges."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    found = []
    with zipfile.ZipFile(path) as archive, archive.open(part) as handle:
        for _, element in iterparse(handle):
            if element.tag.endswith("}mergeCell") and element.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                found.append((min_row, min_col, max_row, max_col))
            element.clear()
    return found


def _sheet_rows(sheet: Any, path: Path) -> tuple[SourceRow, ...] | None:
    """The sheet's rows as source rows, or None when it holds no header row."""
    values = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    columns = None
    header_at = 0
    for index, cells in enumerate(values[:_HEADER_SCAN_ROWS]):
        columns = _header_columns(cells)
        if columns is not None:
            header_at = index
            break
    if columns is None:
        return None
    # (row, column), 0-based, under a merged range begun in a row above → the range's first row
    covered: dict[tuple[int, int], int] = {}
    for min_row, min_col, max_row, max_col in _merged_ranges(path, sheet._worksheet_path):
        for row in range(min_row + 1, max_row + 1):
            for column in range(min_col, max_col + 1):
                covered[(row - 1, column - 1)] = min_row - 1
    out: list[SourceRow] = []
    for index, cells in enumerate(values):
        provenance = Provenance(sheet=sheet.title, rows=(index + 1,))
        if index < header_at:
            line = " ".join(c for c in cells if c)
            if line:
                out.append(SourceRow((line,), provenance))
            continue
        seven = [cells[c] if c < len(cells) else "" for c in columns]
        # Under a merged name cell the row continues the program above; otherwise a cell it shares with rows
        # above (a ward merged over all its programs) is filled from the range's first row.
        continues = (index, columns[NAME_COLUMN]) in covered
        if not continues:
            for position, column in enumerate(columns):
                top = covered.get((index, column))
                if top is not None and not seven[position] and column < len(values[top]):
                    seven[position] = values[top][column]
        out.append(SourceRow(tuple(seven), provenance, continues=continues))
    return tuple(out)
