"""Read queries over the warehouse. Every function takes the session as its first argument."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.mapping import record_from_rows
from db.models import Edition, EditionEntry, ProgramVersion, QualityIssue, VersionPartner
from renkei.errors import UnknownEditionError
from renkei.normalise.wards import all_wards
from renkei.records import Record, Ward


@dataclass(frozen=True)
class StoredEntry:
    """A record as stored, with the identity and version it belongs to."""

    record: Record
    entry_id: int
    program_id: int
    version_id: int
    content_hash: str


def editions(session: Session) -> list[Edition]:
    """Every ingested edition, oldest first."""
    return list(session.scalars(select(Edition).order_by(Edition.as_of)))


def edition_on(session: Session, as_of: date) -> Edition:
    found = session.scalars(select(Edition).where(Edition.as_of == as_of)).one_or_none()
    if found is None:
        known = ", ".join(e.as_of.isoformat() for e in editions(session)) or "none"
        raise UnknownEditionError(f"no edition as of {as_of.isoformat()} is ingested (ingested: {known})")
    return found


def neighbours(session: Session, as_of: date) -> tuple[Edition | None, Edition | None]:
    """The editions just before and just after a date (either may be None)."""
    before = session.scalars(
        select(Edition).where(Edition.as_of < as_of).order_by(Edition.as_of.desc()).limit(1)
    ).one_or_none()
    after = session.scalars(select(Edition).where(Edition.as_of > as_of).order_by(Edition.as_of).limit(1)).one_or_none()
    return before, after


def stored_entries(session: Session, edition: Edition) -> list[StoredEntry]:
    """The records of one edition as stored, in document order, with their program and version ids.

    Core rows rather than ORM objects: this runs for the previous edition at every append.
    """
    entry_table = EditionEntry.__table__
    version_table = ProgramVersion.__table__
    partner_table = VersionPartner.__table__
    issue_table = QualityIssue.__table__
    entries = session.execute(
        select(entry_table).where(entry_table.c.edition_id == edition.id).order_by(entry_table.c.position)
    ).all()
    in_edition = select(entry_table.c.version_id).where(entry_table.c.edition_id == edition.id)
    versions = {v.id: v for v in session.execute(select(version_table).where(version_table.c.id.in_(in_edition)))}
    partners: dict[int, list[Any]] = defaultdict(list)
    for partner in session.execute(
        select(partner_table)
        .where(partner_table.c.version_id.in_(in_edition))
        .order_by(partner_table.c.version_id, partner_table.c.position)
    ):
        partners[partner.version_id].append(partner)
    issues: dict[int, list[Any]] = defaultdict(list)
    for issue in session.execute(
        select(issue_table).where(issue_table.c.edition_id == edition.id).order_by(issue_table.c.position)
    ):
        if issue.entry_id is not None:
            issues[issue.entry_id].append(issue)
    wards = {w.code: w for w in all_wards()}
    result = []
    for entry in entries:
        version = versions[entry.version_id]
        ward = wards.get(entry.ward_code) or Ward(entry.ward_code, entry.ward_code)
        record = record_from_rows(edition.as_of, ward, entry, version, partners[version.id], issues[entry.id])
        result.append(StoredEntry(record, entry.id, entry.program_id, entry.version_id, version.content_hash))
    return result


def export_records(session: Session, as_of: date) -> tuple[Record, ...]:
    """The records of the edition as of `as_of`, exactly as parsed."""
    return tuple(s.record for s in stored_entries(session, edition_on(session, as_of)))


def programs_per_ward_before(session: Session, as_of: date) -> dict[str, int] | None:
    """Programs per ward code in the edition just before `as_of`, or None when there is none."""
    from sqlalchemy import func

    before, _ = neighbours(session, as_of)
    if before is None:
        return None
    rows = session.execute(
        select(EditionEntry.ward_code, func.count())
        .where(EditionEntry.edition_id == before.id)
        .group_by(EditionEntry.ward_code)
    )
    return {code: count for code, count in rows}


def ingested_sha256s(session: Session) -> set[str]:
    """The content hashes of every stored edition file (a file with one of these is already ingested)."""
    return set(session.scalars(select(Edition.sha256)))
