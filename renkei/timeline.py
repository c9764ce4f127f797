"""Partnership timelines: what was observed edition by edition, and what the editions declare.

Only editions since deployment are *observed*; the 事業開始年度 column *declares* when a partnership began,
back to the 1970s. Both are shown, each marked as what it is: observed rows have `basis` "observed"; declared
rows (section "declared") have `basis` "partner" when the year is the partner's own start year and "program"
when it is the program's first start year, given to every partner of the program, with the `program` it is
read from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from renkei.errors import UnknownNameError
from renkei.records import Ward
from renkei.reference import Place, load_reference
from renkei.report.csv_ import header_row, write_csv

PARTNER = "partner"  # the declared year is the partner's own (partners[].start_fiscal_year)
PROGRAM = "program"  # the declared year is the program's first start year, given to every partner


def declared_start(partner_year: int | None, program_year: int | None) -> int | None:
    """A partnership's declared start: the partner's own start year, else the program's earliest."""
    return partner_year if partner_year is not None else program_year


def declared_basis(partner_year: int | None) -> str:
    """Whose the declared start is: the partner's own year, or the program's first, given to every partner."""
    return PARTNER if partner_year is not None else PROGRAM


@dataclass(frozen=True)
class PlaceRef:
    code: str
    name: str


@dataclass(frozen=True)
class EditionRow:
    """One edition seen from a ward: how many programs and partner places, what was added and ended."""

    edition: str
    programs: int
    partner_places: int
    programs_added: list[str] = field(default_factory=list)
    programs_ended: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlaceRow:
    """A partner place of a ward: the editions it was a partner in, and the start it declares."""

    place: PlaceRef
    editions: list[str]
    declared_start: int | None


@dataclass(frozen=True)
class DeclaredYear:
    """Partnerships declared (事業開始年度) to have begun in a fiscal year, as the newest edition listing each
    partnership says: one row per year, basis and program (`programs` is `[program]`, kept for older readers)."""

    fiscal_year: int
    places: list[PlaceRef]
    programs: list[str]
    basis: str = PROGRAM
    program: str = ""


@dataclass(frozen=True)
class WardTimeline:
    ward: Ward
    editions: list[EditionRow]
    places: list[PlaceRow]
    declared: list[DeclaredYear]


@dataclass(frozen=True)
class Link:
    """A place as the partner of a ward in one edition, and through which programs."""

    edition: str
    ward: Ward
    programs: list[str]


@dataclass(frozen=True)
class DeclaredLink:
    """A ward's partnership with a place: its programs and its earliest declared start, with that year's basis
    and program (a partner's own year wins a tie)."""

    ward: Ward
    programs: list[str]
    declared_start: int | None
    basis: str | None = None
    program: str | None = None


@dataclass(frozen=True)
class DeclaredStart:
    """One declared start year of a ward × place partnership: the year, whose it is, and the program giving it."""

    fiscal_year: int
    basis: str
    program: str


@dataclass(frozen=True)
class PairTimeline:
    """Since when a ward has partnered with a place: the editions listing the place in any of the ward's programs
    (observed), and every start year the newest such edition declares for it (declared)."""

    ward: Ward
    place: PlaceRef
    links: list[Link]
    declared: list[DeclaredStart]


@dataclass(frozen=True)
class PrefectureTimeline:
    """Every place of a prefecture (the prefecture itself among them) that a ward has partnered with: one pair
    per place and ward, by place code then ward code."""

    prefecture: PlaceRef
    pairs: list[PairTimeline]


@dataclass(frozen=True)
class MunicipalityTimeline:
    place: PlaceRef
    links: list[Link]
    declared: list[DeclaredLink]


def ward_rows(timeline: WardTimeline) -> list[dict[str, Any]]:
    """Flat rows (JSONL / CSV) of a ward timeline, each with its section and basis."""
    ward = {"code": timeline.ward.code, "name": timeline.ward.name}
    rows: list[dict[str, Any]] = [
        {"section": "edition", "basis": "observed", "ward": ward, **asdict(row)} for row in timeline.editions
    ]
    rows += [
        {
            "section": "place",
            "basis": "observed",
            "ward": ward,
            "place": asdict(row.place),
            "editions": row.editions,
            "declared_start": row.declared_start,
        }
        for row in timeline.places
    ]
    rows += [
        {
            "section": "declared",
            "basis": row.basis,
            "ward": ward,
            "fiscal_year": row.fiscal_year,
            "places": [asdict(p) for p in row.places],
            "program_names": row.programs,
            "program": row.program,
        }
        for row in timeline.declared
    ]
    return rows


def municipality_rows(timeline: MunicipalityTimeline) -> list[dict[str, Any]]:
    place = asdict(timeline.place)
    rows: list[dict[str, Any]] = [
        {
            "section": "link",
            "basis": "observed",
            "place": place,
            "edition": link.edition,
            "ward": {"code": link.ward.code, "name": link.ward.name},
            "program_names": link.programs,
        }
        for link in timeline.links
    ]
    rows += [
        {
            "section": "declared",
            "basis": d.basis,
            "place": place,
            "ward": {"code": d.ward.code, "name": d.ward.name},
            "program_names": d.programs,
            "declared_start": d.declared_start,
            "program": d.program,
        }
        for d in timeline.declared
    ]
    return rows


