"""Timeline queries: a ward's or a place's partnerships across the ingested editions (see renkei/timeline.py)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ChangeEvent, EditionEntry, ProgramVersion, VersionPartner
from db.queries import editions as stored_editions
from renkei.normalise.places import gazetteer
from renkei.normalise.wards import all_wards
from renkei.records import Ward
from renkei.timeline import (
    DeclaredLink,
    DeclaredYear,
    EditionRow,
    Link,
    MunicipalityTimeline,
    PlaceRef,
    PlaceRow,
    WardTimeline,
)


def _place_name(code: str, fallback: str) -> str:
    place = gazetteer().by_code.get(code)
    return place.name if place else fallback


def _declared_start(partner_year: int | None, program_years: list[int]) -> int | None:
    """A partnership's declared start: the partner's own start year, else the program's earliest."""
    if partner_year is not None:
        return partner_year
    return min(program_years) if program_years else None


def ward_timeline(session: Session, ward: Ward) -> WardTimeline:
    ordered = stored_editions(session)
    as_of = {e.id: e.as_of.isoformat() for e in ordered}
    rows = session.execute(
        select(
            EditionEntry.edition_id,
            EditionEntry.program_id,
            ProgramVersion.name,
            ProgramVersion.start_years,
            VersionPartner.code,
            VersionPartner.name.label("partner_name"),
            VersionPartner.start_fiscal_year,
        )
        .join(ProgramVersion, ProgramVersion.id == EditionEntry.version_id)
        .outerjoin(VersionPartner, VersionPartner.version_id == ProgramVersion.id)
        .where(EditionEntry.ward_code == ward.code)
    ).all()
    programs: dict[int, set[int]] = defaultdict(set)
    places: dict[int, set[str]] = defaultdict(set)
    place_editions: dict[str, set[int]] = defaultdict(set)
    place_names: dict[str, str] = {}
    latest = ordered[-1].id if ordered else None
    declared_by_year: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    declared_place: dict[str, int | None] = {}
    for edition_id, program_id, name, years, code, partner_name, partner_year in rows:
        programs[edition_id].add(program_id)
        if code is None:
            continue
        places[edition_id].add(code)
        place_editions[code].add(edition_id)
        place_names.setdefault(code, _place_name(code, partner_name))
        if edition_id == latest:
            start = _declared_start(partner_year, list(years or []))
            if start is not None:
                declared_by_year[start][0].add(code)
                declared_by_year[start][1].add(name)
                current = declared_place.get(code)
                declared_place[code] = start if current is None else min(current, start)
    added: dict[int, list[str]] = defaultdict(list)
    ended: dict[int, list[str]] = defaultdict(list)
    for to_id, kind, program_name in session.execute(
        select(ChangeEvent.to_edition_id, ChangeEvent.kind, ChangeEvent.program_name)
        .where(ChangeEvent.ward_code == ward.code, ChangeEvent.kind.in_(("program_added", "program_removed")))
        .order_by(ChangeEvent.to_edition_id, ChangeEvent.position)
    ):
        (added if kind == "program_added" else ended)[to_id].append(program_name)
    edition_rows = [
        EditionRow(as_of[e.id], len(programs[e.id]), len(places[e.id]), added[e.id], ended[e.id]) for e in ordered
    ]
    order = {e.id: i for i, e in enumerate(ordered)}
    place_rows = sorted(
        (
            PlaceRow(
                PlaceRef(code, place_names[code]),
                [as_of[i] for i in sorted(ids, key=order.__getitem__)],
                declared_place.get(code),
            )
            for code, ids in place_editions.items()
        ),
        key=lambda r: (r.editions[0], r.place.code),
    )
    declared = [
        DeclaredYear(year, [PlaceRef(c, place_names[c]) for c in sorted(codes)], sorted(names))
        for year, (codes, names) in sorted(declared_by_year.items())
    ]
    return WardTimeline(ward, edition_rows, place_rows, declared)


def municipality_timeline(session: Session, code: str) -> MunicipalityTimeline:
    ordered = stored_editions(session)
    as_of = {e.id: e.as_of.isoformat() for e in ordered}
    latest = ordered[-1].id if ordered else None
    wards = {w.code: w for w in all_wards()}
    rows = session.execute(
        select(
            EditionEntry.edition_id,
            EditionEntry.ward_code,
            ProgramVersion.name,
            ProgramVersion.start_years,
            VersionPartner.start_fiscal_year,
        )
        .join(ProgramVersion, ProgramVersion.id == EditionEntry.version_id)
        .join(VersionPartner, VersionPartner.version_id == ProgramVersion.id)
        .where(VersionPartner.code == code)
        .order_by(EditionEntry.edition_id, EditionEntry.position)
    ).all()
    links: dict[tuple[int, str], list[str]] = defaultdict(list)
    declared: dict[str, tuple[list[str], list[int]]] = defaultdict(lambda: ([], []))
    for edition_id, ward_code, name, years, partner_year in rows:
        if name not in links[(edition_id, ward_code)]:
            links[(edition_id, ward_code)].append(name)
        if edition_id == latest:
            names, starts = declared[ward_code]
            names.append(name)
            start = _declared_start(partner_year, list(years or []))
            if start is not None:
                starts.append(start)
    order = {e.id: i for i, e in enumerate(ordered)}
    link_rows = [
        Link(as_of[edition_id], wards[ward_code], names)
        for (edition_id, ward_code), names in sorted(links.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    ]
    declared_rows = [
        DeclaredLink(wards[ward_code], names, min(starts) if starts else None)
        for ward_code, (names, starts) in sorted(declared.items())
    ]
    return MunicipalityTimeline(PlaceRef(code, _place_name(code, code)), link_rows, declared_rows)
