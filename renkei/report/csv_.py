"""Change events as CSV for Excel (UTF-8 with BOM) and as JSON (the contract's objects)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from renkei.diff import ChangeEvent, event_to_dict, value_text
from renkei.report.labels import KIND_LABELS

CSV_COLUMNS = (
    "from", "to", "ward_code", "ward_name", "kind", "kind_label", "program_name", "program_name_key",
    "previous_name", "partner_code", "partner_name", "field", "old", "new", "confidence", "reason",
    "old_provenance", "new_provenance",
)  # fmt: skip


def _provenance(value) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(value.to_dict(), ensure_ascii=False) if value is not None else ""


def render_events_csv(events: Sequence[ChangeEvent]) -> str:
    """One row per event, columns CSV_COLUMNS; the caller writes it as UTF-8 with a BOM ("utf-8-sig")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(
            [
                event.from_edition.isoformat(),
                event.to_edition.isoformat(),
                event.ward.code,
                event.ward.name,
                event.kind,
                KIND_LABELS[event.kind],
                event.program.name if event.program else "",
                event.program.name_key if event.program else "",
                event.previous_name or "",
                (event.partner.code or "") if event.partner else "",
                event.partner.name if event.partner else "",
                event.field or "",
                value_text(event.old),
                value_text(event.new),
                "" if event.confidence is None else f"{event.confidence:.3f}",
                event.reason or "",
                _provenance(event.old_provenance),
                _provenance(event.new_provenance),
            ]
        )
    return buffer.getvalue()


def render_events_json(events: Sequence[ChangeEvent]) -> str:
    return json.dumps([event_to_dict(e) for e in events], ensure_ascii=False, indent=1) + "\n"
