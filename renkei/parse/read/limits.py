"""Caps a reader checks while it streams (rows kept, characters in a cell), so that a file far too big is
refused before it fills memory. The caps are `ParseSettings` fields; the messages come from
`ParseSettings.refusal`, the same for every format."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from renkei.errors import EditionReadError
from renkei.records import Provenance
from renkei.settings import ParseSettings


class RowCount:
    """Counts the rows a reader keeps and refuses the first one past `max_rows`."""

    def __init__(self, path: object, settings: ParseSettings) -> None:
        self.path, self.settings, self.count = path, settings, 0

    def add(self, where: Provenance) -> None:
        self.count += 1
        if self.count > self.settings.max_rows:
            raise self.settings.refusal(self.path, "max_rows", "rows", where.describe())


def check_cells(
    path: object,
    settings: ParseSettings,
    cells: Sequence[str],
    where: Provenance,
    column: Callable[[int], str] = lambda index: str(index + 1),
) -> None:
    """Refuse a row with a cell longer than `max_cell_chars`; `column(i)` names the i-th cell's column."""
    cap = settings.max_cell_chars
    for index, cell in enumerate(cells):
        if len(cell) > cap:
            raise cell_refusal(path, settings, f"{where.describe()}, column {column(index)}")


def cell_refusal(path: object, settings: ParseSettings, where: str) -> EditionReadError:
    return settings.refusal(path, "max_cell_chars", "characters in a cell", where)
