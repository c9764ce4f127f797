"""Source rows → classified table rows: title, headers (recognised by meaning, in all their variants), data rows.

Every reader (text, PDF, XLSX) produces `SourceRow`s; this stage is shared so that the three formats are
assembled by the same rules. A header is recognised by what its cells mean, not by exact words (see
`LABEL_SYNONYMS` and `find_header`): the 2026 edition's own, repeated on every page, sometimes with wrap spaces
("各特別 区名") and once fused with the first data row's category ("連携カテ ゴリ 産業"); other years' wording,
column order and extra columns (No., 備考); a table with no ward column, whose ward is named by its sheet or a
title row. Every data row leaves here as seven cells in the publisher's order (`HEADER_LABELS`).

Every cell of every format passes here first, so this is where cell text is cleaned (`clean_cell`): invisible
characters (`invisible_removed`) and markup (`markup_removed`, reported per entry by `build.py`) go before any
rule reads a cell. The as-of date is checked here too: a day the calendar lacks, or one in the future, is
refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from renkei.errors import EditionReadError, SettingsError
from renkei.normalise.eras import PrintedDate, find_as_of
from renkei.normalise.text import clean_cell, describe_code_points, display_text
from renkei.parse.header import (
    COLUMN_COUNT,
    HEADER_LABELS,
    NAME_COLUMN,
    PUBLISHER_HEADER,
    TITLE_MARK,
    WARD_COLUMN,
    Candidate,
    Header,
    _label_key,
    closest_candidates,
    find_header,
    header_candidate,
    match_label,
    no_header_error,
    ward_named,
)
from renkei.parse.source import SourceTable
from renkei.records import ParseWarning, Provenance, SourceFormat

# -- the table --------------------------------------------------------------------------------------------------
# How far past today (in Tokyo) an edition's as-of date may lie. Editions are dated at a month's end
# ("令和8年3月31日現在") and may be published in the last days before it; 31 days lets an edition be dated at the
# end of the month in progress, from any day of that month, and no further. A date beyond is a misprint (a
# wrong era year: 令和20年 for 令和8年) that would otherwise become the newest edition for years.
AS_OF_TOLERANCE_DAYS = 31
AS_OF_TOLERANCE_VARIABLE = "RENKEI_AS_OF_TOLERANCE_DAYS"
# Japan has kept no summer time since 1951: Tokyo is UTC+9 all year, with no time zone database needed.
_TOKYO = timezone(timedelta(hours=9), "Asia/Tokyo")
# A date written by figures (an Excel date cell reads as "2023-08-01") is the as-of date when its title row says
# so: "基準日 2023-08-01", "2023/8/1 現在", "2023-08-01 時点".
_FIGURE_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_AS_OF_WORDS = ("現在", "基準日", "時点")


def tokyo_today() -> date:
    """Today's date in Tokyo, the publisher's calendar."""
    return datetime.now(_TOKYO).date()


def as_of_tolerance_days() -> int:
    """The tolerance for future as-of dates: RENKEI_AS_OF_TOLERANCE_DAYS when set, else 31 days.

    Raises SettingsError when the variable is not a whole number of days, zero or more.
    """
    raw = os.environ.get(AS_OF_TOLERANCE_VARIABLE, "").strip()
    if not raw:
        return AS_OF_TOLERANCE_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise SettingsError(f"{AS_OF_TOLERANCE_VARIABLE}={raw!r} is not a whole number of days") from None
    if days < 0:
        raise SettingsError(f"{AS_OF_TOLERANCE_VARIABLE}={raw!r} must be 0 or more days")
    return days


RowKind = Literal["title", "header", "data"]


@dataclass(frozen=True)
class TableRow:
    """A data row with exactly seven cells; `page_break_before` marks the first row after a page header;
    `continues` a row under a merged cell of the row above (see SourceRow); `markup_removed` a row whose
    cells held markup (cleaned away here, reported once per entry by `build.py`)."""

    cells: tuple[str, ...]
    provenance: Provenance
    page_break_before: bool = False
    warnings: tuple[ParseWarning, ...] = ()
    continues: bool = False
    markup_removed: bool = False


@dataclass(frozen=True)
class Table:
    path: str
    source_format: SourceFormat
    title: str
    as_of: date
    rows: tuple[TableRow, ...]
    warnings: tuple[ParseWarning, ...] = field(default=())


class _Warnings:
    """The edition's own warnings in reading order; a header's warning repeated on later pages or sheets is kept
    once, where it was first seen."""

    def __init__(self, first: Iterable[ParseWarning]) -> None:
        self.items = list(first)
        self._seen: set[tuple[str, str]] = set()

    def once(self, kind: str, message: str, provenance: Provenance) -> None:
        if (kind, message) not in self._seen:
            self._seen.add((kind, message))
            self.items.append(ParseWarning(kind, message, provenance))


def classify_rows(source: SourceTable, *, today: date | None = None) -> Table:
    """Find the title, the as-of date and the header; return the data rows in the publisher's column order,
    cleaned, with page breaks marked.

    Each sheet of a workbook begins with its own title rows up to its header. Where the header has no ward
    column, the ward is the one the sheet name names, else a title row ("千代田区"). `today` (Tokyo's date by
    default) is what the as-of date must not lie beyond, give or take the tolerance (`as_of_tolerance_days`).
    Raises EditionReadError naming the file when it holds no table of this kind, a table's ward is named
    nowhere, or its as-of date is no date or in the future.
    """
    path = source.path
    if not source.rows:
        raise EditionReadError(f"{path}: file is empty")
    fused_labels = source.source_format == "text"  # only text extraction fuses a header cell with a value
    title_lines: list[str] = []
    rows: list[TableRow] = []
    warnings = _Warnings(source.warnings)
    candidates: list[Candidate] = []
    header: Header | None = None
    seen_header = False
    table_started = False  # a header or a program row has been seen in this sheet: everything after is table
    page_break = False
    fused: dict[int, str] = {}
    fused_from: Provenance | None = None
    header_from = Provenance()  # where the header in force is
    last_page: int | None = None
    sheet = source.rows[0].provenance.sheet
    ward = ward_named(sheet) if sheet else None  # the ward of a table without a ward column
    for row in source.rows:
        cells, invisible, had_markup = _clean_cells(row.cells)
        if not any(cells):
            continue
        cleaning = [_invisible_warning(invisible, row.provenance)] if invisible else []
        if row.provenance.sheet != sheet:  # a sheet's title rows come before its own header
            sheet, table_started, page_break = row.provenance.sheet, False, True
            ward = ward_named(sheet) if sheet else None
        if row.page is not None and last_page is not None and row.page != last_page:
            page_break = True
        last_page = row.page if row.page is not None else last_page
        found = find_header(cells, fused=fused_labels)
        if found is not None:
            if header is None or not found.agrees_with(header):
                header = found
                _note_header(header, row.provenance, warnings)
            if header.columns[WARD_COLUMN] is None and ward is None:
                raise EditionReadError(
                    f"{path}: {row.provenance.describe()}: the header has no ward column ({HEADER_LABELS[0]}) and "
                    "neither the sheet name nor a title row above it names a ward"
                )
            seen_header = table_started = True
            page_break = True
            warnings.items.extend(cleaning)
            fused = dict(found.fused)
            fused_from = header_from = row.provenance
            continue
        if not seen_header and len(candidates) < 100:
            candidate = header_candidate(cells, row.provenance.describe())
            if candidate.fields or not candidates:
                candidates.append(candidate)
        if not table_started and not _looks_like_program_row(cells):
            line = " ".join(c for c in cells if c)
            title_lines.append(line)
            ward = ward or ward_named(line)
            warnings.items.extend(cleaning)
            continue
        layout = header or PUBLISHER_HEADER
        table_started = True
        row_warnings: list[ParseWarning] = cleaning
        if header is not None and header.missing and _used_width(cells) > header.width:
            raise _label_lost(path, header, header_from, row.provenance, _used_width(cells))
        seven = layout.seven(_fitted(cells, layout.width, row.provenance, row_warnings))
        if layout.columns[WARD_COLUMN] is None and ward is not None and seven[NAME_COLUMN] and not row.continues:
            seven = (ward.name, *seven[1:])
        if fused and fused_from is not None:
            seven, fused_warning = _apply_fused(seven, fused, fused_from, row.provenance)
            row_warnings.extend(fused_warning)
            fused = {}
        rows.append(TableRow(seven, row.provenance, page_break, tuple(row_warnings), row.continues, had_markup))
        page_break = False
    if not seen_header:
        raise no_header_error(path, closest_candidates(candidates), "no table header found")
    as_of = _checked_as_of(path, title_lines, tokyo_today() if today is None else today)
    if not rows:
        raise EditionReadError(f"{path}: the table has a header but no program rows")
    title = next((display_text(line) for line in title_lines if TITLE_MARK in _label_key(line)), "")
    return Table(
        path, source.source_format, title or display_text(title_lines[0]), as_of, tuple(rows), tuple(warnings.items)
    )


def _note_header(header: Header, provenance: Provenance, warnings: _Warnings) -> None:
    """Warn of a header's extra columns (ignored) and missing fields (read as empty); the ward needs none."""
    extra = ", ".join(display_text(text) for _, text in header.ignored if match_label(text) is None)
    if extra:
        warnings.once("column_ignored", f"columns not read (not columns of {TITLE_MARK}): {extra}", provenance)
    for _, text in header.ignored:
        label = match_label(text)
        chosen = None if label is None else header.columns[label.field]
        if label is not None and chosen is not None:
            first = header.cells[chosen]
            message = (
                f"column {display_text(text)} not read: {HEADER_LABELS[label.field]} is read from column "
                f"{display_text(first)}"
            )
            warnings.once("column_ignored", message, provenance)
    missing = [HEADER_LABELS[f] for f in header.missing if f != WARD_COLUMN]
    if missing:
        warnings.once("column_missing", f"no {'、'.join(missing)} column: read as empty", provenance)


