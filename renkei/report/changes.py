"""What `renkei changes --format md|table` shows, prepared once for both renderers: no formatting here.

The events alone name a program and where it was printed; a new or ended program is shown with what the
edition says about it (category tags, partners, description, start year), read from the edition's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renkei.records import Record, Ward
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.report.view import UNCATEGORISED, Item, ReportInput, _item, record_at


@dataclass(frozen=True)
class ProgramDetail:
    """A new or ended program as its edition prints it."""

    category: str  # the printed value
    tags: tuple[str, ...]  # how the index counts it (renkei.normalise.categories)
    partners: tuple[str, ...]  # every partner's name, in printed order
    description: str  # 事業内容, in full
    start_text: str  # 事業開始年度 as printed ("" when empty)
    fiscal_years: tuple[int, ...]

    @classmethod
    def of(cls, record: Record) -> ProgramDetail:
        return cls(
            category=record.category,
            tags=record.category_tags,
            partners=tuple(p.name for p in record.partners),
            description=record.content,
            start_text=record.start.text,
            fiscal_years=record.start.fiscal_years,
        )

    @property
    def tags_text(self) -> str:
        """ "観光、文化" — with the printed value when it says it otherwise: "観光、文化（表記: 観光・文化交流）"."""
        tags = "、".join(self.tags) or UNCATEGORISED
        if self.category and self.category != "・".join(self.tags):
            tags += f"（表記: {self.category}）"
        return tags

    def partners_text(self, first: int | None = None) -> str:
        """All partners, or the first `first` and "ほかM"; "なし" when there are none."""
        if not self.partners:
            return "なし"
        if first is None or len(self.partners) <= first:
            return "、".join(self.partners)
        return "、".join(self.partners[:first]) + f" ほか{len(self.partners) - first}"

    @property
    def start(self) -> str:
        """ "平成27年度（2015年度）"; "記載なし" when the cell is empty."""
        years = "、".join(f"{y}年度" for y in self.fiscal_years)
        if not self.start_text:
            return years or "記載なし"
        return f"{self.start_text}（{years}）" if years and years != self.start_text else self.start_text


@dataclass(frozen=True)
class Line:
    """One change: the report item, and for a new or ended program its detail."""

    item: Item
    detail: ProgramDetail | None = None


@dataclass(frozen=True)
class WardChanges:
    ward: Ward
    sections: list[tuple[str, list[Line]]]  # only sections with changes, in SECTIONS order
    previous_programs: int
    programs: int

    @property
    def total(self) -> int:
        return sum(len(lines) for _, lines in self.sections)


@dataclass(frozen=True)
class ChangesView:
    """The changes between two editions, of one ward (`ward`) or all, with both editions' program counts."""

    previous: date
    edition: date
    ward: Ward | None
    previous_programs: int
    programs: int
    wards: list[WardChanges]  # wards with at least one change, in code order

    @property
    def total(self) -> int:
        return sum(w.total for w in self.wards)

    @property
    def headline(self) -> str:
        """ "千代田区: 令和7年3月31日 → 令和8年3月31日、事業数 27 → 27、変更なし" (no ward: every ward's count)."""
        ward = f"{self.ward.name}: " if self.ward is not None else ""
        changes = f"変更 {self.total} 件" if self.total else "変更なし"
        span = f"{date_ja(self.previous)} → {date_ja(self.edition)}"
        return f"{ward}{span}、事業数 {self.previous_programs} → {self.programs}、{changes}"


def _line(event, data: ReportInput) -> Line:  # type: ignore[no-untyped-def]
    item = _item(event, data)
    record = None
    if event.kind == "program_added":
        record = record_at(data.records, event.new_index, event.new_provenance)
    elif event.kind == "program_removed":
        record = record_at(data.previous_records, event.old_index, event.old_provenance)
    return Line(item, ProgramDetail.of(record) if record is not None else None)


def changes_view(data: ReportInput, ward: Ward | None = None) -> ChangesView:
    """The view of `data`'s events (of `ward` only, when given); `data.previous` must be set."""
    if data.previous is None:
        raise ValueError("changes_view needs two editions (data.previous is None)")
    in_scope = (lambda code: code == ward.code) if ward is not None else (lambda code: True)
    records = [r for r in data.records if in_scope(r.ward.code)]
    previous_records = [r for r in data.previous_records if in_scope(r.ward.code)]
    by_ward: dict[str, list] = {}  # type: ignore[type-arg]
    for event in data.events:
        if in_scope(event.ward.code):
            by_ward.setdefault(event.ward.code, []).append(event)
    wards = []
    for code in sorted(by_ward):
        events = by_ward[code]
        sections = []
        for title, kinds in SECTIONS:
            lines = [_line(e, data) for e in events if e.kind in kinds]
            if lines:
                sections.append((title, lines))
        wards.append(
            WardChanges(
                ward=events[0].ward,
                sections=sections,
                previous_programs=sum(r.ward.code == code for r in previous_records),
                programs=sum(r.ward.code == code for r in records),
            )
        )
    return ChangesView(
        previous=data.previous,
        edition=data.edition,
        ward=ward,
        previous_programs=len(previous_records),
        programs=len(records),
        wards=wards,
    )
