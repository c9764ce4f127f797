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
from renkei.report.history import History, edition_runs, observed_pairs
from renkei.report.japanese import date_ja
from renkei.report.labels import KIND_LABELS
from renkei.report.view import ReportInput, record_at, slug

MUNICIPALITIES = "municipalities"
PREFECTURES = "prefectures"
WARDS = "wards"
CURRENT, NEW, ENDED = "current", "new", "ended"
STATE_LABELS = {CURRENT: "連携中", NEW: "新規", ENDED: "終了"}
BASIS_LABELS = {"partner": "相手方ごとの開始年度", "program": "事業の開始年度"}
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
class DeclaredStart:
    """A start year the edition declares for a ward × place partnership, and whose year it is."""

    year: int
    basis: str  # label: the partner's own year, or the program's first given to every partner
    program: str


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
                for code in dict.fromkeys(p.code for p in record.partners if p.code):
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
                return [(code, program) for code in dict.fromkeys(p.code for p in record.partners if p.code)]
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

    def has_page(self, place: Place) -> bool:
        """Whether the site has a page for the place (a prefecture's page is its roll-up)."""
        return place.code in self._with_page

    def state(self, pair_or_place: tuple[str, str] | None = None, *, code: str | None = None) -> str:
        """A pair's state (ward, place), or a place's across all wards (code)."""
        if pair_or_place is not None:
            now, before = pair_or_place in self.current, pair_or_place in self.previous
        else:
            now = bool(self._records.get(code or ""))
            before = bool(self._previous_records.get(code or "")) if self.comparing else now
        if now and not before:
            return NEW
        return CURRENT if now else ENDED

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
                    state=self.state((ward.code, code)),
                    programs=tuple(_program_line(r) for r in records),
                    declared=tuple(_declared(records, code)),
                    observed=tuple(edition_runs(seen, dates)),
                    observed_count=len(seen),
                )
            )
        return PlacePage(
            place=place,
            prefecture=self.places[place.prefecture_code],
            state=self.state(code=code),
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

    @cached_property
    def _place_states(self) -> dict[str, str]:
        return {code: self.state(code=code) for code in self.place_codes}

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
            states = {code: self.state((ward.code, code)) for code in pairs if code in self.places}
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
            prefectures = sorted(
                {self.places[place.prefecture_code].code for _, place in partners if place is not None}
            )
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
                for code in dict.fromkeys(p.code for p in record.partners if p.code):
                    counts[code] += 1
        ended = {c for w, c in self.previous - self.current if w == ward.code} if self.comparing else set()
        for record in self.data.previous_records:
            if record.ward.code == ward.code:
                for code in dict.fromkeys(p.code for p in record.partners if p.code):
                    if code in ended:
                        counts[code] += 1
        return [
            (self.places[code], self.state((ward.code, code)), n)
            for code, n in sorted(counts.items())
            if code in self.places
        ]


def _program_line(record: Record) -> ProgramLine:
    return ProgramLine(record.name, record.category, record.category_tags, record.start.text)


def _declared(records: Sequence[Record], code: str) -> list[DeclaredStart]:
    """Each start year the records declare for the place: its own year when the partner has one, else the
    program's first year (which the program gives to every partner), per program."""
    found: list[DeclaredStart] = []
    for record in records:
        for partner in record.partners:
            if partner.code != code:
                continue
            if partner.start_fiscal_year is not None:
                entry = DeclaredStart(partner.start_fiscal_year, BASIS_LABELS["partner"], record.name)
            elif record.start.fiscal_years:
                entry = DeclaredStart(min(record.start.fiscal_years), BASIS_LABELS["program"], record.name)
            else:
                continue
            if entry not in found:
                found.append(entry)
    return sorted(found, key=lambda d: (d.year, d.basis, d.program))
