"""Parse settings: one validated dataclass, defaults in module constants (like pdfplumber's TableSettings)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_XLSX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
DEFAULT_WORKERS = 2


@dataclass(frozen=True)
class ParseSettings:
    """Limits and knobs for reading an edition.

    max_file_bytes: refuse larger files. max_pages: refuse PDFs with more pages.
    max_xlsx_uncompressed_bytes: refuse XLSX whose parts expand beyond this (zip bombs).
    workers: processes for reading PDF pages (1 = in-process).
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_xlsx_uncompressed_bytes: int = DEFAULT_MAX_XLSX_UNCOMPRESSED_BYTES
    workers: int = DEFAULT_WORKERS

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ParseSettings.{f.name} must be a positive integer, got {value!r}")

    @classmethod
    def resolve(cls, settings: ParseSettings | dict[str, Any] | None) -> ParseSettings:
        if settings is None:
            return cls()
        if isinstance(settings, ParseSettings):
            return settings
        unknown = set(settings) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown ParseSettings: {', '.join(sorted(unknown))}")
        return replace(cls(), **settings)
