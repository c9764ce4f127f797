"""Loading one edition into the versioned tables, in any order of arrival.

The stored state is a pure function of the editions in date order: programs are chains of records matched
between consecutive editions, versions are runs of unchanged content along a chain. Appending the newest
edition only touches what changed. An edition that arrives between two others (a backfill) or replaces one
is placed by truncating the derived state after its predecessor and appending the later editions again, in
date order — so the tables end up exactly as if everything had been loaded in date order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from db.mapping import content_hash, partner_values, provenance_values, version_content
from db.models import (
    ChangeEvent,
    Edition,
    EditionEntry,
    Program,
    ProgramVersion,
    QualityIssue,
    VersionCategoryTag,
    VersionPartner,
)
from db.queries import StoredEntry, editions, stored_entries
from renkei.match import Match, match_editions
from renkei.records import Record

Matcher = Callable[[Sequence[Record], Sequence[Record]], list[Match]]


@dataclass
class LoadCounts:
    """What one load wrote (summed over every edition it had to (re)append)."""

    entries: int = 0
    programs_created: int = 0
    programs_ended: int = 0
    versions_written: int = 0
    versions_closed: int = 0
    partners_written: int = 0
    quality_issues: int = 0
    change_events: int = 0
    editions_reappended: list[str] = field(default_factory=list)

    def add(self, other: LoadCounts) -> None:
        for name in ("entries", "programs_created", "programs_ended", "versions_written", "versions_closed",
                     "partners_written", "quality_issues", "change_events"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.editions_reappended.extend(other.editions_reappended)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# A hook the change-detection step plugs into: given the session, the two editions and their stored
# entries plus the matches, write change_event rows and return how many.
EventWriter = Callable[[Session, Edition, list[StoredEntry], Edition, list[StoredEntry], list[Match]], int]


def place_edition(
    session: Session,
    edition: Edition,
    records: Sequence[Record],
    *,
    matcher: Matcher = match_editions,
    write_events: EventWriter | None = None,
) -> LoadCounts:
    """Store the records of a new edition row (already added to the session), wherever its date falls."""
    ordered = editions(session)
    later = [e for e in ordered if e.as_of > edition.as_of]
    earlier = [e for e in ordered if e.as_of < edition.as_of]
    previous = earlier[-1] if earlier else None
    if not later:
        return append_edition(session, edition, records, previous, matcher=matcher, write_events=write_events)
    kept = {e.id: [s.record for s in stored_entries(session, e)] for e in later}
    truncate_after(session, previous)
    counts = append_edition(session, edition, records, previous, matcher=matcher, write_events=write_events)
    before = edition
    for following in later:
        counts.add(
            append_edition(session, following, kept[following.id], before, matcher=matcher, write_events=write_events)
        )
        counts.editions_reappended.append(following.as_of.isoformat())
        before = following
    return counts


def remove_edition(session: Session, edition: Edition) -> list[tuple[Edition, list[Record]]]:
    """Take an edition out (before replacing it); return the later editions' records for re-appending."""
    ordered = editions(session)
    later = [e for e in ordered if e.as_of > edition.as_of]
    earlier = [e for e in ordered if e.as_of < edition.as_of]
    kept = [(e, [s.record for s in stored_entries(session, e)]) for e in later]
    truncate_after(session, earlier[-1] if earlier else None)
    session.execute(delete(Edition).where(Edition.id == edition.id))
    return kept


def truncate_after(session: Session, edition: Edition | None) -> None:
    """Delete everything derived from editions after `edition` (all of it when None), reopening what they closed.

    Edition rows stay; they are appended again by the caller.
    """
    later_ids = select(Edition.id).where(Edition.as_of > edition.as_of) if edition else select(Edition.id)
    later_versions = select(ProgramVersion.id).where(ProgramVersion.valid_from_edition_id.in_(later_ids))
    session.execute(delete(ChangeEvent).where(ChangeEvent.to_edition_id.in_(later_ids)))
    session.execute(delete(QualityIssue).where(QualityIssue.edition_id.in_(later_ids)))
    session.execute(delete(EditionEntry).where(EditionEntry.edition_id.in_(later_ids)))
    session.execute(delete(VersionPartner).where(VersionPartner.version_id.in_(later_versions)))
    session.execute(delete(VersionCategoryTag).where(VersionCategoryTag.version_id.in_(later_versions)))
    session.execute(delete(ProgramVersion).where(ProgramVersion.valid_from_edition_id.in_(later_ids)))
    session.execute(delete(Program).where(Program.first_edition_id.in_(later_ids)))
    if edition is not None:
        present = select(EditionEntry.version_id).where(EditionEntry.edition_id == edition.id)
        session.execute(update(ProgramVersion).where(ProgramVersion.id.in_(present)).values(valid_to_edition_id=None))
        present_programs = select(EditionEntry.program_id).where(EditionEntry.edition_id == edition.id)
        session.execute(update(Program).where(Program.id.in_(present_programs)).values(last_edition_id=None))


