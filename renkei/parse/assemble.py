"""Table rows → program entries.

An entry starts at a row that names a ward. Rows with empty left cells continue it (more partners and their
start years), and so do rows that lost their left cells (a partner or start years alone in the first
columns). Consecutive entries of one ward with the same program name and description are one entry (a long
partner list repeated over rows or pages); identical rows are one entry. Rows printed just before a page
header may belong to the entry after it: `orphans.py` weighs the evidence.
"""

from __future__ import annotations

from renkei.errors import EditionReadError
from renkei.normalise.text import text_key
from renkei.parse.entries import AssemblyRow, Entry, classify_row
from renkei.parse.orphans import resolve_orphans
from renkei.parse.table import Table
from renkei.records import ParseWarning, Provenance


def rows_to_entries(table: Table) -> list[Entry]:
    """Assemble the data rows of a table into entries (see the module docstring)."""

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
