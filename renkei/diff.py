"""What changed between two chronologically adjacent editions: typed change events, no rendering, no I/O.

Fields are compared on their normalised forms (deepdiff over NFKC keys without spaces, start years as a
set), so differences only in spaces, full/half width, line wrapping, row order, page breaks or how a
partner list is split over rows produce no event; partners are compared as places (by code; by normalised
text when there is none), so a misprint that resolves to the same place produces none either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from deepdiff import DeepDiff

from renkei.match import Match, match_editions
from renkei.normalise.text import text_key
from renkei.records import Partner, Provenance, Record, Ward

EVENT_KINDS = (
    "program_added",
    "program_removed",
    "program_renamed",
    "program_changed",
    "partner_added",
    "partner_removed",
    "municipality_linked",
    "municipality_unlinked",
)
# `category_tags`, not the raw `category`: a new spelling of the same categories is no change (contracts,
# December 2026 extensions).
CHANGED_FIELDS = ("category_tags", "body", "content", "start")


@dataclass(frozen=True)
class ProgramRef:
    name: str
    name_key: str


@dataclass(frozen=True)
class PlaceRef:
    code: str | None
    name: str


@dataclass(frozen=True)
class ChangeEvent:
    """One change (see contracts: change events). `old_index`/`new_index` point into the two editions."""

    from_edition: date
    to_edition: date
    ward: Ward
    kind: str
    program: ProgramRef | None = None
    partner: PlaceRef | None = None
    previous_name: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None
    confidence: float | None = None
    reason: str | None = None
    old_index: int | None = None
    new_index: int | None = None
    old_provenance: Provenance | None = None
    new_provenance: Provenance | None = None


def diff_editions(
    old: Sequence[Record], new: Sequence[Record], matches: Sequence[Match] | None = None
) -> list[ChangeEvent]:
    """Every change from `old` to `new` (matched with `match_editions` unless `matches` are given)."""
    if matches is None:
        matches = match_editions(old, new)
    if not new and not old:
        return []
    from_date = old[0].edition if old else new[0].edition
    to_date = new[0].edition if new else old[0].edition
    events: list[ChangeEvent] = []
    matched_old = {m.old for m in matches}
    matched_new = {m.new for m in matches}
    for index, record in enumerate(new):
        if index not in matched_new:
            events.append(_program_event("program_added", record, from_date, to_date, new_index=index))
    for index, record in enumerate(old):
        if index not in matched_old:
            events.append(_program_event("program_removed", record, from_date, to_date, old_index=index))
    for match in matches:
        events.extend(_matched_events(old[match.old], new[match.new], match, from_date, to_date))
    events.extend(_ward_events(old, new, from_date, to_date))
    order = {kind: i for i, kind in enumerate(EVENT_KINDS)}
    return sorted(
        events,
        key=lambda e: (
            e.ward.code,
            e.new_index if e.new_index is not None else (e.old_index if e.old_index is not None else 10**6),
            order[e.kind],
            e.field or "",
            (e.partner.code or e.partner.name) if e.partner else "",
        ),
    )


def _program_event(kind: str, record: Record, from_date: date, to_date: date, **where: int) -> ChangeEvent:
    return ChangeEvent(
        from_edition=from_date,
        to_edition=to_date,
        ward=record.ward,
        kind=kind,
        program=ProgramRef(record.name, record.name_key),
        old_provenance=record.provenance if "old_index" in where else None,
        new_provenance=record.provenance if "new_index" in where else None,
        **where,
    )


def normalised_fields(record: Record, *, without_years_of: Sequence[Partner] = ()) -> dict[str, Any]:
    """The fields compared for `program_changed`, in the form where only real differences remain.

    Start years brought or taken by partners that joined or left (a partner row with its own year) are left
    out: that change is reported once, as the partner's.
    """
    years = set(record.start.fiscal_years)
    leaving = {p.identity for p in without_years_of}
    brought = {p.start_fiscal_year for p in without_years_of if p.start_fiscal_year is not None}
    kept = {p.start_fiscal_year for p in record.partners if p.identity not in leaving}
    years -= brought - kept
    return {
        "category_tags": list(record.category_tags),
        "body": text_key(record.body),
        "content": text_key(record.content),
        "start": sorted(years),
    }


def value_text(value: Any) -> str:
    """An event's old or new value as text: category tags joined with ・, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "・".join(str(v) for v in value)
    return str(value)


