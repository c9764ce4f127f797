"""Partnership timelines: what was observed edition by edition, and what the editions declare.

Only editions since deployment are *observed*; the 事業開始年度 column *declares* when a partnership began,
back to the 1970s. Both are shown, each marked as what it is (`basis`: "observed" or "declared").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from renkei.records import Ward


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
    partnership says."""

    fiscal_year: int
    places: list[PlaceRef]
    programs: list[str]


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
    ward: Ward
    programs: list[str]
    declared_start: int | None


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
            "basis": "declared",
            "ward": ward,
            "fiscal_year": row.fiscal_year,
            "places": [asdict(p) for p in row.places],
            "program_names": row.programs,
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
            "basis": "declared",
            "place": place,
            "ward": {"code": d.ward.code, "name": d.ward.name},
            "program_names": d.programs,
            "declared_start": d.declared_start,
        }
        for d in timeline.declared
    ]
    return rows


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


CSV_COLUMNS = (
    "section", "basis", "edition", "fiscal_year", "ward_code", "ward_name", "place_code", "place_name",
    "programs", "partner_places", "program_names", "programs_added", "programs_ended", "editions", "declared_start",
)  # fmt: skip


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """Timeline rows as CSV, columns CSV_COLUMNS (lists joined with " / "; the command prefixes a BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        ward = row.get("ward") or {}
        place = row.get("place") or {}
        places = row.get("places")
        writer.writerow(
            [
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
            ]
        )
    return buffer.getvalue()
