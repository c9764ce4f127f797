"""Parse settings: one validated dataclass, defaults in module constants (like pdfplumber's TableSettings)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from renkei.errors import SettingsError

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_XLSX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
DEFAULT_WORKERS = 2
ENVIRONMENT = {
    "max_file_bytes": "RENKEI_MAX_FILE_BYTES",
    "max_pages": "RENKEI_MAX_PAGES",
    "max_xlsx_uncompressed_bytes": "RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES",
    "workers": "RENKEI_PDF_WORKERS",
}


@dataclass(frozen=True)
class ParseSettings:
    """Limits and knobs for reading an edition.

    max_file_bytes: refuse larger files. max_pages: refuse PDFs with more pages.
    max_xlsx_uncompressed_bytes: refuse XLSX whose parts expand beyond this (zip bombs).
    workers: processes for reading PDF pages (1 = in-process).
    Each can be set in the environment: RENKEI_MAX_FILE_BYTES, RENKEI_MAX_PAGES,
    RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES, RENKEI_PDF_WORKERS.
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
    def from_env(cls) -> ParseSettings:
        """The defaults, overridden by the RENKEI_* variables that are set (a bad value raises SettingsError)."""
        values: dict[str, int] = {}
        for name, variable in ENVIRONMENT.items():
            raw = os.environ.get(variable)
            if raw:
                try:
                    values[name] = int(raw.replace("_", ""))
                except ValueError:
                    raise SettingsError(f"{variable}={raw!r} is not a whole number") from None
        try:
            return replace(cls(), **values)
        except ValueError as exc:
            raise SettingsError(f"{exc} (from the environment)") from None

    @classmethod
    def resolve(cls, settings: ParseSettings | dict[str, Any] | None) -> ParseSettings:
        if settings is None:
            return cls.from_env()
        if isinstance(settings, ParseSettings):
            return settings
        unknown = set(settings) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown ParseSettings: {', '.join(sorted(unknown))}")
        return replace(cls(), **settings)
