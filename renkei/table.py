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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal

from renkei.errors import EditionReadError, SettingsError
from renkei.normalise.eras import PrintedDate, find_as_of
from renkei.normalise.text import clean_cell, describe_code_points, display_text
from renkei.records import ParseWarning, Provenance, SourceFormat, Ward

COLUMN_COUNT = 7
WARD_COLUMN, NAME_COLUMN, PARTNERS_COLUMN = 0, 2, 4
# The publisher's labels (2026 edition), in its column order: the order every data row leaves this stage in.
HEADER_LABELS = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
FIELD_NAMES = ("ward", "category", "name", "body", "partners", "content", "start")
TITLE_MARK = "連携事業一覧"
_SPACES = re.compile(r"[\s\u3000]+")

# -- header labels ---------------------------------------------------------------------------------------------
# The labels a compiler would plausibly give each of the seven columns, compared after NFKC with every space and
# line break removed (so "各特別 区名", "事業\n主体", "ｶﾃｺﾞﾘ" and "事業名称等" in full width all match). A label may
# carry a note in brackets or after ※ ("連携相手方（自治体名）"): the note is dropped before comparing. No label of
# one field contains a label of another (tests/test_headers.py checks it), so a longer label that contains one
# ("主な事業内容") is read by the longest label it contains: 事業名 never matches 事業内容 or 事業主体.
LABEL_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("各特別区名", "特別区名", "各区名", "区名", "特別区"),
    ("連携カテゴリ", "連携カテゴリー", "カテゴリ", "カテゴリー", "連携分野", "分野", "事業分野", "連携区分", "区分",
     "分類", "種別"),
    ("事業名称等", "事業名称", "事業名", "事業名等", "名称", "連携事業名", "連携事業名称", "取組名", "取組名称"),
    ("事業主体", "実施主体", "主体", "事業実施主体", "運営主体", "実施機関", "実施団体", "実施者", "主催", "主催者"),
    ("連携相手方", "連携相手", "連携相手先", "相手方", "相手先", "連携先", "連携自治体", "連携自治体名", "連携先自治体",
     "連携先自治体名", "連携相手自治体", "連携相手方自治体", "相手方自治体", "相手方自治体名", "相手自治体",
     "連携市町村", "連携団体"),
    ("事業内容", "事業内容等", "内容", "概要", "事業概要", "事業の概要", "事業の内容", "取組内容", "連携内容"),
    ("事業開始年度", "開始年度", "開始年", "開始時期", "開始", "事業開始年", "事業開始時期", "連携開始年度",
     "連携開始年", "連携開始時期"),
)  # fmt: skip
# A header row: at least this many of the seven fields recognised, the program's name and its partners among them
# (a table without either is not this table: a budget, a list of names). Four leaves room for a year's table that
# lacked a column or two, and is still more than any title or data row of the 2026 edition reaches (one or none).
HEADER_MIN_FIELDS = 4
HEADER_REQUIRED = (NAME_COLUMN, PARTNERS_COLUMN)
# A label contains a synonym only if it is this short: a data cell (a description, a program name) that happens
# to contain "内容" or "連携先" is no label.
MAX_LABEL_CHARS = 16
LOOKED_FOR = (
    f"looked for {HEADER_LABELS[0]} … {HEADER_LABELS[-1]}: {HEADER_MIN_FIELDS} of the {COLUMN_COUNT} columns, "
    f"{HEADER_LABELS[NAME_COLUMN]} and {HEADER_LABELS[PARTNERS_COLUMN]} among them"
)
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|※.*$")
_SYNONYM_FIELD: dict[str, int] = {
    synonym: index for index, synonyms in enumerate(LABEL_SYNONYMS) for synonym in synonyms
}


@dataclass(frozen=True)
class Label:
    """What a header cell names: a field (index into HEADER_LABELS), `exact` when the whole label is a synonym
    (else it contains one), and `rest`: text after the publisher's label in the same cell, a value fused into the
    header by text extraction (2026 edition: "連携カテ ゴリ 産業")."""

    field: int
    exact: bool = True
    rest: str = ""