def _used_width(cells: tuple[str, ...]) -> int:
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if cells[i]), 0)


def _label_lost(path: str, header: Header, at: Provenance, row: Provenance, width: int) -> EditionReadError:
    """A header lacking a field over rows wider than it: a label was lost (an extraction slip), not a column;
    reading on would shift every cell after it into the wrong field."""
    missing = "、".join(HEADER_LABELS[f] for f in header.missing)
    found = COLUMN_COUNT - len(header.missing)
    return EditionReadError(
        f"{path}: {at.describe()}: header has {found} of {COLUMN_COUNT} columns; missing {missing}, but "
        f"{row.describe()} has {width} cells: a header label is lost, the columns cannot be told apart"
    )


def _fitted(
    cells: tuple[str, ...], width: int, provenance: Provenance, warnings: list[ParseWarning]
) -> tuple[str, ...]:
    """A row's cells as wide as its header: a row of one cell (a text row that lost its tabs) keeps its text in
    the first column; a longer row's last cells are joined, a shorter one is padded (both `malformed_row`)."""
    if len(cells) > width and not any(cells[width:]):
        cells = cells[:width]
    if len(cells) in (width, 1):
        return cells
    warnings.append(ParseWarning("malformed_row", f"row has {len(cells)} cells, expected {width}", provenance))
    if len(cells) < width:
        return cells + ("",) * (width - len(cells))
    return (*cells[: width - 1], " ".join(c for c in cells[width - 1 :] if c))