def append_edition(
    session: Session,
    edition: Edition,
    records: Sequence[Record],
    previous: Edition | None,
    *,
    matcher: Matcher = match_editions,
    write_events: EventWriter | None = None,
) -> LoadCounts:
    """Store an edition that is newer than every stored one: extend, close or open versions as needed."""
    counts = LoadCounts()
    before = stored_entries(session, previous) if previous else []
    matches = matcher([s.record for s in before], records)
    continued: dict[int, StoredEntry] = {m.new: before[m.old] for m in matches}
    matched_old = {m.old for m in matches}

    hashes = [content_hash(r) for r in records]
    new_programs = [i for i in range(len(records)) if i not in continued]
    program_ids: dict[int, int] = {i: continued[i].program_id for i in continued}
    if new_programs:
        created = session.scalars(
            insert(Program).returning(Program.id, sort_by_parameter_order=True),
            [{"ward_code": records[i].ward.code, "first_edition_id": edition.id, "last_edition_id": None}
             for i in new_programs],
        ).all()  # fmt: skip
        program_ids.update(zip(new_programs, created, strict=True))
        counts.programs_created = len(created)

    version_ids: dict[int, int] = {}
    closing: list[int] = []
    needs_version: list[int] = []
    for index in range(len(records)):
        old = continued.get(index)
        if old is not None and old.content_hash == hashes[index]:
            version_ids[index] = old.version_id  # unchanged: the open version simply continues
            continue
        if old is not None:
            closing.append(old.version_id)
        needs_version.append(index)
    ended = [s for i, s in enumerate(before) if i not in matched_old]
    closing.extend(s.version_id for s in ended)
    if closing:
        session.execute(
            update(ProgramVersion).where(ProgramVersion.id.in_(closing)).values(valid_to_edition_id=edition.id)
        )
        counts.versions_closed = len(closing)
    if ended and previous is not None:
        session.execute(
            update(Program).where(Program.id.in_([s.program_id for s in ended])).values(last_edition_id=previous.id)
        )
        counts.programs_ended = len(ended)
    if needs_version:
        created_versions = session.scalars(
            insert(ProgramVersion).returning(ProgramVersion.id, sort_by_parameter_order=True),
            [
                {
                    **version_content(records[i]),
                    "first_start_year": min(records[i].start.fiscal_years, default=None),
                    "program_id": program_ids[i],
                    "valid_from_edition_id": edition.id,
                    "valid_to_edition_id": None,
                    "content_hash": hashes[i],
                }
                for i in needs_version
            ],
        ).all()
        version_ids.update(zip(needs_version, created_versions, strict=True))
        partner_rows = [
            {**partner_values(p, position), "version_id": version_ids[i]}
            for i in needs_version
            for position, p in enumerate(records[i].partners)
        ]
        if partner_rows:
            session.execute(insert(VersionPartner), partner_rows)
        tag_rows = [
            {"version_id": version_ids[i], "position": position, "tag": tag}
            for i in needs_version
            for position, tag in enumerate(records[i].category_tags)
        ]
        if tag_rows:
            session.execute(insert(VersionCategoryTag), tag_rows)
        counts.versions_written = len(created_versions)
        counts.partners_written = len(partner_rows)

    entry_ids = session.scalars(
        insert(EditionEntry).returning(EditionEntry.id, sort_by_parameter_order=True),
        [
            {
                "edition_id": edition.id,
                "program_id": program_ids[i],
                "version_id": version_ids[i],
                "ward_code": r.ward.code,
                "seq": r.seq,
                "position": i,
                **provenance_values(r.provenance),
            }
            for i, r in enumerate(records)
        ],
    ).all()
    counts.entries = len(entry_ids)
    issue_rows = [
        {
            "edition_id": edition.id,
            "entry_id": entry_ids[i],
            "kind": w.kind,
            "message": w.message,
            **provenance_values(w.provenance),
        }
        for i, r in enumerate(records)
        for w in r.warnings
    ]
    for position, row in enumerate(issue_rows):
        row["position"] = position
    if issue_rows:
        session.execute(insert(QualityIssue), issue_rows)
    counts.quality_issues = len(issue_rows)

    if write_events is not None and previous is not None:
        after = stored_entries(session, edition)
        counts.change_events = write_events(session, previous, before, edition, after, matches)
    return counts
