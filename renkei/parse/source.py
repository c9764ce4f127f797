"""What a reader produces: source rows (cells and where they are) and the source table of one file."""

from __future__ import annotations

from dataclasses import dataclass

from renkei.records import ParseWarning, Provenance, SourceFormat


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