def _label_key(cell: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", cell))


@lru_cache(maxsize=65536)
def match_label(cell: str, *, fused: bool = False) -> Label | None:
    """The field a header cell names, or None.

    The label (NFKC, spaces and line breaks removed, a bracketed or ※ note dropped) is first compared whole with
    every synonym; with `fused` (extracted text only), a cell starting with one of the publisher's own labels is
    that label plus a fused value; otherwise a short label containing synonyms names the field of the longest
    (two fields' synonyms equally long: None, ambiguous).
    """
    key = _label_key(cell)
    if not key:
        return None
    bare = _NOTE.sub("", key).strip(":：・")
    if bare in _SYNONYM_FIELD:
        return Label(_SYNONYM_FIELD[bare])
    if fused:
        for index, label in enumerate(HEADER_LABELS):
            if key.startswith(label):
                return Label(index, rest=key[len(label) :])
    if not bare or len(bare) > MAX_LABEL_CHARS:
        return None
    hits = [(len(synonym), index) for synonym, index in _SYNONYM_FIELD.items() if synonym in bare]
    if not hits:
        return None
    longest = max(length for length, _ in hits)
    fields = {index for length, index in hits if length == longest}
    return Label(fields.pop(), exact=False) if len(fields) == 1 else None


def label_of(cell: str) -> int | None:
    """The field (index into HEADER_LABELS) whose label `cell` is ("事業 主体" → 3, "実施主体" → 3), or None."""
    label = match_label(cell, fused=True)
    return None if label is None else label.field


@dataclass(frozen=True)
class Header:
    """A header row read: `columns[field]` is the cell index holding that field (None: no such column); `fused`
    the values fused into its labels by field; `ignored` the (index, text) of the cells read as no field: extra
    columns (No., 備考) or a second column for a field already found."""

    cells: tuple[str, ...]
    columns: tuple[int | None, ...]
    fused: tuple[tuple[int, str], ...] = ()
    ignored: tuple[tuple[int, str], ...] = ()

    @property
    def width(self) -> int:
        return len(self.cells)

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(f for f, column in enumerate(self.columns) if column is None)

    def seven(self, cells: Sequence[str]) -> tuple[str, ...]:
        """A row's cells in the publisher's order (a field without a column is empty)."""
        return tuple(cells[c] if c is not None and c < len(cells) else "" for c in self.columns)

    def agrees_with(self, other: Header) -> bool:
        """Whether every field this header places is where `other` has it: a page's repeat of the header."""
        return self.width == other.width and all(
            column is None or column == other.columns[f] for f, column in enumerate(self.columns)
        )


PUBLISHER_HEADER = Header(HEADER_LABELS, tuple(range(COLUMN_COUNT)))


def _recognised(cells: Sequence[str], fused: bool) -> dict[int, tuple[int, Label]]:
    """Field → (cell index, label) of a row's cells, one cell per field: an exact label before a contained one,
    then the leftmost."""
    found: dict[int, tuple[int, Label]] = {}
    for index, cell in enumerate(cells):
        label = match_label(cell, fused=fused) if cell else None
        if label is None:
            continue
        held = found.get(label.field)
        if held is None or (label.exact and not held[1].exact):
            found[label.field] = (index, label)
    return found


def find_header(cells: Sequence[str], *, fused: bool = False) -> Header | None:
    """The row as a header (see HEADER_MIN_FIELDS), or None; `fused`: values may be fused into the publisher's
    labels (extracted text)."""
    found = _recognised(cells, fused)
    if len(found) < HEADER_MIN_FIELDS or any(f not in found for f in HEADER_REQUIRED):
        return None
    columns = tuple(found[f][0] if f in found else None for f in range(COLUMN_COUNT))
    used = set(columns)
    return Header(
        cells=tuple(cells),
        columns=columns,
        fused=tuple((f, label.rest) for f, (_, label) in sorted(found.items()) if label.rest),
        ignored=tuple((i, c) for i, c in enumerate(cells) if c and i not in used),
    )


# -- refusing a file without a header ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A row that came closest to a header, for the refusal: where it is, its cells and the fields it names."""

    where: str
    cells: tuple[str, ...]
    fields: tuple[int, ...]

    def describe(self) -> str:
        shown = [c if len(c) <= 12 else c[:11] + "…" for c in (display_text(c) for c in self.cells if c)]
        text = ", ".join(shown[:6]) + (", …" if len(shown) > 6 else "")
        lacking = [FIELD_NAMES[f] for f in HEADER_REQUIRED if f not in self.fields]
        parts = [f"no {', '.join(lacking)} column{'s' if len(lacking) > 1 else ''}"] if lacking else []
        if self.fields and len(self.fields) < HEADER_MIN_FIELDS:
            named = ", ".join(FIELD_NAMES[f] for f in self.fields)
            parts.append(f"recognised {named} ({HEADER_MIN_FIELDS} needed)")
        return f"{self.where}: {text} — {'; '.join(parts)}"


def header_candidate(cells: Sequence[str], where: str) -> Candidate:
    return Candidate(where, tuple(cells), tuple(sorted(_recognised(cells, False))))


def closest_candidates(candidates: Iterable[Candidate], limit: int = 3) -> list[Candidate]:
    """The candidates naming the most fields (the first row seen when none names any), in reading order."""
    pool = list(candidates)
    naming = [c for c in pool if c.fields]
    if not naming:
        return pool[:1]
    best = sorted(naming, key=lambda c: -len(c.fields))[:limit]
    return [c for c in naming if c in best]


def no_header_error(path: object, candidates: Sequence[Candidate], subject: str, more: str = "") -> EditionReadError:
    """The one-line refusal of a file without a table header, naming the closest rows and what each lacks."""
    seen = "; ".join(c.describe() for c in candidates) or "no row holds text"
    return EditionReadError(f"{path}: {subject} ({LOOKED_FOR}); {seen}{more}; not an edition of 連携事業一覧")


# -- the ward of a table without a ward column -------------------------------------------------------------------
_NUMBERING = re.compile(r"^(?:No\.?)?\d+[.,、_\-)\]:]*")
_WRAPPING = str.maketrans("", "", "【】「」『』[]〔〕<>")


def ward_named(text: str) -> Ward | None:
    """The ward a sheet name or a title row names: "千代田区", "千代田", "01千代田区", "1.千代田区", "【港区】",
    "千代田区(令和5年度)", or a title starting with a ward's full name ("千代田区の連携事業"); else None."""
    from renkei.normalise.wards import all_wards, ward_from_cell

    key = _label_key(text).translate(_WRAPPING)
    key = _NUMBERING.sub("", _NOTE.sub("", key))
    if not key:
        return None
    ward = ward_from_cell(key)
    if ward is not None:
        return ward
    return next((w for w in all_wards() if key.startswith(w.name)), None)


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
    """Everything a reader found in one file, in reading order, and what the reader noticed (sheets skipped)."""

    path: str
    source_format: SourceFormat
    rows: tuple[SourceRow, ...]
    warnings: tuple[ParseWarning, ...] = ()


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
