"""Readers: one edition file (extracted text, PDF or XLSX, told apart by content) → `SourceTable`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from renkei.errors import EditionReadError
from renkei.parse.read.sniff import sniff_format
from renkei.parse.source import SourceTable
from renkei.settings import ParseSettings


def read_source(
    path: Path, settings: ParseSettings | None = None, progress: Callable[[int, int], None] | None = None
) -> SourceTable:
    """Read the rows of one edition file, whatever its format; `progress(done, total)` follows PDF pages."""
    settings = ParseSettings.resolve(settings)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EditionReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if path.is_dir():
        raise EditionReadError(f"{path}: is a directory, not an edition file")
    if size > settings.max_file_bytes:
        raise EditionReadError(
            f"{path}: {size:,} bytes exceeds the limit of {settings.max_file_bytes:,} "
            "(max_file_bytes; RENKEI_MAX_FILE_BYTES)"
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise EditionReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    source_format = sniff_format(head)
    if source_format == "pdf":
        from renkei.parse.read.pdf import read_pdf

        return read_pdf(path, settings, progress)
    if source_format == "xlsx":
        from renkei.parse.read.xlsx import read_xlsx

        return read_xlsx(path, settings)
    from renkei.parse.read.text import read_text

    return read_text(path, settings)
