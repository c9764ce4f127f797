"""What a report needs from the warehouse: an edition, its predecessor, and the events between them."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from db.events import stored_events
from db.queries import edition_on, editions, neighbours, stored_entries
from renkei.errors import UnknownEditionError
from renkei.provenance import SourceRecord
from renkei.report.view import ReportInput


def report_input(session: Session, as_of: date | None = None) -> ReportInput:
    """The report data of the edition as of `as_of` (default: the newest) against the one before it."""
    if as_of is None:
        ordered = editions(session)
        if not ordered:
            raise UnknownEditionError("no edition is ingested yet")
        edition = ordered[-1]
    else:
        edition = edition_on(session, as_of)
    previous, _ = neighbours(session, edition.as_of)
    records = tuple(s.record for s in stored_entries(session, edition))
    source = SourceRecord.from_dict(edition.source) if edition.source else None
    supersedes = tuple(SourceRecord.from_dict(s) for s in edition.supersedes or ())
    if previous is None:
        return ReportInput(
            title=edition.title, edition=edition.as_of, records=records, source=source, supersedes=supersedes
        )
    return ReportInput(
        title=edition.title,
        edition=edition.as_of,
        records=records,
        source=source,
        supersedes=supersedes,
        previous=previous.as_of,
        previous_records=tuple(s.record for s in stored_entries(session, previous)),
        events=tuple(stored_events(session, previous.as_of, edition.as_of)),
    )
