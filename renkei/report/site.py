"""The report site's pages beyond the wards: one per partner place, one per prefecture, and the program
list that the search filters — prepared as plain data for the templates (no formatting of HTML here).

Pages are kept for the places and prefectures of the two editions a report compares (current partners and
those whose partnership ended with this edition); what happened before shows in each page's history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from renkei.diff import ChangeEvent
from renkei.normalise.places import gazetteer
from renkei.normalise.wards import all_wards
from renkei.records import Record, Ward
from renkei.reference import Place
from renkei.report.history import History, edition_runs, observed_pairs, partner_codes
from renkei.report.japanese import date_ja
from renkei.report.labels import KIND_LABELS
from renkei.report.view import ReportInput, record_at, slug
from renkei.timeline import PARTNER, PROGRAM, DeclaredStart, declared_basis, declared_start

MUNICIPALITIES = "municipalities"
PREFECTURES = "prefectures"
WARDS = "wards"
CURRENT, NEW, ENDED = "current", "new", "ended"
STATE_LABELS = {CURRENT: "連携中", NEW: "新規", ENDED: "終了"}
BASIS_LABELS = {PARTNER: "相手方ごとの開始年度", PROGRAM: "事業の開始年度"}
PLACE_EVENT_KINDS = ("partner_added", "partner_removed", "municipality_linked", "municipality_unlinked")


def place_slug(place: Place) -> str:
    """File name stem of a place's page: "013331_北海道木古内町"."""
    return f"{place.code}_{place.name}"


def place_path(place: Place) -> str:
    folder = PREFECTURES if place.is_prefecture else MUNICIPALITIES
    return f"{folder}/{place_slug(place)}.html"


def ward_path(ward: Ward) -> str:
    return f"{WARDS}/{slug(ward)}.html"


@dataclass(frozen=True)
class ProgramLine:
    """A program as a place or prefecture page lists it."""

    name: str
    category: str
    tags: tuple[str, ...]
    start: str


@dataclass(frozen=True)
class WardLink:
    """One ward's partnership with a place: its programs, its state in this edition, what is declared and
    in which stored editions it was observed."""

    ward: Ward
    state: str
    programs: tuple[ProgramLine, ...]
    declared: tuple[DeclaredStart, ...]
    observed: tuple[tuple[date, date], ...]  # runs of consecutive editions
    observed_count: int

    @property
    def observed_text(self) -> str:
        runs = "、".join(date_ja(a) if a == b else f"{date_ja(a)}〜{date_ja(b)}" for a, b in self.observed)
        return f"{runs}（{self.observed_count}版）" if runs else "—"


@dataclass(frozen=True)
class PlaceChange:
    """A change of this edition that concerns a place."""

    ward: Ward
    kind: str
    label: str
    program: str


@dataclass(frozen=True)
class PlacePage:
    place: Place
    prefecture: Place
    state: str  # in the whole site: a partner now, new to every ward, or no longer anyone's partner
    links: tuple[WardLink, ...]
    changes: tuple[PlaceChange, ...]

    @property
    def current_links(self) -> tuple[WardLink, ...]:
        return tuple(link for link in self.links if link.state != ENDED)

    @property
    def programs_now(self) -> int:
        return sum(len(link.programs) for link in self.current_links)


@dataclass(frozen=True)
class PrefecturePlace:
    place: Place
    state: str
    wards: tuple[Ward, ...]  # wards partnering now (or, when ended, until this edition)
    programs: int


@dataclass(frozen=True)
class PrefecturePage:
    prefecture: Place
    places: tuple[PrefecturePlace, ...]
    ward_counts: tuple[tuple[Ward, int], ...]  # wards and how many of the prefecture's places each partners
    changes: tuple[tuple[Place, PlaceChange], ...]


@dataclass(frozen=True)
class ProgramRow:
    """A program for the searchable list: what the filters read and what the table shows."""

    ward: Ward
    record: Record
    tags: tuple[str, ...]
    partners: tuple[tuple[str, Place | None], ...]  # name as printed, and its place when resolved
    prefectures: tuple[Place, ...]


