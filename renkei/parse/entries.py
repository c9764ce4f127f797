"""The rows and entries the assembly works on, shared by `assemble` and `orphans` (which weighs rows printed
before a page header): a row as classified by its shape, and an entry as the rows of one program."""

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
from renkei.parse.table import TableRow
from renkei.records import ParseWarning, Provenance, Ward

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
