"""XLSX editions via openpyxl, after checking the zip container (a zip bomb is refused before unpacking)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from renkei.errors import EditionReadError
from renkei.settings import ParseSettings
from renkei.table import SourceTable


def check_container(path: Path, settings: ParseSettings) -> None:
    """Refuse what is not an XLSX workbook, or what would expand beyond the configured size."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise EditionReadError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    if "xl/workbook.xml" not in names:
        raise EditionReadError(f"{path}: a zip file but not an XLSX workbook (no xl/workbook.xml)")
    if expanded > settings.max_xlsx_uncompressed_bytes:
        raise EditionReadError(
            f"{path}: XLSX expands to {expanded:,} bytes, over the limit of "
            f"{settings.max_xlsx_uncompressed_bytes:,} (max_xlsx_uncompressed_bytes)"
        )


def read_xlsx(path: Path, settings: ParseSettings) -> SourceTable:
    check_container(path, settings)
    raise EditionReadError(f"{path}: reading the table of an XLSX edition is not available in this version")