class Site:
    """Indexes of one report's data, built once, from which every place and prefecture page is read."""

    def __init__(self, data: ReportInput) -> None:
        self.data = data
        self.places = gazetteer().by_code
        self.history: History = data.full_history()
        self.current = observed_pairs(data.records)
        self.previous = observed_pairs(data.previous_records) if data.previous else set(self.current)
        self.comparing = data.previous is not None
        self._records: dict[str, list[Record]] = defaultdict(list)
        self._previous_records: dict[str, list[Record]] = defaultdict(list)
        for target, records in ((self._records, data.records), (self._previous_records, data.previous_records)):
            for record in records:
                for code in partner_codes(record):
                    target[code].append(record)
        self._prefecture_pages: dict[str, PrefecturePage] = {}
        self._changes: dict[str, list[PlaceChange]] = defaultdict(list)
        for event in data.events:
            for code, program in self._places_of(event):
                change = PlaceChange(event.ward, event.kind, KIND_LABELS.get(event.kind, event.kind), program)
                self._changes[code].append(change)

    def _places_of(self, event: ChangeEvent) -> list[tuple[str, str]]:
        """The places an event concerns, each with the program named."""
        program = event.program.name if event.program else ""
        if event.kind in PLACE_EVENT_KINDS:
            code = event.partner.code if event.partner else None
            return [(code, program)] if code else []
        if event.kind in ("program_added", "program_removed"):
            records = self.data.records if event.kind == "program_added" else self.data.previous_records
            index = event.new_index if event.kind == "program_added" else event.old_index
            provenance = event.new_provenance if event.kind == "program_added" else event.old_provenance
            record = record_at(records, index, provenance)
            if record is not None:
                return [(code, program) for code in partner_codes(record)]
        return []

    # -- which pages exist ------------------------------------------------------------------------------
    @cached_property
    def place_codes(self) -> list[str]:
        """Every place partnered in either compared edition and in the reference list, by code."""
        codes = {code for _, code in self.current | self.previous}
        return sorted(code for code in codes if code in self.places)

    @cached_property
    def prefecture_codes(self) -> list[str]:
        return sorted({self.places[code].prefecture_code for code in self.place_codes})

    @cached_property
    def _with_page(self) -> set[str]:
        return set(self.place_codes) | set(self.prefecture_codes)

    def page_href(self, code: str | None, root: str = "") -> str | None:
        """The link from a page at `root` ("" or "../") to the page of the place `code`, when the site has one
        (a prefecture's page is its roll-up)."""
        if code is None or code not in self._with_page:
            return None
        return root + place_path(self.places[code])

    def pair_state(self, ward_code: str, code: str) -> str:
        """A ward × place partnership in this edition: new, current or ended."""
        return _state((ward_code, code) in self.current, (ward_code, code) in self.previous)

    @cached_property
    def _place_states(self) -> dict[str, str]:
        """Each place across all wards: new to every ward, a partner still, or no longer anyone's partner."""
        return {code: _state(code in self._records, code in self._previous_records or not self.comparing)
                for code in self.place_codes}  # fmt: skip

    # -- place pages ------------------------------------------------------------------------------------
    def place_page(self, code: str) -> PlacePage:
        place = self.places[code]
        by_ward: dict[str, list[Record]] = defaultdict(list)
        for record in self._records.get(code, ()):
            by_ward[record.ward.code].append(record)
        ended_by_ward: dict[str, list[Record]] = defaultdict(list)
        for record in self._previous_records.get(code, ()) if self.comparing else ():
            if record.ward.code not in by_ward:
                ended_by_ward[record.ward.code].append(record)
        dates = [e.as_of for e in self.history.editions]
        links = []
        for ward in all_wards():
            records = by_ward.get(ward.code) or ended_by_ward.get(ward.code)
            if not records:
                continue
            seen = self.history.observed_dates(ward.code, code)
            links.append(
                WardLink(
                    ward=ward,
                    state=self.pair_state(ward.code, code),
                    programs=tuple(_program_line(r) for r in records),
                    declared=tuple(_declared(records, code)),
                    observed=tuple(edition_runs(seen, dates)),
                    observed_count=len(seen),
                )
            )
        return PlacePage(
            place=place,
            prefecture=self.places[place.prefecture_code],
            state=self._place_states[code],
            links=tuple(links),
            changes=tuple(self._changes.get(code, ())),
        )

    # -- prefecture pages -------------------------------------------------------------------------------
    @cached_property
    def _codes_by_prefecture(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for code in self.place_codes:
            grouped[self.places[code].prefecture_code].append(code)
        return grouped

    def prefecture_page(self, prefecture_code: str) -> PrefecturePage:
        if prefecture_code not in self._prefecture_pages:
            self._prefecture_pages[prefecture_code] = self._prefecture_page(prefecture_code)
        return self._prefecture_pages[prefecture_code]

    def _prefecture_page(self, prefecture_code: str) -> PrefecturePage:
        prefecture = self.places[prefecture_code]
        places = []
        ward_counts: dict[str, int] = defaultdict(int)
        changes = []
        wards = {w.code: w for w in all_wards()}
        for code in self._codes_by_prefecture.get(prefecture_code, ()):
            place = self.places[code]
            state = self._place_states[code]
            records = self._records.get(code) or self._previous_records.get(code, [])
            ward_codes = sorted({r.ward.code for r in records})
            if state != ENDED:
                for ward_code in ward_codes:
                    ward_counts[ward_code] += 1
            places.append(PrefecturePlace(place, state, tuple(wards[w] for w in ward_codes), len(records)))
            changes += [(place, change) for change in self._changes.get(code, ())]
        return PrefecturePage(
            prefecture=prefecture,
            places=tuple(places),
            ward_counts=tuple((wards[w], n) for w, n in sorted(ward_counts.items())),
            changes=tuple(sorted(changes, key=lambda item: (item[1].ward.code, item[0].code))),
        )

    # -- maps' inputs -----------------------------------------------------------------------------------
    def shading(self, ward: Ward | None = None) -> dict[str, int]:
        """Prefecture code → current partner places in it (of one ward, or of any ward)."""
        counts: dict[str, int] = defaultdict(int)
        codes = {c for w, c in self.current if ward is None or w == ward.code}
        for code in codes:
            place = self.places.get(code)
            if place is not None:
                counts[place.prefecture_code] += 1
        return dict(counts)

    def points(self, ward: Ward | None = None, prefecture_code: str | None = None) -> list[tuple[Place, str]]:
        """Municipalities with their state (of one ward's partnerships, or across wards), optionally of one
        prefecture; the ended ones included."""
        points = []
        if ward is None:
            codes = self._codes_by_prefecture.get(prefecture_code, []) if prefecture_code else self.place_codes
            states = {code: self._place_states[code] for code in codes}
        else:
            pairs = {c for w, c in self.current | self.previous if w == ward.code}
            states = {code: self.pair_state(ward.code, code) for code in pairs if code in self.places}
        for code, state in sorted(states.items()):
            place = self.places[code]
            if place.is_prefecture or (prefecture_code and place.prefecture_code != prefecture_code):
                continue
            points.append((place, state))
        return points

    # -- the program list -------------------------------------------------------------------------------
    def program_rows(self) -> list[ProgramRow]:
        rows = []
        for record in self.data.records:
            partners = tuple((p.name, self.places.get(p.code) if p.code else None) for p in record.partners)
            prefectures = sorted({place.prefecture_code for _, place in partners if place is not None})
            rows.append(
                ProgramRow(
                    ward=record.ward,
                    record=record,
                    tags=record.category_tags,
                    partners=partners,
                    prefectures=tuple(self.places[c] for c in prefectures),
                )
            )
        return rows

    def ward_places(self, ward: Ward) -> list[tuple[Place, str, int]]:
        """A ward's partner places, current and ended with this edition: place, state, programs now (or before)."""
        counts: dict[str, int] = defaultdict(int)
        for record in self.data.records:
            if record.ward.code == ward.code:
                for code in partner_codes(record):
                    counts[code] += 1
        ended = {c for w, c in self.previous - self.current if w == ward.code} if self.comparing else set()
        for record in self.data.previous_records:
            if record.ward.code == ward.code:
                for code in partner_codes(record):
                    counts[code] += code in ended
        return [
            (self.places[code], self.pair_state(ward.code, code), n)
            for code, n in sorted(counts.items())
            if code in self.places
        ]


def _state(now: bool, before: bool) -> str:
    if now and not before:
        return NEW
    return CURRENT if now else ENDED


def _program_line(record: Record) -> ProgramLine:
    return ProgramLine(record.name, record.category, record.category_tags, record.start.text)


def _declared(records: Sequence[Record], code: str) -> list[DeclaredStart]:
    """Each start year the records declare for the place, per program (the rule of `renkei timeline`: the
    partner's own year, else the program's first, which the program gives to every partner)."""
    found: list[DeclaredStart] = []
    for record in records:
        for partner in record.partners:
            if partner.code != code:
                continue
            year = declared_start(partner.start_fiscal_year, min(record.start.fiscal_years, default=None))
            if year is None:
                continue
            entry = DeclaredStart(year, declared_basis(partner.start_fiscal_year), record.name)
            if entry not in found:
                found.append(entry)
    return sorted(found, key=lambda d: (d.fiscal_year, d.basis == PARTNER, d.program))