def _clean_cells(cells: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The row's cells cleaned and stripped, the invisible characters removed (each once), whether markup was."""
    out: list[str] = []
    removed: list[str] = []
    had_markup = False
    for cell in cells:
        text, invisible, markup = clean_cell(cell)
        out.append(text.strip())
        removed.extend(invisible)
        had_markup = had_markup or markup
    return tuple(out), tuple(dict.fromkeys(removed)), had_markup


def _invisible_warning(removed: tuple[str, ...], provenance: Provenance) -> ParseWarning:
    message = f"invisible characters removed: {describe_code_points(removed)}"
    return ParseWarning("invisible_removed", message, provenance)


def find_printed_as_of(line: str) -> PrintedDate | None:
    """The as-of date a title row prints: "令和5年8月1日現在" anywhere in it, or a date in figures (an Excel date
    cell) beside 現在, 基準日 or 時点; None when it prints none."""
    found = find_as_of(line)
    if found is not None:
        return found
    folded = _label_key(line)
    match = _FIGURE_DATE.search(folded)
    if match is None or not any(word in folded for word in _AS_OF_WORDS):
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return PrintedDate(match.group(0), date(year, month, day))
    except ValueError:
        return PrintedDate(match.group(0), None)


def _checked_as_of(path: str, title_lines: list[str], today: date) -> date:
    """The first as-of date printed before the table, refused when it is no date or beyond today + tolerance."""
    found: PrintedDate | None = next(filter(None, (find_printed_as_of(line) for line in title_lines)), None)
    if found is None:
        raise EditionReadError(f"{path}: no as-of date (…年…月…日現在) before the table")
    if found.day is None:
        raise EditionReadError(f"{path}: as-of date {found.printed} is not a date")
    tolerance = as_of_tolerance_days()
    if found.day > today + timedelta(days=tolerance):
        raise EditionReadError(
            f"{path}: as-of date {found.printed} ({found.day.isoformat()}) is in the future (today "
            f"{today.isoformat()} in Tokyo, tolerance {tolerance} days, set by {AS_OF_TOLERANCE_VARIABLE})"
        )
    return found.day


def _looks_like_program_row(cells: tuple[str, ...]) -> bool:
    """A full row naming a ward and a program: table data even where a page header is missing."""
    from renkei.normalise.wards import ward_from_cell

    return len(cells) == COLUMN_COUNT and bool(cells[2]) and ward_from_cell(cells[0]) is not None


def _apply_fused(
    cells: tuple[str, ...], fused: dict[int, str], header: Provenance, provenance: Provenance
) -> tuple[tuple[str, ...], list[ParseWarning]]:
    filled = list(cells)
    warnings: list[ParseWarning] = []
    for index, value in fused.items():
        if not filled[index]:
            filled[index] = value
        warnings.append(
            ParseWarning(
                "fused_header",
                f"page header carries {HEADER_LABELS[index]} value {value!r}; read as this row's",
                header.merged(provenance),
            )
        )
    return tuple(filled), warnings
