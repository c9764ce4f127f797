"""What the reports show, prepared once for every renderer (Markdown, HTML, CSV): no formatting here."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from renkei.diff import ChangeEvent, value_text
from renkei.normalise.wards import all_wards
from renkei.provenance import SourceRecord, fetched_at_text, source_lines, source_warnings
from renkei.records import Provenance, Record, Ward
from renkei.reference import Place
from renkei.report.history import History, history_of_pair
from renkei.report.japanese import provenance_ja, reason_ja
from renkei.report.labels import FIELD_LABELS, SECTIONS
from renkei.report.textdiff import Segment, diff_segments

UNCATEGORISED = "（未分類）"


@dataclass(frozen=True)
class ReportInput:
    """An edition and, when there is one, its predecessor, with the events between them."""

    title: str
    edition: date
    records: tuple[Record, ...]
    previous: date | None = None
    previous_records: tuple[Record, ...] = ()
    events: tuple[ChangeEvent, ...] = ()
    source: SourceRecord | None = None  # where the edition's file came from
    supersedes: tuple[SourceRecord, ...] = ()  # the files this corrected edition replaced
    history: History | None = None  # every stored edition up to this one (None: only the two compared)

    def full_history(self) -> History:
        """The stored history, or the one the two compared editions give."""
        if self.history is not None:
            return self.history
        return history_of_pair(self.records, self.edition, self.previous_records, self.previous, self.events)


@dataclass(frozen=True)
class Item:
    kind: str
    program: str  # the program's name ("" for ward-level events)
    partner: str = ""
    partner_code: str = ""
    sign: str = ""  # ＋ / － for partner changes
    field_label: str = ""
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)
    reason: str = ""
    confidence: float | None = None
    where_old: str = ""
    where_new: str = ""
    summary: str = ""  # category and partners of an added or ended program
    related: str = ""  # for a place linked or unlinked: the programs that link (or linked) it


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]


@dataclass(frozen=True)
class WardPage:
    ward: Ward
    sections: list[Section]
    programs: int  # in the edition reported on
    previous_programs: int

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)


@dataclass(frozen=True)
class IndexRow:
    ward: Ward
    counts: list[int]  # per section, in SECTIONS order
    programs: int
    added: int
    ended: int


def slug(ward: Ward) -> str:
    """File name stem of a ward's page: "131016_千代田区"."""
    return f"{ward.code}_{ward.name}"


def _summary(record: Record | None) -> str:
    if record is None:
        return ""
    partners = "、".join(p.name for p in record.partners[:6])
    more = f" ほか{len(record.partners) - 6}" if len(record.partners) > 6 else ""
    category = record.category or UNCATEGORISED
    tags = "・".join(record.category_tags)
    if tags != record.category:  # how the index counts it, when the printed value says it otherwise
        category += f"〔{tags or 'タグなし'}〕"
    return f"{category}｜{partners}{more}" if partners else category


def record_at(records: Sequence[Record], index: int | None, provenance: Provenance | None) -> Record | None:
    """The record an event points at: by index when the event has one (fresh from diffing), else by where it
    came from (events read back from the warehouse)."""
    if index is not None and index < len(records):
        return records[index]
    if provenance is None:
        return None
    return next((r for r in records if r.provenance == provenance), None)


def _item(event: ChangeEvent, data: ReportInput) -> Item:
    program = event.program.name if event.program else ""
    common = {
        "kind": event.kind,
        "program": program,
        "reason": reason_ja(event.reason),
        "confidence": event.confidence,
        "where_old": provenance_ja(event.old_provenance),
        "where_new": provenance_ja(event.new_provenance),
    }
    if event.kind == "program_added":
        return Item(**common, summary=_summary(record_at(data.records, event.new_index, event.new_provenance)))
    if event.kind == "program_removed":
        return Item(**common, summary=_summary(record_at(data.previous_records, event.old_index, event.old_provenance)))
    if event.kind == "program_renamed":
        old, new = diff_segments(event.previous_name or "", program)
        return Item(**common, old=old, new=new)
    if event.kind in ("partner_added", "partner_removed"):
        sign = "＋" if event.kind == "partner_added" else "－"
        partner = event.partner
        return Item(
            **common,
            partner=partner.name if partner else "",
            partner_code=partner.code or "" if partner else "",
            sign=sign,
        )
    if event.kind == "program_changed":
        old, new = diff_segments(value_text(event.old), value_text(event.new))
        return Item(**common, field_label=FIELD_LABELS.get(event.field or "", event.field or ""), old=old, new=new)
    partner = event.partner
    code = (partner.code or "") if partner else ""
    records = data.records if event.kind == "municipality_linked" else data.previous_records
    related = "、".join(
        r.name for r in records if r.ward.code == event.ward.code and any(p.code == code for p in r.partners)
    )
    return Item(**common, partner=partner.name if partner else "", partner_code=code, related=related)


