"""Parse settings: one validated dataclass, defaults in module constants (like pdfplumber's TableSettings)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from renkei.errors import EditionReadError, SettingsError

# Caps on input, each 10–20× (or more) what the real 2026 edition needs, so that a file far too big is refused
# while it is read, before memory grows (a field probe: a 1,048,576-row XLSX took 756 s and 7.8 GB). What the
# 2026 edition has, measured on snapshots/bundled/2026-03-31-extracted.txt and its renderings (tests/render/):
# - file size: the text 0.3 MB, the publisher's PDF a few MB, an XLSX of an earlier year about 250 KB;
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000  # about 95 rendered like the publisher's
# - an XLSX rendering unpacks to 1.3–2.4 MB (openpyxl loads a workbook's shared strings whole: this bounds them);
DEFAULT_MAX_XLSX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
# - rows holding text: 1,870 lines of text; 3,411–3,550 rows as PDF or XLSX (one partner per row);
DEFAULT_MAX_ROWS = 40_000
# - programs: 842;
DEFAULT_MAX_PROGRAMS = 15_000
# - partners in one program: at most 172 (the next 95; half the programs have one);
DEFAULT_MAX_PARTNERS = 3_500
# - characters in a cell: at most 415 in the text, 687 in a PDF listing a program's partners in one cell.
DEFAULT_MAX_CELL_CHARS = 20_000
DEFAULT_WORKERS = 2
ENVIRONMENT = {
    "max_file_bytes": "RENKEI_MAX_FILE_BYTES",
    "max_pages": "RENKEI_MAX_PAGES",
    "max_xlsx_uncompressed_bytes": "RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES",
    "max_rows": "RENKEI_MAX_ROWS",
    "max_programs": "RENKEI_MAX_PROGRAMS",
    "max_partners": "RENKEI_MAX_PARTNERS",
    "max_cell_chars": "RENKEI_MAX_CELL_CHARS",
    "workers": "RENKEI_PDF_WORKERS",
}


@dataclass(frozen=True)
class ParseSettings:
    """Limits and knobs for reading an edition.

    max_file_bytes: refuse larger files. max_pages: refuse PDFs with more pages.
    max_xlsx_uncompressed_bytes: refuse XLSX whose parts expand beyond this (zip bombs).
    max_rows: refuse a file with more rows holding text (blank lines and empty sheet rows are not counted),
    counted while it is read. max_cell_chars: refuse a cell (or a text line of seven cells) longer than this,
    checked while reading. max_programs: refuse an edition with more programs. max_partners: refuse a program
    with more (distinct) partners. workers: processes for reading PDF pages (1 = in-process).
    Each can be set in the environment: the variable named in ENVIRONMENT (RENKEI_MAX_ROWS…).
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_xlsx_uncompressed_bytes: int = DEFAULT_MAX_XLSX_UNCOMPRESSED_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_programs: int = DEFAULT_MAX_PROGRAMS
    max_partners: int = DEFAULT_MAX_PARTNERS
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS
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

    def refusal(self, path: object, name: str, what: str, where: str) -> EditionReadError:
        """The one-line error for input past the cap `name`: the file, the cap, how to raise it, where it bit.

        Example: "big.txt: more than 40,000 rows (max_rows; RENKEI_MAX_ROWS); refused at line 40001".
        """
        return EditionReadError(
            f"{path}: more than {getattr(self, name):,} {what} ({name}; {ENVIRONMENT[name]}); refused at {where}"
        )
