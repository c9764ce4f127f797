"""Timeline queries: a ward's or a place's partnerships across the ingested editions (see renkei/timeline.py)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ChangeEvent, EditionEntry, ProgramVersion, VersionPartner
from db.queries import editions as stored_editions
from renkei.errors import UnknownEditionError
from renkei.normalise.places import gazetteer
from renkei.normalise.wards import all_wards
from renkei.records import Ward
from renkei.timeline import (
    PARTNER,
    DeclaredLink,
    DeclaredStart,
    DeclaredYear,
    EditionRow,
    Link,
    MunicipalityTimeline,
    PairTimeline,
    PlaceRef,
    PlaceRow,
    PrefectureTimeline,
    WardTimeline,
    declared_basis,
    declared_start,
)


def _place_name(code: str, fallback: str) -> str:
    place = gazetteer().by_code.get(code)
    return place.name if place else fallback


def _ingested(session: Session) -> list:  # type: ignore[type-arg]
    ordered = stored_editions(session)
    if not ordered:
        raise UnknownEditionError("no edition is ingested yet (run `renkei run` or `renkei ingest PATH`)")
    return ordered


def ward_timeline(session: Session, ward: Ward) -> WardTimeline:
    ordered = _ingested(session)
    as_of = {e.id: e.as_of.isoformat() for e in ordered}
    order = {e.id: i for i, e in enumerate(ordered)}
    # Two small queries rather than one join: a version spans many editions, so entries × partners would
    # repeat every partner once per edition (19,000 rows for 港区 over 30 editions).
    entries = session.execute(
        select(EditionEntry.edition_id, EditionEntry.program_id, EditionEntry.version_id).where(
            EditionEntry.ward_code == ward.code
        )
    ).all()
    version_rows = session.execute(
        select(
            ProgramVersion.id,
            ProgramVersion.name,
            ProgramVersion.first_start_year,
            VersionPartner.code,
            VersionPartner.name,
            VersionPartner.start_fiscal_year,
        )
        .join(VersionPartner, VersionPartner.version_id == ProgramVersion.id)
        .where(ProgramVersion.ward_code == ward.code, VersionPartner.code.is_not(None))
    ).all()
    version_names: dict[int, str] = {}
    version_partners: dict[int, list[tuple[str, int | None, str]]] = defaultdict(list)  # code, start, basis
    place_names: dict[str, str] = {}
    for version_id, name, program_year, code, partner_name, partner_year in version_rows:
        version_names[version_id] = name
        version_partners[version_id].append(
            (code, declared_start(partner_year, program_year), declared_basis(partner_year))
        )
        place_names.setdefault(code, _place_name(code, partner_name))
    programs: dict[int, set[int]] = defaultdict(set)
    places: dict[int, set[str]] = defaultdict(set)
    place_editions: dict[str, set[int]] = defaultdict(set)
    versions_in: dict[int, set[int]] = defaultdict(set)
    for edition_id, program_id, version_id in entries:
        programs[edition_id].add(program_id)
        versions_in[edition_id].add(version_id)
        for code, _start, _why in version_partners.get(version_id, ()):
            places[edition_id].add(code)
            place_editions[code].add(edition_id)
    # What is declared about a partnership is read from the newest edition that lists it (ended ones too).
    newest_listing = {code: max(ids, key=order.__getitem__) for code, ids in place_editions.items()}
    declared_by_year: dict[tuple[int, str, str], set[str]] = defaultdict(set)  # (year, basis, program) → places
    declared_place: dict[str, int] = {}
    for edition_id in set(newest_listing.values()):
        for version_id in versions_in[edition_id]:
            for code, start, basis in version_partners.get(version_id, ()):
                if newest_listing[code] != edition_id or start is None:
                    continue
                declared_by_year[(start, basis, version_names[version_id])].add(code)
                declared_place[code] = min(declared_place.get(code, start), start)
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
        DeclaredYear(year, [PlaceRef(c, place_names[c]) for c in sorted(codes)], [program], basis, program)
        for (year, basis, program), codes in sorted(declared_by_year.items())
    ]
    return WardTimeline(ward, edition_rows, place_rows, declared)


def municipality_timeline(session: Session, code: str) -> MunicipalityTimeline:
    ordered = _ingested(session)
    as_of = {e.id: e.as_of.isoformat() for e in ordered}
    wards = {w.code: w for w in all_wards()}
    rows = session.execute(
        select(
            EditionEntry.edition_id,
            EditionEntry.ward_code,
            ProgramVersion.name,
            ProgramVersion.first_start_year,
            VersionPartner.start_fiscal_year,
        )
        .join(ProgramVersion, ProgramVersion.id == EditionEntry.version_id)
        .join(VersionPartner, VersionPartner.version_id == ProgramVersion.id)
        .where(VersionPartner.code == code)
        .order_by(EditionEntry.edition_id, EditionEntry.position)
    ).all()
    order = {e.id: i for i, e in enumerate(ordered)}
    links: dict[tuple[int, str], list[str]] = defaultdict(list)
    newest_listing: dict[str, int] = {}  # ward → the newest edition in which the place is its partner
    for edition_id, ward_code, name, _years, _partner_year in rows:
        if name not in links[(edition_id, ward_code)]:
            links[(edition_id, ward_code)].append(name)
        if ward_code not in newest_listing or order[edition_id] > order[newest_listing[ward_code]]:
            newest_listing[ward_code] = edition_id
    # ward → (program names, declared starts as (year, 0 for a partner's own year else 1, basis, program))
    declared: dict[str, tuple[list[str], list[tuple[int, int, str, str]]]] = defaultdict(lambda: ([], []))
    for edition_id, ward_code, name, program_year, partner_year in rows:
        if edition_id != newest_listing[ward_code]:
            continue
        names, starts = declared[ward_code]
        if name not in names:
            names.append(name)
        start = declared_start(partner_year, program_year)
        if start is not None:
            starts.append((start, partner_year is None, declared_basis(partner_year), name))
    link_rows = [
        Link(as_of[edition_id], wards[ward_code], names)
        for (edition_id, ward_code), names in sorted(links.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    ]
    declared_rows = []
    for ward_code, (names, starts) in sorted(declared.items()):
        first = min(starts) if starts else None
        declared_rows.append(
            DeclaredLink(wards[ward_code], names, first[0], first[2], first[3])
            if first
            else DeclaredLink(wards[ward_code], names, None)
        )
    return MunicipalityTimeline(PlaceRef(code, _place_name(code, code)), link_rows, declared_rows)


def _pairs(session: Session, codes: list[str], ward_code: str | None = None) -> list[PairTimeline]:
    """The ward × place timelines of the places `codes` (of one ward, or of every ward), by place then ward.

    Observed: every edition in which a program of the ward lists the place. Declared: each start year the newest
    such edition gives the partnership, per program — the partner's own year, else the program's first.
    """
    ordered = _ingested(session)
    as_of = {e.id: e.as_of.isoformat() for e in ordered}
    order = {e.id: i for i, e in enumerate(ordered)}
    wards = {w.code: w for w in all_wards()}
    query = (
        select(
            EditionEntry.edition_id,
            EditionEntry.ward_code,
            VersionPartner.code,
            ProgramVersion.name,
            ProgramVersion.first_start_year,
            VersionPartner.start_fiscal_year,
        )
        .join(ProgramVersion, ProgramVersion.id == EditionEntry.version_id)
        .join(VersionPartner, VersionPartner.version_id == ProgramVersion.id)
        .where(VersionPartner.code.in_(codes))
        .order_by(EditionEntry.edition_id, EditionEntry.position, VersionPartner.position)
    )
    if ward_code is not None:
        query = query.where(EditionEntry.ward_code == ward_code)
    rows = session.execute(query).all()
    links: dict[tuple[str, str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for edition_id, ward, code, name, _program_year, _partner_year in rows:
        names = links[(code, ward)][edition_id]
        if name not in names:
            names.append(name)
    newest = {pair: max(per_edition, key=order.__getitem__) for pair, per_edition in links.items()}
    declared: dict[tuple[str, str], list[DeclaredStart]] = defaultdict(list)
    for edition_id, ward, code, name, program_year, partner_year in rows:
        start = declared_start(partner_year, program_year)
        if edition_id != newest[(code, ward)] or start is None:
            continue
        row = DeclaredStart(start, declared_basis(partner_year), name)
        if row not in declared[(code, ward)]:
            declared[(code, ward)].append(row)
    return [
        PairTimeline(
            wards[ward],
            PlaceRef(code, _place_name(code, code)),
            [
                Link(as_of[edition_id], wards[ward], names)
                for edition_id, names in sorted(per_edition.items(), key=lambda item: order[item[0]])
            ],
            sorted(declared[(code, ward)], key=lambda d: (d.fiscal_year, d.basis != PARTNER, d.program)),
        )
        for (code, ward), per_edition in sorted(links.items())
    ]


def pair_timeline(session: Session, ward: Ward, code: str) -> PairTimeline:
    """Since when `ward` has partnered with the place `code`: observed editions and declared start years."""
    found = _pairs(session, [code], ward.code)
    return found[0] if found else PairTimeline(ward, PlaceRef(code, _place_name(code, code)), [], [])


def prefecture_timeline(session: Session, prefecture_code: str) -> PrefectureTimeline:
    """Every place of a prefecture (its municipalities and the prefecture itself) rolled up: one pair timeline per
    place and ward that were ever partners."""
    prefix = prefecture_code[:2]
    codes = [code for code in gazetteer().by_code if code[:2] == prefix]
    prefecture = PlaceRef(prefecture_code, _place_name(prefecture_code, prefecture_code))
    return PrefectureTimeline(prefecture, _pairs(session, codes))
