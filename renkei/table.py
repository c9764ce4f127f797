"""Source rows → classified table rows: title, repeated page headers (in all their variants), data rows.

Every reader (text, PDF, XLSX) produces `SourceRow`s; this stage is shared so that the three formats are
assembled by the same rules. Headers repeat on every page, sometimes with wrap spaces ("各特別 区名") and
once fused with the first data row's category ("連携カテ ゴリ 産業").

Every cell of every format passes here first, so this is where cell text is cleaned (`clean_cell`): invisible
characters (`invisible_removed`) and markup (`markup_removed`, reported per entry by `build.py`) go before any
rule reads a cell. The as-of date is checked here too: a day the calendar lacks, or one in the future, is
refused.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from renkei.errors import EditionReadError, SettingsError
from renkei.normalise.eras import PrintedDate, find_as_of
from renkei.normalise.text import clean_cell, describe_code_points, display_text
from renkei.records import ParseWarning, Provenance, SourceFormat

COLUMN_COUNT = 7
WARD_COLUMN, NAME_COLUMN = 0, 2
HEADER_LABELS = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
# A row is a header when at least this many cells carry their column's label.
_HEADER_MIN_LABELS = 4
TITLE_MARK = "連携事業一覧"
_SPACES = re.compile(r"[\s\u3000]+")

# How far past today (in Tokyo) an edition's as-of date may lie. Editions are dated at a month's end
# ("令和8年3月31日現在") and may be published in the last days before it; 31 days lets an edition be dated at the
# end of the month in progress, from any day of that month, and no further. A date beyond is a misprint (a
# wrong era year: 令和20年 for 令和8年) that would otherwise become the newest edition for years.
AS_OF_TOLERANCE_DAYS = 31
AS_OF_TOLERANCE_VARIABLE = "RENKEI_AS_OF_TOLERANCE_DAYS"
# Japan has kept no summer time since 1951: Tokyo is UTC+9 all year, with no time zone database needed.
_TOKYO = timezone(timedelta(hours=9), "Asia/Tokyo")


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


@dataclass(frozen=True)
class SourceRow:
    """One row as a reader found it: its cells (any number) and where it is.

    `continues` is set by readers that see cell structure (PDF, XLSX) when the row's left cells are covered by
    a merged cell from the row above: the row certainly continues that program.
    """

    cells: tuple[str, ...]
    provenance: Provenance
    page: int | None = None
    continues: bool = False


@dataclass(frozen=True)
class SourceTable:
    """Everything a reader found in one file, in reading order."""

    path: str
    source_format: SourceFormat
    rows: tuple[SourceRow, ...]


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


def _label_key(cell: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", cell))


def label_of(cell: str) -> int | None:
    """The column whose header label `cell` starts with ("事業 主体" → 3), or None."""
    key = _label_key(cell)
    return next((i for i, label in enumerate(HEADER_LABELS) if key.startswith(label)), None)


def header_labels(cells: tuple[str, ...]) -> dict[int, str]:
    """Column index → text after the label, for the cells that start with their column's label."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells[:COLUMN_COUNT]):
        key = _label_key(cell)
        label = HEADER_LABELS[index]
        if key.startswith(label):
            found[index] = key[len(label) :]
    return found


def _label_anywhere(cells: tuple[str, ...]) -> set[str]:
    keys = {_label_key(c) for c in cells}
    return {label for label in HEADER_LABELS if any(k.startswith(label) for k in keys)}


