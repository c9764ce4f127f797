"""Table rows → program entries.

An entry starts at a row that names a ward. Rows with empty left cells continue it (more partners and their
start years), and so do rows that lost their left cells (a partner or start years alone in the first
columns). Consecutive entries of one ward with the same program name and description are one entry (a long
partner list repeated over rows or pages); identical rows are one entry. Rows printed just before a page
header may belong to the entry after it: `orphans.py` weighs the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from renkei.errors import EditionReadError
from renkei.normalise.eras import parse_start_cell
from renkei.normalise.partners import CellPartners, read_partner_cell
from renkei.normalise.places import match_place, place_key
from renkei.normalise.text import display_text, merge_fragment, text_key
from renkei.normalise.wards import ward_from_cell
from renkei.records import ParseWarning, Provenance, Ward
from renkei.table import Table, TableRow

RowShape = Literal["start", "continuation", "lost_partner", "lost_years"]
_SENTENCE_END = ("。", "）", ")", "」", "』", ".", "！", "!")


@dataclass(frozen=True)
class AssemblyRow:
    """A table row with its role: the first row of an entry, a continuation, or a row that lost its left cells."""

    row: TableRow
    shape: RowShape
    ward: Ward | None
    category: str
    name: str
    body: str
    partner_cell: str
    content: str
    start_cell: str

    @property
    def provenance(self) -> Provenance:
        return self.row.provenance

    @property
    def page_break_before(self) -> bool:
        return self.row.page_break_before

    @cached_property
    def partners(self) -> CellPartners:
        return read_partner_cell(self.partner_cell)

    @property
    def shape_key(self) -> tuple[str, ...]:
        """Which cells the row fills (and one partner or several): a change marks where a new block may begin."""
        if self.shape in ("lost_partner", "lost_years"):
            return (self.shape,)
        filled = ("category", "name", "body", "partners", "content", "start")
        values = (self.category, self.name, self.body, self.partner_cell, self.content, self.start_cell)
        shape = tuple(label for label, value in zip(filled, values, strict=True) if value)
        return (*shape, "several") if self.partners.token_count > 1 else shape


def classify_row(row: TableRow, path: str) -> AssemblyRow:
    """Give a data row its shape (see AssemblyRow)."""
    ward_cell, category, name, body, partners, content, start = row.cells
    if ward_cell:
        ward = ward_from_cell(ward_cell)
        if ward is not None and any((category, name, body, partners, content, start)):
            return AssemblyRow(row, "start", ward, category, name, body, partners, content, start)
        if any((name, body, partners, content)):
            raise EditionReadError(f"{path}: {row.provenance.describe()}: unknown ward {ward_cell!r} in 各特別区名")
        if _reads_as_start_years(ward_cell):
            return AssemblyRow(row, "lost_years", None, "", "", "", "", "", ward_cell)
        # A partner alone in column 1, maybe with its start year in column 2 (2026 edition, line 345).
        start_cell = category if _reads_as_start_years(category) else ""
        extra = "" if start_cell or not category else category
        return AssemblyRow(
            row, "lost_partner", None, "", "", "", ward_cell, "", " ".join(filter(None, (start_cell, extra)))
        )
    return AssemblyRow(row, "continuation", None, category, name, body, partners, content, start)


def _reads_as_start_years(text: str) -> bool:
    if not text or match_place(place_key(text)):
        return False
    cell = parse_start_cell(text)
    return bool(cell.items) or cell.cut


@dataclass
class Entry:
    """Rows of one program entry, in document order, and what assembling them noticed."""

    rows: list[AssemblyRow]
    warnings: list[ParseWarning] = field(default_factory=list)
    leading: int = 0  # rows moved here from before the previous page header (orphans), which open the entry

    @property
    def ward(self) -> Ward:
        for row in self.rows:
            if row.ward is not None:
                return row.ward
        raise AssertionError("an entry always has a start row")

    @property
    def start_rows(self) -> list[AssemblyRow]:
        return [r for r in self.rows if r.shape == "start"]

    @property
    def category(self) -> str:
        return next((display_text(r.category) for r in self.start_rows if r.category), "") or next(
            (display_text(r.category) for r in self.rows if r.category), ""
        )

    @property
    def name(self) -> str:
        return self._joined("name", cut_join=True)

    @property
    def body(self) -> str:
        return self._joined("body")

    @property
    def content(self) -> str:
        return self._joined("content")

    @property
    def key(self) -> tuple[str, str, str]:
        """(ward, name key, description key): consecutive entries with the same key are one entry."""
        return (self.ward.code, text_key(self.name), text_key(self.content))

    @property
    def provenance(self) -> Provenance:
        result = Provenance()
        for row in self.rows:
            result = result.merged(row.provenance)
        return result

    def _joined(self, attribute: str, *, cut_join: bool = False) -> str:
        text = ""
        for index, row in enumerate(self.rows):
            fragment = display_text(getattr(row, attribute))
            if not fragment:
                continue
            opening = index < self.leading or (index == self.leading and self.leading > 0)
            separator = "" if cut_join or (opening and text and not text.endswith(_SENTENCE_END)) else "\n"
            text = merge_fragment(text, fragment, separator=separator)
        return text


def rows_to_entries(table: Table) -> list[Entry]:
    """Assemble the data rows of a table into entries (see the module docstring)."""
    from renkei.orphans import resolve_orphans

    rows = [classify_row(r, table.path) for r in table.rows]
    entries: list[Entry] = []
    pending: list[AssemblyRow] = []
    for row in rows:
        if row.shape == "start":
            entry = Entry(rows=[*pending, row], leading=len(pending))
            if pending:
                entry.warnings.append(
                    ParseWarning(
                        "orphan_attached",
                        "rows before the first program row attached to it",
                        _provenance(pending),
                    )
                )
            pending = []
            entries.append(entry)
        elif entries:
            entries[-1].rows.append(row)
        else:
            pending.append(row)
    if not entries:
        raise EditionReadError(f"{table.path}: no row names a ward (各特別区名); not an edition of 連携事業一覧")
    resolve_orphans(entries)
    return merge_repeated(entries)


def merge_repeated(entries: list[Entry]) -> list[Entry]:
    """Join consecutive entries of one ward with the same name and description (identical rows noted)."""
    merged: list[Entry] = []
    for entry in entries:
        previous = merged[-1] if merged else None
        if previous is not None and previous.key == entry.key:
            duplicates = [r for r in entry.start_rows if any(_same_cells(r, p) for p in previous.start_rows)]
            if duplicates:
                previous.warnings.append(
                    ParseWarning(
                        "duplicate_row_merged",
                        f"identical row of {previous.name!r} merged",
                        _provenance(duplicates).merged(previous.start_rows[0].provenance),
                    )
                )
            previous.rows.extend(entry.rows)
            previous.warnings.extend(entry.warnings)
            continue
        merged.append(entry)
    return merged


def _same_cells(a: AssemblyRow, b: AssemblyRow) -> bool:
    return [text_key(c) for c in a.row.cells] == [text_key(c) for c in b.row.cells]


def _provenance(rows: list[AssemblyRow]) -> Provenance:
    result = Provenance()
    for row in rows:
        result = result.merged(row.provenance)
    return result