def pair_rows(timeline: PairTimeline, prefecture: PlaceRef | None = None) -> list[dict[str, Any]]:
    """Flat rows of a ward × place timeline: observed links, then declared start years (basis partner|program)."""
    ward = {"code": timeline.ward.code, "name": timeline.ward.name}
    place = asdict(timeline.place)
    extra = {"prefecture": asdict(prefecture)} if prefecture else {}
    rows: list[dict[str, Any]] = [
        {
            "section": "link",
            "basis": "observed",
            **extra,
            "place": place,
            "edition": link.edition,
            "ward": ward,
            "program_names": link.programs,
        }
        for link in timeline.links
    ]
    rows += [
        {
            "section": "declared",
            "basis": d.basis,
            **extra,
            "place": place,
            "ward": ward,
            "fiscal_year": d.fiscal_year,
            "program_names": [d.program],
            "program": d.program,
        }
        for d in timeline.declared
    ]
    return rows


def prefecture_rows(timeline: PrefectureTimeline) -> list[dict[str, Any]]:
    """Flat rows of a prefecture roll-up: each pair's rows, each with the prefecture."""
    return [row for pair in timeline.pairs for row in pair_rows(pair, timeline.prefecture)]


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


CSV_COLUMNS = (
    "section", "basis", "edition", "fiscal_year", "ward_code", "ward_name", "place_code", "place_name",
    "programs", "partner_places", "program_names", "programs_added", "programs_ended", "editions", "declared_start",
    "program",
)  # fmt: skip


CSV_HEADERS_JA: dict[str, str] = {
    "section": "区分",
    "basis": "根拠",
    "edition": "版",
    "fiscal_year": "年度",
    "ward_code": "区コード",
    "ward_name": "区名",
    "place_code": "団体コード",
    "place_name": "連携自治体等",
    "programs": "事業数",
    "partner_places": "連携自治体数",
    "program_names": "事業名",
    "programs_added": "新規事業",
    "programs_ended": "終了事業",
    "editions": "掲載された版",
    "declared_start": "事業開始年度（記載）",
    "program": "年度の出典の事業",
}


def to_csv(rows: Sequence[dict[str, Any]], headers: str = "ja") -> str:
    """Timeline rows as CSV, columns CSV_COLUMNS (lists joined with " / "; the command prefixes a BOM for Excel).

    `headers`: "ja" (Japanese column names, for people) or "en" (the CSV_COLUMNS keys, for scripts). Every cell
    a spreadsheet would evaluate is neutralised (renkei.report.csv_.neutralise).
    """
    table: list[list[str]] = []
    for row in rows:
        ward = row.get("ward") or {}
        place = row.get("place") or {}
        places = row.get("places")
        table.append(
            [
                str(cell)
                for cell in (
                    row["section"],
                    row["basis"],
                    row.get("edition", ""),
                    row.get("fiscal_year", ""),
                    ward.get("code", ""),
                    ward.get("name", ""),
                    place.get("code", "") if place else " / ".join(p["code"] for p in places or []),
                    place.get("name", "") if place else " / ".join(p["name"] for p in places or []),
                    row.get("programs", ""),
                    row.get("partner_places", ""),
                    " / ".join(row.get("program_names", [])),
                    " / ".join(row.get("programs_added", [])),
                    " / ".join(row.get("programs_ended", [])),
                    " / ".join(row.get("editions", [])),
                    "" if row.get("declared_start") is None else row["declared_start"],
                    row.get("program") or "",
                )
            ]
        )
    return write_csv(header_row(CSV_COLUMNS, headers, CSV_HEADERS_JA), table)


# -- names the timeline command accepts beyond a ward (renkei.normalise.wards) and a place (place_named) ------
def _name_key(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def prefecture_named(text: str) -> Place:
    """The prefecture a user names: 群馬県, 群馬 or its code 100005 (北海道 and 東京都 / 東京 alike).

    Raises UnknownNameError, with the nearest prefecture as "did you mean" when one is close.
    """
    key = _name_key(text)
    spellings: dict[str, Place] = {}
    for place in load_reference():
        if place.is_prefecture:
            spellings[place.prefecture] = place
            spellings[place.code] = place
            if place.prefecture != "北海道":
                spellings[place.prefecture[:-1]] = place
    if key in spellings:
        return spellings[key]
    message = f"{text!r} is not one of the 47 prefectures"
    suggestion = _nearest(key, {name: place.name for name, place in spellings.items() if not name.isdigit()})
    raise UnknownNameError(f"{message}; did you mean {suggestion}?" if suggestion else message)


def suggest_place(text: str) -> str | None:
    """The reference-list place(s) nearest to a municipality name that matched nothing, for "did you mean".

    Names are compared without their final 市/町/村/区 (嬬恋町 → 群馬県嬬恋村); places that tie are all named.
    """
    from rapidfuzz import fuzz, process

    stems: dict[str, list[str]] = {}
    for place in load_reference():
        if place.city:
            for spelling in (place.name, place.city):
                stems.setdefault(_stem(spelling), []).append(place.name)
    key = _stem(_name_key(text))
    if not key:
        return None
    found = process.extract(key, list(stems), scorer=fuzz.ratio, score_cutoff=70, limit=5)
    if not found:
        return None
    best = [stem for stem, score, _ in found if score == found[0][1]]
    return "、".join(dict.fromkeys(name for stem in best for name in stems[stem]))


def _stem(name: str) -> str:
    return name[:-1] if len(name) > 1 and name[-1] in "市町村区" else name


def _nearest(key: str, spellings: dict[str, str], cutoff: float = 70) -> str | None:
    from rapidfuzz import fuzz, process

    if not key:
        return None
    best = process.extractOne(key, list(spellings), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return spellings[best[0]] if best else None