def classify_rows(source: SourceTable, *, today: date | None = None) -> Table:
    """Find the title, the as-of date and the header; return the data rows, cleaned, with page breaks marked.

    `today` (Tokyo's date by default) is what the as-of date must not lie beyond, give or take the tolerance
    (`as_of_tolerance_days`). Raises EditionReadError naming the file when it holds no table of this kind or
    its as-of date is no date or in the future.
    """
    path = source.path
    if not source.rows:
        raise EditionReadError(f"{path}: file is empty")
    title_lines: list[str] = []
    rows: list[TableRow] = []
    warnings: list[ParseWarning] = []
    seen_header = False
    table_started = False  # a header or a program row has been seen: everything after is table
    page_break = False
    fused: dict[int, str] = {}
    fused_from: Provenance | None = None
    last_page: int | None = None
    for row in source.rows:
        cells, invisible, had_markup = _clean_cells(row.cells)
        if not any(cells):
            continue
        cleaning = [_invisible_warning(invisible, row.provenance)] if invisible else []
        if row.page is not None and last_page is not None and row.page != last_page:
            page_break = True
        last_page = row.page if row.page is not None else last_page
        labels = header_labels(cells)
        if len(labels) >= _HEADER_MIN_LABELS:
            if not seen_header:
                _check_header(path, cells, labels, row.provenance)
            seen_header = table_started = True
            page_break = True
            warnings.extend(cleaning)
            fused = {i: rest for i, rest in labels.items() if rest}
            fused_from = row.provenance
            continue
        if not table_started and not _looks_like_program_row(cells):
            if len([c for c in cells if c]) > 1 and len(_label_anywhere(cells)) >= 2:
                _check_header(path, cells, header_labels(cells), row.provenance)
            title_lines.append(" ".join(c for c in cells if c))
            warnings.extend(cleaning)
            continue
        table_started = True
        row_warnings: list[ParseWarning] = cleaning
        padded = _seven_cells(cells, row.provenance, row_warnings)
        if fused and fused_from is not None:
            padded, fused_warning = _apply_fused(padded, fused, fused_from, row.provenance)
            row_warnings.extend(fused_warning)
            fused = {}
        rows.append(TableRow(padded, row.provenance, page_break, tuple(row_warnings), row.continues, had_markup))
        page_break = False
    if not seen_header:
        raise EditionReadError(
            f"{path}: no table header (各特別区名 … 事業開始年度) found; not an edition of 連携事業一覧"
        )
    as_of = _checked_as_of(path, title_lines, tokyo_today() if today is None else today)
    if not rows:
        raise EditionReadError(f"{path}: the table has a header but no program rows")
    title = next((display_text(line) for line in title_lines if TITLE_MARK in _label_key(line)), "")
    return Table(path, source.source_format, title or display_text(title_lines[0]), as_of, tuple(rows), tuple(warnings))


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


def _checked_as_of(path: str, title_lines: list[str], today: date) -> date:
    """The first as-of date printed before the table, refused when it is no date or beyond today + tolerance."""
    found: PrintedDate | None = next(filter(None, (find_as_of(line) for line in title_lines)), None)
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


def _check_header(path: str, cells: tuple[str, ...], labels: dict[int, str], provenance: Provenance) -> None:
    present = _label_anywhere(cells)
    missing = [label for label in HEADER_LABELS if label not in present]
    if missing:
        found, where = COLUMN_COUNT - len(missing), provenance.describe()
        raise EditionReadError(
            f"{path}: {where}: header has {found} of {COLUMN_COUNT} columns; missing {'、'.join(missing)}"
        )
    if len(labels) < COLUMN_COUNT:
        raise EditionReadError(
            f"{path}: {provenance.describe()}: header columns out of order; expected {' | '.join(HEADER_LABELS)}"
        )


def _seven_cells(cells: tuple[str, ...], provenance: Provenance, warnings: list[ParseWarning]) -> tuple[str, ...]:
    if len(cells) == COLUMN_COUNT:
        return cells
    if len(cells) == 1:  # a row that lost its tabs: the text belongs to the first column
        return cells + ("",) * (COLUMN_COUNT - 1)
    warnings.append(ParseWarning("malformed_row", f"row has {len(cells)} cells, expected {COLUMN_COUNT}", provenance))
    if len(cells) < COLUMN_COUNT:
        return cells + ("",) * (COLUMN_COUNT - len(cells))
    return (*cells[: COLUMN_COUNT - 1], " ".join(c for c in cells[COLUMN_COUNT - 1 :] if c))


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
