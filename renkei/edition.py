"""The whole parse of one edition file: read → classify rows → assemble entries → records."""

from __future__ import annotations

from pathlib import Path

from renkei.assemble import rows_to_entries
from renkei.build import entries_to_records
from renkei.read import read_source
from renkei.records import Edition
from renkei.settings import ParseSettings
from renkei.table import classify_rows


def read_edition(path: Path | str, settings: ParseSettings | None = None) -> Edition:
    """Parse one edition file (text, PDF or XLSX, detected from its content) into records.

    Raises EditionReadError, naming the file and the problem, when it is not a readable edition.
    """
    path = Path(path)
    table = classify_rows(read_source(path, settings))
    records = entries_to_records(rows_to_entries(table), table.as_of)
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
