"""Extracted-text editions: one table row per line, cells separated by TAB, in UTF-8 or Shift_JIS/CP932."""

from __future__ import annotations

import codecs
from pathlib import Path

from renkei.errors import EditionReadError
from renkei.records import Provenance
from renkei.settings import ParseSettings
from renkei.table import SourceRow, SourceTable

# Tried in order; UTF-8 first because a valid UTF-8 Japanese text is almost never valid CP932 as well.
_ENCODINGS = ("utf-8", "cp932", "euc_jp")


def decode_text(data: bytes, path: Path) -> str:
    """Decode an edition's bytes: UTF-8 with or without BOM, UTF-16 with BOM, CP932 (Shift_JIS) or EUC-JP."""
    if not data.strip():
        raise EditionReadError(f"{path}: file is empty")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise EditionReadError(f"{path}: invalid UTF-16 text at byte {exc.start}") from exc
    if b"\x00" in data:
        raise EditionReadError(f"{path}: binary data (NUL bytes); not a text, PDF or XLSX edition")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise EditionReadError(f"{path}: not readable as text (tried UTF-8, Shift_JIS/CP932, EUC-JP)")


def text_to_rows(text: str) -> tuple[SourceRow, ...]:
    """One `SourceRow` per line, cells split at TAB, with its 1-based line number."""
    return tuple(
        SourceRow(cells=tuple(line.split("\t")), provenance=Provenance(lines=(number,)))
        for number, line in enumerate(text.splitlines(), start=1)
    )


def read_text(path: Path, settings: ParseSettings) -> SourceTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EditionReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return SourceTable(path=str(path), source_format="text", rows=text_to_rows(decode_text(data, path)))
