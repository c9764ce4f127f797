"""What a report needs from the warehouse: an edition, its predecessor, and the events between them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.events import stored_events
from db.models import ChangeEvent, Edition, EditionEntry, VersionPartner
from db.queries import edition_on, editions, neighbours, stored_entries
from renkei.errors import UnknownEditionError
from renkei.provenance import SourceRecord
from renkei.report.history import EditionSummary, History
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
    history = report_history(session, edition)
    if previous is None:
        return ReportInput(
            title=edition.title,
            edition=edition.as_of,
            records=records,
            source=source,
            supersedes=supersedes,
            history=history,
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
        history=history,
    )


def report_history(session: Session, edition: Edition) -> History:
    """Every stored edition up to `edition`: programs per ward, programs added and ended, and the editions in
    which each ward × place partnership was observed.

    Three small queries rather than a join of entries with partners: a version spans many editions, and the
    join would repeat each partner once per edition.
    """
    ordered = [e for e in editions(session) if e.as_of <= edition.as_of]
    index = {e.id: i for i, e in enumerate(ordered)}
    programs: list[dict[str, int]] = [defaultdict(int) for _ in ordered]
    versions_in: list[set[tuple[str, int]]] = [set() for _ in ordered]
    for edition_id, ward_code, version_id in session.execute(
        select(EditionEntry.edition_id, EditionEntry.ward_code, EditionEntry.version_id).where(
            EditionEntry.edition_id.in_(index)
        )
    ):
        programs[index[edition_id]][ward_code] += 1
        versions_in[index[edition_id]].add((ward_code, version_id))
    wanted = {version_id for entries in versions_in for _, version_id in entries}
    places: dict[int, set[str]] = defaultdict(set)
    for version_id, code in session.execute(
        select(VersionPartner.version_id, VersionPartner.code).where(VersionPartner.code.is_not(None))
    ):
        if version_id in wanted:
            places[version_id].add(code)
    observed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, entries in enumerate(versions_in):
        pairs = {(ward_code, code) for ward_code, version_id in entries for code in places.get(version_id, ())}
        for pair in pairs:
            observed[pair].append(i)
    added: list[dict[str, int]] = [{} for _ in ordered]
    ended: list[dict[str, int]] = [{} for _ in ordered]
    for to_id, ward_code, kind, count in session.execute(
        select(ChangeEvent.to_edition_id, ChangeEvent.ward_code, ChangeEvent.kind, func.count())
        .where(ChangeEvent.to_edition_id.in_(index), ChangeEvent.kind.in_(("program_added", "program_removed")))
        .group_by(ChangeEvent.to_edition_id, ChangeEvent.ward_code, ChangeEvent.kind)
    ):
        (added if kind == "program_added" else ended)[index[to_id]][ward_code] = count
    summaries = tuple(EditionSummary(e.as_of, dict(programs[i]), added[i], ended[i]) for i, e in enumerate(ordered))
    return History(summaries, {pair: tuple(seen) for pair, seen in observed.items()})