def ward_pages(data: ReportInput) -> list[WardPage]:
    """One page per ward (all 23, even without changes), in code order."""
    by_ward: dict[str, list[ChangeEvent]] = defaultdict(list)
    for event in data.events:
        by_ward[event.ward.code].append(event)
    programs = Counter(r.ward.code for r in data.records)
    previous_programs = Counter(r.ward.code for r in data.previous_records)
    pages = []
    for ward in all_wards():
        events = by_ward.get(ward.code, [])
        sections = [Section(title, [_item(e, data) for e in events if e.kind in kinds]) for title, kinds in SECTIONS]
        pages.append(WardPage(ward, sections, programs[ward.code], previous_programs[ward.code]))
    return pages


def index_rows(pages: list[WardPage]) -> list[IndexRow]:
    rows = []
    for page in pages:
        counts = [len(s.items) for s in page.sections]
        rows.append(IndexRow(page.ward, counts, page.programs, added=counts[0], ended=counts[1]))
    return rows


def programs_by_category(records: Sequence[Record]) -> list[tuple[str, int]]:
    """Programs per category tag, most first (a program with two tags counts under both; spellings of one
    category are one tag: renkei.normalise.categories)."""
    counter = Counter(tag for r in records for tag in (r.category_tags or (UNCATEGORISED,)))
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Overview:
    """For an edition without a predecessor: what it holds, per ward, category and prefecture."""

    wards: list[tuple[Ward, int, int]]  # ward, programs, distinct partner places
    categories: list[tuple[str, int]]
    by_ward_and_category: dict[str, Counter[str]]
    prefectures: list[tuple[str, int]]  # prefecture, ward–place links
    ward_programs: dict[str, list[Record]]
    ward_places: dict[str, list[tuple[Place, int]]]  # per ward: partner places and how many programs each

    def category_columns(self, top: int = 8) -> list[str]:
        """The most common categories, for a ward × category table that still fits a page."""
        return [c for c, _ in self.categories[:top]]

    def category_row(self, ward_code: str, columns: list[str]) -> list[int]:
        """Programs of a ward in each of `columns`, then all other categories together."""
        counts = self.by_ward_and_category[ward_code]
        return [counts[c] for c in columns] + [sum(n for c, n in counts.items() if c not in columns)]


def overview(records: Sequence[Record]) -> Overview:
    from renkei.normalise.places import gazetteer

    places = gazetteer().by_code
    per_ward: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        per_ward[record.ward.code].append(record)
    links: set[tuple[str, str]] = set()
    wards = []
    by_category: dict[str, Counter[str]] = {}
    ward_places: dict[str, list[tuple[Place, int]]] = {}
    for ward in all_wards():
        own = per_ward.get(ward.code, [])
        programs_per_place = Counter(code for r in own for code in {p.code for p in r.partners if p.code})
        links |= {(ward.code, c) for c in programs_per_place}
        wards.append((ward, len(own), len(programs_per_place)))
        by_category[ward.code] = Counter(tag for r in own for tag in (r.category_tags or (UNCATEGORISED,)))
        ward_places[ward.code] = sorted(
            ((places[c], n) for c, n in programs_per_place.items() if c in places), key=lambda item: item[0].code
        )
    prefectures = Counter(places[code].prefecture for _, code in links if code in places)
    return Overview(
        wards=wards,
        categories=programs_by_category(records),
        by_ward_and_category=by_category,
        prefectures=sorted(prefectures.items(), key=lambda item: (-item[1], item[0])),
        ward_programs=dict(per_ward),
        ward_places=ward_places,
    )


@dataclass(frozen=True)
class SourceView:
    """Where the edition came from, for a report's header (one line) and footer (every detail)."""

    headline: str  # 出典: the publisher's file (or URL), when fetched
    correction: str  # 訂正版: what it replaced and when ("" when it replaced nothing)
    warnings: tuple[str, ...]
    details: tuple[tuple[str, str], ...]


def source_view(data: ReportInput) -> SourceView | None:
    """The 出典 of a report; None for an edition stored before provenance was recorded."""
    source = data.source
    if source is None:
        return None
    name = source.file_name or source.final_url or source.location
    headline = f"出典: {name}（取得 {fetched_at_text(source)}）"
    correction = ""
    if data.supersedes:
        replaced = data.supersedes[-1]
        correction = (
            f"訂正版: {replaced.file_name or replaced.location}（取得 {fetched_at_text(replaced)}）を"
            f"この版（取得 {fetched_at_text(source)}）で置き換えました"
        )
    return SourceView(
        headline=headline,
        correction=correction,
        warnings=tuple(source_warnings(source, data.edition)),
        details=tuple(source_lines(source)),
    )
