"""Extracted-text editions: one table row per line, cells separated by TAB, in UTF-8 or Shift_JIS/CP932.

The file is streamed a chunk at a time and split into lines as it comes, so the row and cell caps refuse a file
far too big (or one line of 50 MB) after reading no more than the caps allow, never the whole file.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from renkei.errors import EditionReadError
from renkei.parse.header import COLUMN_COUNT
from renkei.parse.read.limits import RowCount, cell_refusal, check_cells
from renkei.parse.source import SourceRow, SourceTable
from renkei.records import Provenance
from renkei.settings import ENVIRONMENT, ParseSettings

# Tried in order, each over the whole file; UTF-8 first because a valid UTF-8 Japanese text is almost never
# valid CP932 as well.
_ENCODINGS = ("utf-8", "cp932", "euc_jp")
_CHUNK_BYTES = 1 << 20
# What str.splitlines() ends a line at (besides "\r\n"): the lines are numbered as splitlines numbers them.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


class _UndecodableError(Exception):
    """The file is not valid in the encoding being tried; `offset` is the first bad byte."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def text_to_rows(text: str) -> tuple[SourceRow, ...]:
    """One `SourceRow` per line, cells split at TAB, with its 1-based line number."""
    return tuple(
        SourceRow(cells=tuple(line.split("\t")), provenance=Provenance(lines=(number,)))
        for number, line in enumerate(text.splitlines(), start=1)
    )


def read_text(path: Path, settings: ParseSettings) -> SourceTable:
    """The rows holding text of an edition file: UTF-8 with or without BOM, UTF-16 with BOM, CP932 (Shift_JIS)
    or EUC-JP. Blank lines are skipped (every later stage skips them); line numbers count them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(codecs.BOM_UTF8))
    except OSError as exc:
        raise EditionReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            rows = _stream_rows(path, settings, "utf-16", skip=0, binary_check=False)
        except _UndecodableError as exc:
            raise EditionReadError(f"{path}: invalid UTF-16 text at byte {exc.offset}") from None
        return _table(path, rows)
    skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    for encoding in _ENCODINGS:
        try:
            rows = _stream_rows(path, settings, encoding, skip=skip, binary_check=True)
        except _UndecodableError:
            continue
        return _table(path, rows)
    raise EditionReadError(f"{path}: not readable as text (tried UTF-8, Shift_JIS/CP932, EUC-JP)")


def _table(path: Path, rows: tuple[SourceRow, ...]) -> SourceTable:
    if not rows:
        raise EditionReadError(f"{path}: file is empty")
    return SourceTable(path=str(path), source_format="text", rows=rows)


def _stream_rows(
    path: Path, settings: ParseSettings, encoding: str, *, skip: int, binary_check: bool
) -> tuple[SourceRow, ...]:
    """Decode the file chunk by chunk in `encoding`, refusing it at the first cap it passes.

    Raises _UndecodableError when a byte is invalid in `encoding` (the caller tries the next one).
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    count = RowCount(path, settings)
    line_cap = COLUMN_COUNT * (settings.max_cell_chars + 1)
    rows: list[SourceRow] = []
    number = 0
    pending = ""  # the start of a line whose end is in the next chunk
    fed = skip  # bytes given to the decoder so far
    try:
        with path.open("rb") as handle:
            handle.seek(skip)
            while True:
                chunk = handle.read(_CHUNK_BYTES)
                final = not chunk
                if binary_check and b"\x00" in chunk:
                    raise EditionReadError(f"{path}: binary data (NUL bytes); not a text, PDF or XLSX edition")
                held = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(chunk, final)
                except UnicodeDecodeError as exc:
                    raise _UndecodableError(fed - held + exc.start) from None
                fed += len(chunk)
                # The last piece may go on in the next chunk (even a lone "\r" may be half of "\r\n"): held back.
                pieces = (pending + text).splitlines(keepends=True)
                pending = "" if final or not pieces else pieces.pop()
                for piece in pieces:
                    number += 1
                    line = piece[:-2] if piece.endswith("\r\n") else piece[:-1] if piece[-1] in _LINE_BREAKS else piece
                    if len(line) > line_cap:
                        raise _long_line(path, settings, line, number)
                    if not line or line.isspace():
                        continue
                    cells = line.split("\t")
                    provenance = Provenance(lines=(number,))
                    check_cells(path, settings, cells, provenance)
                    count.add(provenance)
                    rows.append(SourceRow(cells=tuple(cells), provenance=provenance))
                if len(pending) > line_cap:  # one line longer than any seven cells: refused before it ends
                    raise _long_line(path, settings, pending, number + 1)
                if final:
                    return tuple(rows)
    except OSError as exc:
        raise EditionReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _long_line(path: Path, settings: ParseSettings, line: str, number: int) -> EditionReadError:
    """A line longer than seven cells at the cap: a cell over the cap, or (many small cells) the line itself."""
    cap = settings.max_cell_chars
    line_cap = COLUMN_COUNT * (cap + 1)
    for index, cell in enumerate(line[: line_cap + 1].split("\t")):
        if len(cell) > cap:
            return cell_refusal(path, settings, f"line {number}, column {index + 1}")
    return EditionReadError(
        f"{path}: more than {line_cap:,} characters in a line ({COLUMN_COUNT} cells of max_cell_chars; "
        f"{ENVIRONMENT['max_cell_chars']}); refused at line {number}"
    )
