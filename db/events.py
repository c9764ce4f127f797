"""Change events in the warehouse: computed at ingest for each pair of adjacent editions, read back for
`renkei changes` and the reports."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.models import ChangeEvent as ChangeEventRow
from db.models import Edition
from db.queries import StoredEntry, edition_on, editions, stored_entries
from renkei.diff import ChangeEvent, PlaceRef, ProgramRef, diff_editions
from renkei.match import Match
from renkei.normalise.wards import all_wards
from renkei.records import Provenance, Ward


def write_events(
    session: Session,
    previous: Edition,
    before: list[StoredEntry],
    edition: Edition,
    after: list[StoredEntry],
    matches: list[Match],
) -> int:
    """Diff two adjacent stored editions and store the events (the load's event hook)."""
    events = diff_editions([s.record for s in before], [s.record for s in after], matches)
    rows = []
    for position, event in enumerate(events):
        program_id = None
        if event.new_index is not None:
            program_id = after[event.new_index].program_id
        elif event.old_index is not None:
            program_id = before[event.old_index].program_id
        rows.append(
            {
                "from_edition_id": previous.id,
                "to_edition_id": edition.id,
                "position": position,
                "ward_code": event.ward.code,
                "kind": event.kind,
                "program_id": program_id,
                "program_name": event.program.name if event.program else None,
                "program_name_key": event.program.name_key if event.program else None,
                "previous_name": event.previous_name,
                "partner_code": event.partner.code if event.partner else None,
                "partner_name": event.partner.name if event.partner else None,
                "field": event.field,
                "old": event.old,
                "new": event.new,
                "confidence": event.confidence,
                "reason": event.reason,
                "details": {
                    "old_provenance": event.old_provenance.to_dict() if event.old_provenance else None,
                    "new_provenance": event.new_provenance.to_dict() if event.new_provenance else None,
                },
            }
        )
    if rows:
        session.execute(insert(ChangeEventRow), rows)
    return len(rows)


def stored_events(session: Session, from_as_of: date, to_as_of: date) -> list[ChangeEvent]:
    """The events between two adjacent ingested editions, as stored at ingest."""
    old, new = edition_on(session, from_as_of), edition_on(session, to_as_of)
    wards = {w.code: w for w in all_wards()}
    rows = session.scalars(
        select(ChangeEventRow)
        .where(ChangeEventRow.from_edition_id == old.id, ChangeEventRow.to_edition_id == new.id)
        .order_by(ChangeEventRow.position)
    )
    return [
        ChangeEvent(
            from_edition=old.as_of,
            to_edition=new.as_of,
            ward=wards.get(row.ward_code) or Ward(row.ward_code, row.ward_code),
            kind=row.kind,
            program=ProgramRef(row.program_name, row.program_name_key) if row.program_name is not None else None,
            partner=PlaceRef(row.partner_code, row.partner_name) if row.partner_name is not None else None,
            previous_name=row.previous_name,
            field=row.field,
            old=row.old,
            new=row.new,
            confidence=row.confidence,
            reason=row.reason,
            old_provenance=_provenance((row.details or {}).get("old_provenance")),
            new_provenance=_provenance((row.details or {}).get("new_provenance")),
        )
        for row in rows
    ]


def _provenance(data: dict | None) -> Provenance | None:  # type: ignore[type-arg]
    return Provenance.from_dict(data) if data else None


def changes_between(session: Session, from_as_of: date, to_as_of: date) -> list[ChangeEvent]:
    """Events from one edition to another: stored ones for adjacent editions, computed for any other pair."""
    ordered = [e.as_of for e in editions(session)]
    old, new = edition_on(session, from_as_of), edition_on(session, to_as_of)
    if ordered.index(new.as_of) - ordered.index(old.as_of) == 1:
        return stored_events(session, from_as_of, to_as_of)
    return diff_editions(
        [s.record for s in stored_entries(session, old)], [s.record for s in stored_entries(session, new)]
    )