def display_field(record: Record, field: str) -> Any:
    if field == "start":
        return record.start.text
    if field == "category_tags":
        return list(record.category_tags)
    return getattr(record, field)


def _matched_events(old: Record, new: Record, match: Match, from_date: date, to_date: date) -> list[ChangeEvent]:
    common = {
        "from_edition": from_date,
        "to_edition": to_date,
        "ward": new.ward,
        "program": ProgramRef(new.name, new.name_key),
        "confidence": match.confidence,
        "reason": match.reason,
        "old_index": match.old,
        "new_index": match.new,
        "old_provenance": old.provenance,
        "new_provenance": new.provenance,
    }
    events: list[ChangeEvent] = []
    if old.name_key != new.name_key:
        events.append(ChangeEvent(kind="program_renamed", previous_name=old.name, **common))
    old_places = _place_map(old.partners)
    new_places = _place_map(new.partners)
    left = [p for identity, p in old_places.items() if identity not in new_places]
    joined = [p for identity, p in new_places.items() if identity not in old_places]
    before = normalised_fields(old, without_years_of=left)
    after = normalised_fields(new, without_years_of=joined)
    changed: set[str] = set()
    if before != after:  # DeepDiff only where something differs: it is the slow part of a diff
        changed = {str(path) for path in DeepDiff(before, after, ignore_order=True).affected_root_keys}
    for field in CHANGED_FIELDS:
        if field in changed:
            events.append(
                ChangeEvent(
                    kind="program_changed",
                    field=field,
                    old=display_field(old, field),
                    new=display_field(new, field),
                    **common,
                )
            )
    events.extend(ChangeEvent(kind="partner_added", partner=_place(p), **common) for p in joined)
    events.extend(ChangeEvent(kind="partner_removed", partner=_place(p), **common) for p in left)
    return events


def _place_map(partners: Sequence[Partner]) -> dict[str, Partner]:
    places: dict[str, Partner] = {}
    for partner in partners:
        places.setdefault(partner.identity, partner)
    return places


def _place(partner: Partner) -> PlaceRef:
    return PlaceRef(code=partner.code, name=partner.name)


def _ward_events(old: Sequence[Record], new: Sequence[Record], from_date: date, to_date: date) -> list[ChangeEvent]:
    """municipality_linked / _unlinked: a place becomes / stops being a partner of the ward in any program."""
    before: dict[str, dict[str, tuple[Partner, Ward]]] = defaultdict(dict)
    after: dict[str, dict[str, tuple[Partner, Ward]]] = defaultdict(dict)
    for records, places in ((old, before), (new, after)):
        for record in records:
            for partner in record.partners:
                if partner.code:
                    places[record.ward.code].setdefault(partner.code, (partner, record.ward))
    events = []
    for ward in sorted(set(before) | set(after)):
        for code, (partner, ward_ref) in after[ward].items():
            if code not in before[ward]:
                events.append(_ward_event("municipality_linked", partner, ward_ref, from_date, to_date))
        for code, (partner, ward_ref) in before[ward].items():
            if code not in after[ward]:
                events.append(_ward_event("municipality_unlinked", partner, ward_ref, from_date, to_date))
    return events


def _ward_event(kind: str, partner: Partner, ward: Ward, from_date: date, to_date: date) -> ChangeEvent:
    return ChangeEvent(from_edition=from_date, to_edition=to_date, ward=ward, kind=kind, partner=_place(partner))


def event_to_dict(event: ChangeEvent) -> dict[str, Any]:
    """The contract's JSON object for one change event (keys present only where they apply)."""
    data: dict[str, Any] = {
        "from": event.from_edition.isoformat(),
        "to": event.to_edition.isoformat(),
        "ward": {"code": event.ward.code, "name": event.ward.name},
        "kind": event.kind,
    }
    if event.program is not None:
        data["program"] = {"name": event.program.name, "name_key": event.program.name_key}
    if event.partner is not None:
        data["partner"] = {"code": event.partner.code, "name": event.partner.name}
    if event.previous_name is not None:
        data["previous_name"] = event.previous_name
    if event.field is not None:
        data["field"] = event.field
        data["old"] = event.old
        data["new"] = event.new
    if event.confidence is not None:
        data["confidence"] = event.confidence
        data["reason"] = event.reason
    return data
