"""Change events as CSV for Excel (UTF-8 with BOM, one file per group of kinds) and as JSON (the contract's objects).

Every CSV cell goes through `neutralise`: a cell a spreadsheet would evaluate (one that starts with = + - @,
a tab or a carriage return; OWASP "CSV Injection") gets a leading single quote, so it is read as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from renkei.diff import ChangeEvent, event_to_dict, value_text
from renkei.records import Provenance
from renkei.report.labels import FIELD_LABELS, KIND_LABELS

# Characters that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_CHOICES = ("ja", "en")

# One file per group of kinds, so every column of a file means something on every row.
CSV_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "changes_programs.csv": (
        ("program_added", "program_removed", "program_renamed", "program_changed"),
        ("from", "to", "ward_code", "ward_name", "kind", "kind_label", "program_name", "program_name_key",
         "previous_name", "field", "field_label", "old", "new", "confidence", "reason", "old_source", "new_source"),
    ),
    "changes_partners.csv": (
        ("partner_added", "partner_removed"),
        ("from", "to", "ward_code", "ward_name", "kind", "kind_label", "program_name", "program_name_key",
         "partner_code", "partner_name", "confidence", "reason", "old_source", "new_source"),
    ),
    "changes_municipalities.csv": (
        ("municipality_linked", "municipality_unlinked"),
        ("from", "to", "ward_code", "ward_name", "kind", "kind_label", "partner_code", "partner_name"),
    ),
}  # fmt: skip
JA_HEADERS: dict[str, str] = {
    "from": "比較元の版",
    "to": "比較先の版",
    "ward_code": "区コード",
    "ward_name": "区名",
    "kind": "変更の種類（コード）",
    "kind_label": "変更の種類",
    "program_name": "事業名",
    "program_name_key": "事業名（照合キー）",
    "previous_name": "旧事業名",
    "field": "項目（コード）",
    "field_label": "項目",
    "old": "変更前",
    "new": "変更後",
    "partner_code": "団体コード",
    "partner_name": "連携自治体等",
    "confidence": "照合の確からしさ",
    "reason": "照合の理由",
    "old_source": "出典（変更前）",
    "new_source": "出典（変更後）",
}


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet reads it as text: a leading = + - @ tab or CR/LF gets a single quote before it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def header_row(columns: Sequence[str], headers: str, labels: dict[str, str]) -> list[str]:
    """Column names: Japanese labels (`ja`, for people) or the stable English keys (`en`, for scripts)."""
    if headers not in HEADER_CHOICES:
        raise ValueError(f"headers must be one of {', '.join(HEADER_CHOICES)}, not {headers!r}")
    return [labels[c] if headers == "ja" else c for c in columns]


def write_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text (CRLF) with every cell neutralised; the caller writes it as UTF-8 with a BOM ("utf-8-sig")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def provenance_text(value: Provenance | None) -> str:
    """Where a record came from, readable: "行 18", "p.3 行 5", "シート 連携事業一覧 行 17" ("" when unknown)."""
    if value is None:
        return ""
    if value.lines:
        return f"行 {_spans(value.lines)}"
    if value.pages:
        return f"p.{_spans(value.pages)} 行 {_spans(value.rows)}" if value.rows else f"p.{_spans(value.pages)}"
    if value.sheet is not None:
        return f"シート {value.sheet} 行 {_spans(value.rows)}" if value.rows else f"シート {value.sheet}"
    return ""


def _spans(numbers: Sequence[int]) -> str:
    runs: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        runs.append(str(start) if start == previous else f"{start}–{previous}")
        if number is not None:
            start = previous = number
    return "、".join(runs)


def _cells(event: ChangeEvent) -> dict[str, str]:
    return {
        "from": event.from_edition.isoformat(),
        "to": event.to_edition.isoformat(),
        "ward_code": event.ward.code,
        "ward_name": event.ward.name,
        "kind": event.kind,
        "kind_label": KIND_LABELS[event.kind],
        "program_name": event.program.name if event.program else "",
        "program_name_key": event.program.name_key if event.program else "",
        "previous_name": event.previous_name or "",
        "field": event.field or "",
        "field_label": FIELD_LABELS.get(event.field, event.field) if event.field else "",
        "old": value_text(event.old),
        "new": value_text(event.new),
        "partner_code": (event.partner.code or "") if event.partner else "",
        "partner_name": event.partner.name if event.partner else "",
        "confidence": "" if event.confidence is None else f"{event.confidence:.3f}",
        "reason": event.reason or "",
        "old_source": provenance_text(event.old_provenance),
        "new_source": provenance_text(event.new_provenance),
    }


def render_events_csvs(events: Sequence[ChangeEvent], headers: str = "ja") -> dict[str, str]:
    """The CSV files of CSV_FILES by name, each with the events of its kinds in the given order."""
    files: dict[str, str] = {}
    for name, (kinds, columns) in CSV_FILES.items():
        rows = [[cells[c] for c in columns] for cells in (_cells(e) for e in events if e.kind in kinds)]
        files[name] = write_csv(header_row(columns, headers, JA_HEADERS), rows)
    return files


def render_events_json(events: Sequence[ChangeEvent]) -> str:
    return json.dumps([event_to_dict(e) for e in events], ensure_ascii=False, indent=1) + "\n"
