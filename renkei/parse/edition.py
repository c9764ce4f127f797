"""The whole parse of one edition file: read → classify rows → assemble entries → records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from renkei.parse.assemble import rows_to_entries
from renkei.parse.build import Limits, entries_to_records
from renkei.parse.read import read_source
from renkei.parse.table import SourceTable, classify_rows
from renkei.records import Edition
from renkei.settings import ParseSettings

# Bump when the records a file parses to may change: caches keyed by (content hash, parser version) and the
# `parser_version` stored with each edition tell which editions were read by an older parser.
PARSER_VERSION = "2026.12.3"


def read_edition(
    path: Path | str, settings: ParseSettings | None = None, progress: Callable[[int, int], None] | None = None
) -> Edition:
    """Parse one edition file (text, PDF or XLSX, detected from its content) into records.

    Raises EditionReadError, naming the file and the problem, when it is not a readable edition.
    """
    settings = ParseSettings.resolve(settings)
    return table_to_edition(read_source(Path(path), settings, progress), settings)


def edition_from_text(text: str, source: str = "<text>") -> Edition:
    """Parse an extracted-text edition held in memory."""
    from renkei.parse.read.text import text_to_rows

    return table_to_edition(SourceTable(path=source, source_format="text", rows=text_to_rows(text)))


def table_to_edition(source: SourceTable, settings: ParseSettings | None = None) -> Edition:
    """The shared stages after reading: classify rows, assemble entries, build records.

    Raises EditionReadError when the edition has more programs, or a program more partners, than the
    settings allow (the readers have already held it to their row and cell caps).
    """
    settings = ParseSettings.resolve(settings)
    table = classify_rows(source)
    entries = rows_to_entries(table)
    records = entries_to_records(entries, table.as_of, limits=Limits(source.path, settings))
    warnings = list(table.warnings)
    for record in records:
        warnings.extend(record.warnings)
    return Edition(
        as_of=table.as_of,
        title=table.title,
        source_format=table.source_format,
        records=records,
        warnings=tuple(warnings),
    )
