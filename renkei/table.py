"""Source rows → classified table rows: title, repeated page headers (in all their variants), data rows.

Every reader (text, PDF, XLSX) produces `SourceRow`s; this stage is shared so that the three formats are
assembled by the same rules. Headers repeat on every page, sometimes with wrap spaces ("各特別 区名") and
once fused with the first data row's category ("連携カテ ゴリ 産業").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from renkei.errors import EditionReadError
from renkei.normalise.eras import parse_as_of
from renkei.normalise.text import display_text
from renkei.records import ParseWarning, Provenance, SourceFormat

COLUMN_COUNT = 7
WARD_COLUMN, NAME_COLUMN = 0, 2
HEADER_LABELS = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
# A row is a header when at least this many cells carry their column's label.
_HEADER_MIN_LABELS = 4
TITLE_MARK = "連携事業一覧"
_SPACES = re.compile(r"[\s\u3000]+")


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
    `continues` a row under a merged cell of the row above (see SourceRow)."""

    cells: tuple[str, ...]
    provenance: Provenance
    page_break_before: bool = False
    warnings: tuple[ParseWarning, ...] = ()
    continues: bool = False


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


def classify_rows(source: SourceTable) -> Table:
    """Find the title, the as-of date and the header; return the data rows with page breaks marked.

    Raises EditionReadError naming the file when it holds no table of this kind.
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
        cells = tuple(c.strip() for c in row.cells)
        if not any(cells):
            continue
        if row.page is not None and last_page is not None and row.page != last_page:
            page_break = True
        last_page = row.page if row.page is not None else last_page
        labels = header_labels(cells)
        if len(labels) >= _HEADER_MIN_LABELS:
            if not seen_header:
                _check_header(path, cells, labels, row.provenance)
            seen_header = table_started = True
            page_break = True
            fused = {i: rest for i, rest in labels.items() if rest}
            fused_from = row.provenance
            continue
        if not table_started and not _looks_like_program_row(cells):
            if len([c for c in cells if c]) > 1 and len(_label_anywhere(cells)) >= 2:
                _check_header(path, cells, header_labels(cells), row.provenance)
            title_lines.append(" ".join(c for c in cells if c))
            continue
        table_started = True
        row_warnings: list[ParseWarning] = []
        padded = _seven_cells(cells, row.provenance, row_warnings)
        if fused and fused_from is not None:
            padded, fused_warning = _apply_fused(padded, fused, fused_from, row.provenance)
            row_warnings.extend(fused_warning)
            fused = {}
        rows.append(TableRow(padded, row.provenance, page_break, tuple(row_warnings), row.continues))
        page_break = False
    if not seen_header:
        raise EditionReadError(
            f"{path}: no table header (各特別区名 … 事業開始年度) found; not an edition of 連携事業一覧"
        )
    as_of = next((d for d in (parse_as_of(line) for line in title_lines) if d), None)
    if as_of is None:
        raise EditionReadError(f"{path}: no as-of date (…年…月…日現在) before the table")
    if not rows:
        raise EditionReadError(f"{path}: the table has a header but no program rows")
    title = next((display_text(line) for line in title_lines if TITLE_MARK in _label_key(line)), "")
    return Table(path, source.source_format, title or display_text(title_lines[0]), as_of, tuple(rows), tuple(warnings))


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
