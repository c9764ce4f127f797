"""Typed records of one edition: what the parser produces and what every later stage consumes.

These are plain frozen dataclasses. The JSON shape is fixed by ../shared/docs/contracts.md
("Record"); `record_to_dict` / `record_from_dict` are its only serialisers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from renkei.normalise.categories import category_tags

PartnerKind = Literal["municipality", "prefecture", "organisation", "group", "unknown"]
SourceFormat = Literal["text", "pdf", "xlsx"]


@dataclass(frozen=True)
class Provenance:
    """Where something came from: text lines, PDF pages and rows, or an XLSX sheet and rows (all 1-based)."""

    lines: tuple[int, ...] = ()
    pages: tuple[int, ...] = ()
    rows: tuple[int, ...] = ()
    sheet: str | None = None

    def merged(self, other: Provenance) -> Provenance:
        return Provenance(
            lines=tuple(sorted(set(self.lines) | set(other.lines))),
            pages=tuple(sorted(set(self.pages) | set(other.pages))),
            rows=_merge_rows(self.rows, other.rows),
            sheet=self.sheet or other.sheet,
        )

    def describe(self) -> str:
        """A short human form: "line 8", "lines 67–71", "page 3 rows 4–6", "sheet 一覧 rows 10–12"."""
        if self.lines:
            return _span("line", self.lines)
        if self.pages:
            return f"{_span('page', self.pages)} {_span('row', self.rows)}".strip()
        if self.sheet is not None:
            return f"sheet {self.sheet} {_span('row', self.rows)}".strip()
        return "?"

    def to_dict(self) -> dict[str, Any]:
        if self.lines:
            return {"lines": list(self.lines)}
        if self.pages:
            return {"pages": list(self.pages), "rows": list(self.rows)}
        if self.sheet is not None:
            return {"sheet": self.sheet, "rows": list(self.rows)}
        return {}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            lines=tuple(data.get("lines", ())),
            pages=tuple(data.get("pages", ())),
            rows=tuple(data.get("rows", ())),
            sheet=data.get("sheet"),
        )


def _merge_rows(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    # PDF rows are numbered per page, so they are kept in reading order rather than deduplicated.
    return a + tuple(r for r in b if r not in a) if a and b else a or b


def _span(label: str, numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"{label} {numbers[0]}"
    runs: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:]:
        if n == prev + 1:
            prev = n
            continue
        runs.append(f"{start}" if start == prev else f"{start}–{prev}")
        start = prev = n
    runs.append(f"{start}" if start == prev else f"{start}–{prev}")
    return f"{label}s {', '.join(runs)}"


@dataclass(frozen=True)
class ParseWarning:
    """Something an analyst may want to check in the source, with where it is.

    `kind` is one of the WARNING_KINDS keys; `message` is Japanese-friendly English naming the evidence.
    """

    kind: str
    message: str
    provenance: Provenance = field(default_factory=Provenance)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, **self.provenance.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParseWarning:
        return cls(kind=data["kind"], message=data["message"], provenance=Provenance.from_dict(data))


WARNING_KINDS: dict[str, str] = {
    "unresolved_partner": "partner not resolved to a place",
    "ambiguous_partner": "partner matches several places; not guessed",
    "correction_applied": "misprint corrected",
    "partner_from_note": "partner read from a note in the partner cell",
    "duplicate_row_merged": "identical row merged",
    "duplicate_partner": "place listed twice in one entry",
    "invisible_removed": "invisible or control characters removed from a cell",
    "column_ignored": "column not part of the table ignored",
    "column_missing": "column missing from the header; read as empty",
    "sheet_skipped": "sheet skipped (cover, notes or hidden)",
    "orphan_attached": "orphan row attached by judgement",
    "cut_cell": "cut cell",
    "unreadable_year": "start year not readable",
    "markup_removed": "markup removed from a cell",
    "fused_header": "page header fused with a value",
    "malformed_row": "row with an unexpected number of cells",
}


@dataclass(frozen=True)
class Ward:
    code: str
    name: str


@dataclass(frozen=True)
class Start:
    """The 事業開始年度 cells of an entry: their display text and every fiscal year they name."""

    text: str
    fiscal_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Partner:
    text: str
    name: str
    code: str | None
    kind: PartnerKind
    start_fiscal_year: int | None = None
    correction: str | None = None

    @property
    def identity(self) -> str:
        """What makes two partners "the same place": the code, or the normalised text when there is none."""
        from renkei.normalise.text import text_key

        return self.code if self.code else f"text:{text_key(self.name)}"


@dataclass(frozen=True)
class Record:
    """One program entry of one edition, as in the contract."""

    edition: date
    ward: Ward
    seq: int
    category: str
    name: str
    name_key: str
    body: str
    content: str
    start: Start
    partners: tuple[Partner, ...]
    provenance: Provenance
    warnings: tuple[ParseWarning, ...] = ()

    @property
    def category_tags(self) -> tuple[str, ...]:
        """The canonical categories of the raw `category` (renkei.normalise.categories)."""
        return category_tags(self.category)


@dataclass(frozen=True)
class Edition:
    """A parsed edition: its as-of date, title, records in document order, and every parser warning."""

    as_of: date
    title: str
    source_format: SourceFormat
    records: tuple[Record, ...]
    warnings: tuple[ParseWarning, ...] = ()


def record_to_dict(record: Record) -> dict[str, Any]:
    """The contract's JSON object for one record (key order as in the contract)."""
    return {
        "edition": record.edition.isoformat(),
        "ward": {"code": record.ward.code, "name": record.ward.name},
        "seq": record.seq,
        "category": record.category,
        "category_tags": list(record.category_tags),
        "name": record.name,
        "name_key": record.name_key,
        "body": record.body,
        "content": record.content,
        "start": {"text": record.start.text, "fiscal_years": list(record.start.fiscal_years)},
        "partners": [
            {
                "text": p.text,
                "name": p.name,
                "code": p.code,
                "kind": p.kind,
                "start_fiscal_year": p.start_fiscal_year,
                "correction": p.correction,
            }
            for p in record.partners
        ],
        "provenance": record.provenance.to_dict(),
        "warnings": [w.to_dict() for w in record.warnings],
    }


def record_from_dict(data: dict[str, Any]) -> Record:
    """Inverse of `record_to_dict` (`category_tags` follow from `category`)."""
    return Record(
        edition=date.fromisoformat(data["edition"]),
        ward=Ward(code=data["ward"]["code"], name=data["ward"]["name"]),
        seq=int(data["seq"]),
        category=data["category"],
        name=data["name"],
        name_key=data["name_key"],
        body=data["body"],
        content=data["content"],
        start=Start(text=data["start"]["text"], fiscal_years=tuple(data["start"]["fiscal_years"])),
        partners=tuple(
            Partner(
                text=p["text"],
                name=p["name"],
                code=p["code"],
                kind=p["kind"],
                start_fiscal_year=p["start_fiscal_year"],
                correction=p["correction"],
            )
            for p in data["partners"]
        ),
        provenance=Provenance.from_dict(data["provenance"]),
        warnings=tuple(ParseWarning.from_dict(w) for w in data["warnings"]),
    )
