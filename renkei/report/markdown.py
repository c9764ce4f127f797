"""Change events → Markdown (Japanese labels), grouped by ward and section."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from renkei.diff import ChangeEvent
from renkei.report.labels import FIELD_LABELS, SECTIONS


def _escape(text: str) -> str:
    """Markdown-safe inline text: no line breaks, table pipes and emphasis markers escaped."""
    out = text.replace("\\", "\\\\")
    for char in "*_`|[]<>#":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", " / ")


def event_line(event: ChangeEvent) -> str:
    """One bullet describing one event."""
    name = _escape(event.program.name) if event.program else ""
    partner = _escape(event.partner.name) if event.partner else ""
    if event.kind == "program_added":
        return f"- {name}"
    if event.kind == "program_removed":
        return f"- {name}"
    if event.kind == "program_renamed":
        return f"- {_escape(event.previous_name or '')} → {name}（{_escape(event.reason or '')}）"
    if event.kind in ("partner_added", "partner_removed"):
        sign = "＋" if event.kind == "partner_added" else "－"
        return f"- {name}: {sign} {partner}"
    if event.kind == "program_changed":
        label = FIELD_LABELS.get(event.field or "", event.field or "")
        return f"- {name}【{label}】 {_escape(str(event.old))} → {_escape(str(event.new))}"
    return f"- {partner}"


def render_changes_markdown(events: Sequence[ChangeEvent], *, title: str | None = None) -> str:
    """All events as one Markdown document: a heading per ward, a section per kind of change."""
    if not events:
        return f"# {title or '変更なし'}\n\n変更はありません。\n"
    first = events[0]
    heading = title or f"{first.from_edition.isoformat()} → {first.to_edition.isoformat()} の変更"
    lines = [f"# {heading}", ""]
    by_ward: dict[str, list[ChangeEvent]] = defaultdict(list)
    names: dict[str, str] = {}
    for event in events:
        by_ward[event.ward.code].append(event)
        names[event.ward.code] = event.ward.name
    for code in sorted(by_ward):
        lines += [f"## {names[code]}", ""]
        for section, kinds in SECTIONS:
            items = [e for e in by_ward[code] if e.kind in kinds]
            if items:
                lines += [f"### {section}（{len(items)}）", "", *(event_line(e) for e in items), ""]
    return "\n".join(lines).rstrip() + "\n"
