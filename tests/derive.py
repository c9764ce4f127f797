"""Derived editions: earlier editions made from the real 2026 text with known changes and known noise.

A `DerivedEdition` edits the real extracted text line by line (never the parser's records), and records the
ground truth of every change as the event the later (real) edition should show against it: dropping a
partner here means "partner_added" in the real edition. Noise edits must produce no event at all.

The parser is used once, on the real edition, only to know which source lines form each entry.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from renkei.normalise.eras import format_era_year
from renkei.normalise.text import text_key
from renkei.parse.edition import edition_from_text, read_edition
from renkei.records import Record
from tests.conftest import HEADER, REAL_EDITION, place_code

WRAPPED_HEADER = "各特別 区名\t連携カテ ゴリ\t事業名称等\t事業 主体\t連携相手方\t事業内容\t事業開始 年度"
# Places added as partners in derived editions: real municipalities, spread over Japan.
SPARE_PLACES = (
    "北海道旭川市", "青森県八戸市", "岩手県遠野市", "宮城県名取市", "秋田県男鹿市", "山形県酒田市", "福島県会津若松市",
    "茨城県日立市", "栃木県那須町", "群馬県草津町", "新潟県長岡市", "長野県安曇野市", "静岡県熱海市", "愛知県岡崎市",
    "三重県鳥羽市", "京都府舞鶴市", "兵庫県洲本市", "岡山県倉敷市", "愛媛県今治市", "高知県四万十市", "福岡県柳川市",
    "長崎県雲仙市", "熊本県阿蘇市", "大分県別府市", "宮崎県高千穂町", "鹿児島県指宿市", "沖縄県石垣市",
)  # fmt: skip


@dataclass(frozen=True)
class Truth:
    """One change the later edition shows against the derived one (see contracts: change events)."""

    kind: str
    ward: str  # ward code
    name_key: str  # the program's name key in the edition where the event is reported
    partner: str | None = None  # place code
    field: str | None = None
    previous_name_key: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(
            str(v) for v in (self.kind, self.ward, self.name_key, self.partner, self.field, self.previous_name_key)
        )


@dataclass
class Line:
    cells: list[str] | None  # None for title, blank and header lines
    raw: str = ""
    entry: int | None = None  # index of the real record the line belongs to

    def render(self) -> str:
        return "\t".join(self.cells) if self.cells is not None else self.raw


@lru_cache(maxsize=1)
def _real() -> tuple[tuple[str, ...], tuple[Record, ...]]:
    return tuple(REAL_EDITION.read_text(encoding="utf-8").splitlines()), read_edition(REAL_EDITION).records


def real_text() -> str:
    return REAL_EDITION.read_text(encoding="utf-8")


@dataclass
class DerivedEdition:
    lines: list[Line]
    records: tuple[Record, ...]
    truths: list[Truth] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # entries already changed (one change per entry)
    # (ward, place code, +1/-1): how this edition's programs listing a place differ from the base edition's
    place_changes: list[tuple[str, str, int]] = field(default_factory=list)
    dropped_partners: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def real(cls) -> DerivedEdition:
        text_lines, records = _real()
        return cls._build(text_lines, records)

    @classmethod
    def from_text(cls, text: str) -> DerivedEdition:
        """Start from any extracted text (e.g. the previous derived edition, for a chain of editions)."""
        return cls._build(tuple(text.splitlines()), edition_from_text(text).records)

    @classmethod
    def _build(cls, text_lines: tuple[str, ...], records: tuple[Record, ...]) -> DerivedEdition:
        owner = {n: i for i, r in enumerate(records) for n in r.provenance.lines}
        lines = []
        for number, text in enumerate(text_lines, start=1):
            if number in owner:
                lines.append(Line(cells=(text.split("\t") + [""] * 7)[:7], entry=owner[number]))
            else:
                lines.append(Line(cells=None, raw=text))
        return cls(lines=lines, records=records)

    # -- plumbing -----------------------------------------------------------------------------------------
    def text(self) -> str:
        return "\n".join(line.render() for line in self.lines) + "\n"

    def expected(self) -> set[tuple[str, ...]]:
        """Every event the later edition shows against this one, program- and ward-level, as keys."""
        keys = {t.key for t in self.truths}
        before: dict[str, Counter[str]] = defaultdict(Counter)  # ward → place → programs listing it (derived)
        after: dict[str, Counter[str]] = defaultdict(Counter)  # the same in the base edition
        for record in self.records:
            for code in {p.code for p in record.partners if p.code}:
                after[record.ward.code][code] += 1
                before[record.ward.code][code] += 1
        for ward, code, delta in self.place_changes:
            before[ward][code] += delta
        for ward in set(before) | set(after):
            was = {c for c, n in before[ward].items() if n > 0}
            now = {c for c, n in after[ward].items() if n > 0}
            keys |= {Truth("municipality_linked", ward, "", partner=c).key for c in now - was}
            keys |= {Truth("municipality_unlinked", ward, "", partner=c).key for c in was - now}
        return keys

    def set_as_of(self, as_of: date) -> None:
        era = format_era_year(as_of.year, fiscal=False).removesuffix("年")
        for line in self.lines:
            if line.cells is None and "現在" in line.raw:
                line.raw = f"{era}年{as_of.month}月{as_of.day}日現在"

    def _lines_of(self, entry: int) -> list[Line]:
        return [line for line in self.lines if line.entry == entry]

    def _simple_entries(self, rng: random.Random, *, partners: int = 1) -> list[int]:
        """Entries safe to edit: one contiguous block of rows with one start row, no warning, not yet touched."""
        chosen = []
        for index, record in enumerate(self.records):
            lines = record.provenance.lines
            if index in self.touched or record.warnings or len(record.partners) < partners:
                continue
            if list(lines) != list(range(lines[0], lines[0] + len(lines))):
                continue
            starts = [line for line in self._lines_of(index) if line.cells and line.cells[0]]
            if len(starts) != 1 or any(p.code is None for p in record.partners):
                continue
            if self._same_key_neighbour(index):
                continue
            chosen.append(index)
        rng.shuffle(chosen)
        return chosen

    def _same_key_neighbour(self, index: int) -> bool:
        record = self.records[index]
        for other in (index - 1, index + 1):
            if 0 <= other < len(self.records):
                neighbour = self.records[other]
                if neighbour.ward == record.ward and neighbour.name_key == record.name_key:
                    return True
        return False

    def _pick(self, rng: random.Random, *, partners: int = 1, where=None) -> int:  # type: ignore[no-untyped-def]
        for index in self._simple_entries(rng, partners=partners):
            if where is None or where(self.records[index]):
                self.touched.add(index)
                return index
        raise LookupError("no entry left for this change")

    def _truth(self, kind: str, index: int, **extra: str | None) -> Truth:
        record = self.records[index]
        truth = Truth(kind, record.ward.code, record.name_key, **extra)
        self.truths.append(truth)
        return truth

    # -- changes (each recorded as the event the real edition shows) --------------------------------------
    def drop_program(self, rng: random.Random) -> Truth:
        index = self._pick(rng)
        self.lines = [line for line in self.lines if line.entry != index]
        record = self.records[index]
        self.place_changes += [(record.ward.code, c, -1) for c in {p.code for p in record.partners if p.code}]
        return self._truth("program_added", index)

    def add_program(self, rng: random.Random) -> Truth:
        index = self._pick(rng)
        record = self.records[index]
        place = rng.choice(SPARE_PLACES)
        name = f"{rng.choice(('地域交流', '物産', '体験', '観光'))}フェア試行事業{rng.randint(1, 99)}"
        start = Line(
            cells=[record.ward.name.removesuffix("区"), "その他", name, "区", place, f"{name}を試行した。", "令和2年度"]
        )
        last = max(i for i, line in enumerate(self.lines) if line.entry == index)
        self.lines.insert(last + 1, start)
        self.place_changes.append((record.ward.code, place_code(place), +1))
        truth = Truth("program_removed", record.ward.code, text_key(name))
        self.truths.append(truth)
        return truth

    def drop_partner(self, rng: random.Random) -> Truth:
        """Remove a partner that stands on its own row (with its start year, if any)."""

        def has_own_row(record: Record) -> bool:
            return any(self._own_row(self.records.index(record), p) for p in record.partners[1:])

        index = self._pick(rng, partners=2, where=has_own_row)
        partner = next(p for p in self.records[index].partners[1:] if self._own_row(index, p))
        row = self._own_row(index, partner)
        self.lines.remove(row)
        self.place_changes.append((self.records[index].ward.code, partner.code, -1))
        return self._truth("partner_added", index, partner=partner.code)

    def _own_row(self, index: int, partner) -> Line | None:  # type: ignore[no-untyped-def]
        for line in self._lines_of(index):
            cells = line.cells or []
            if not cells[0] and not cells[2] and text_key(cells[4]) == text_key(partner.text) and not cells[5]:
                return line
        return None

    def add_partner(self, rng: random.Random) -> Truth:
        index = self._pick(rng)
        codes = {p.code for p in self.records[index].partners}
        place = next(p for p in rng.sample(SPARE_PLACES, len(SPARE_PLACES)) if place_code(p) not in codes)
        last = max(i for i, line in enumerate(self.lines) if line.entry == index)
        self.lines.insert(last + 1, Line(cells=["", "", "", "", place, "", ""], entry=index))
        self.place_changes.append((self.records[index].ward.code, place_code(place), +1))
        return self._truth("partner_removed", index, partner=place_code(place))

    def rename_year(self, rng: random.Random) -> Truth:
        index = self._pick(rng, where=lambda r: re.search(r"20\d\d", r.name) is not None)
        old_key = self.records[index].name_key
        for line in self._lines_of(index):
            if line.cells and line.cells[2]:
                line.cells[2] = re.sub(r"20(\d\d)", lambda m: f"20{int(m.group(1)) - 1:02d}", line.cells[2])
        derived_key = re.sub(r"20(\d\d)", lambda m: f"20{int(m.group(1)) - 1:02d}", old_key)
        return self._truth("program_renamed", index, previous_name_key=derived_key)

    def rename_wording(self, rng: random.Random) -> Truth:
        index = self._pick(rng, where=lambda r: len(r.name) >= 6 and len(r.content) >= 15)
        old_name = self.records[index].name
        new_name = old_name + "（旧称）" if rng.random() < 0.5 else "第1回" + old_name
        for line in self._lines_of(index):
            if line.cells and line.cells[2]:
                line.cells[2] = new_name
        return self._truth("program_renamed", index, previous_name_key=text_key(new_name))

    def edit_field(self, rng: random.Random, field_name: str) -> Truth:
        column = {"category": 1, "body": 3, "content": 5, "start": 6}[field_name]

        def suitable(record: Record) -> bool:
            if field_name == "content":
                return len(record.content) >= 15
            if field_name == "start":
                return bool(record.start.fiscal_years) and len(record.partners) == 1
            return True

        index = self._pick(rng, where=suitable)
        for line in self._lines_of(index):
            if not (line.cells and line.cells[0]):
                continue
            cell = line.cells[column]
            if field_name == "category":
                line.cells[column] = "観光" if text_key(cell) != "観光" else "産業"
            elif field_name == "body":
                line.cells[column] = "区（実行委員会）" if text_key(cell) != text_key("区（実行委員会）") else "区"
            elif field_name == "content":
                line.cells[column] = cell.replace("。", "", 1) + "（前年度までの内容）"
            else:
                year = min(self.records[index].start.fiscal_years) - 3
                line.cells[column] = format_era_year(year)
        # the category is compared by its tags (renkei.normalise.categories): 観光 and 産業 are tags of their own
        field = "category_tags" if field_name == "category" else field_name
        return self._truth("program_changed", index, field=field)

    # -- noise (must produce no event) --------------------------------------------------------------------
    def rewrap(self, rng: random.Random, count: int = 20) -> None:
        """Move line-wrap spaces inside Japanese names and descriptions."""
        for _ in range(count):
            line = rng.choice([x for x in self.lines if x.cells and x.cells[0] and x.entry is not None])
            column = rng.choice((2, 5))
            text = line.cells[column].replace(" ", "")
            positions = [i for i in range(1, len(text)) if _japanese(text[i - 1]) and _japanese(text[i])]
            if positions:
                at = rng.choice(positions)
                line.cells[column] = text[:at] + " " + text[at:]

    def flip_widths(self, rng: random.Random, count: int = 10) -> None:
        """Full-width brackets become half-width and back."""
        swap = str.maketrans({"（": "(", "）": ")", "(": "（", ")": "）"})
        candidates = [x for x in self.lines if (x.cells and x.cells[0] and "(" in x.cells[2] + x.cells[2]) or
                      (x.cells and x.cells[0] and "（" in x.cells[2])]  # fmt: skip
        for line in rng.sample(candidates, min(count, len(candidates))):
            line.cells[2] = line.cells[2].translate(swap)

    def misprint_partners(self, rng: random.Random) -> None:
        """Put the publisher's old misprint back where it was corrected (嬬恋村 → 嬭恋村)."""
        for line in self.lines:
            if line.cells and "群馬県嬬恋村" in line.cells[4] and rng.random() < 0.5:
                line.cells[4] = line.cells[4].replace("群馬県嬬恋村", "群馬県嬭恋村")

    def _orphan_neighbourhood(self) -> set[int]:
        """Entries that received or kept rows by an orphan judgement, and the entries next to them."""
        involved = {i for i, r in enumerate(self.records) if any(w.kind == "orphan_attached" for w in r.warnings)}
        return involved | {i - 1 for i in involved} | {i + 1 for i in involved}

    def reorder_entries(self, rng: random.Random, count: int = 5) -> None:
        """Swap two adjacent one-line entries of the same ward (their seq changes, nothing else).

        Entries next to an orphan judgement are left in place: which program such rows open depends on the
        neighbours (see renkei/parse/orphans.py), so swapping them is a change of layout, not noise.
        """
        avoid = self._orphan_neighbourhood()
        for _ in range(count):
            singles = [
                i for i in range(len(self.lines) - 1)
                if self.lines[i].entry is not None and self.lines[i + 1].entry is not None
                and self.lines[i].entry != self.lines[i + 1].entry
                and self.lines[i].cells[0] and self.lines[i + 1].cells[0]
                and self.lines[i].cells[0] == self.lines[i + 1].cells[0]
                and sum(1 for x in self.lines if x.entry == self.lines[i].entry) == 1
                and sum(1 for x in self.lines if x.entry == self.lines[i + 1].entry) == 1
                and text_key(self.lines[i].cells[2]) != text_key(self.lines[i + 1].cells[2])
                and self.lines[i].entry not in avoid and self.lines[i + 1].entry not in avoid
            ]  # fmt: skip
            if singles:
                at = rng.choice(singles)
                self.lines[at], self.lines[at + 1] = self.lines[at + 1], self.lines[at]

    def reorder_partner_rows(self, rng: random.Random, count: int = 5) -> None:
        """Reverse the continuation rows of a few entries (the partners' order changes, nothing else)."""
        candidates = [i for i in self._simple_entries(rng, partners=3)
                      if sum(1 for x in self._lines_of(i) if x.cells and not x.cells[0]) >= 2]  # fmt: skip
        for index in candidates[:count]:
            self.touched.add(index)
            rows = [x for x in self._lines_of(index) if x.cells and not x.cells[0]]
            positions = [self.lines.index(x) for x in rows]
            for position, row in zip(positions, reversed(rows), strict=True):
                self.lines[position] = row

    def move_page_breaks(self, rng: random.Random, count: int = 5) -> None:
        """Remove some page headers and add others between entries.

        The first header and the one fused with a category stay; no header is put right before rows that an
        orphan judgement gave to the next program (a page top always continues the program before).
        """
        headers = [i for i, x in enumerate(self.lines) if x.cells is None and "事業名称等" in x.raw]
        removable = [i for i in headers[1:] if "産業" not in self.lines[i].raw]
        for at in sorted(rng.sample(removable, min(count, len(removable))), reverse=True):
            del self.lines[at]
        avoid = self._orphan_neighbourhood()
        for _ in range(count):
            starts = [i for i in range(1, len(self.lines)) if self.lines[i].cells and self.lines[i].cells[0]
                      and self.lines[i - 1].cells is not None and self.lines[i].entry is not None
                      and self.lines[i].entry not in avoid]  # fmt: skip
            at = rng.choice(starts)
            self.lines[at:at] = [Line(cells=None, raw=""), Line(cells=None, raw=rng.choice((HEADER, WRAPPED_HEADER)))]

    def reflow_partners(self, rng: random.Random, count: int = 5) -> None:
        """Split a one-row entry's partner cell (several places, one start year) into continuation rows."""
        done = 0
        for index in self._simple_entries(rng, partners=3):
            lines = self._lines_of(index)
            record = self.records[index]
            if len(lines) != 1 or len(record.start.fiscal_years) > 1 or len(lines[0].cells[4].split()) < 3:
                continue
            tokens = lines[0].cells[4].split()
            if len(tokens) != len(record.partners):
                continue
            self.touched.add(index)
            lines[0].cells[4] = tokens[0]
            at = self.lines.index(lines[0])
            for offset, token in enumerate(tokens[1:], start=1):
                self.lines.insert(at + offset, Line(cells=["", "", "", "", token, "", ""], entry=index))
            done += 1
            if done == count:
                break


def _japanese(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff"


def derive(seed: int, as_of: date, *, changes: int = 6, noise: bool = True, base: str | None = None) -> DerivedEdition:
    """A derived edition with `changes` random changes (and every kind of noise when `noise`).

    Derived from the real edition, or from `base` (the text of another derived edition) to make a chain.
    """
    rng = random.Random(seed)
    edition = DerivedEdition.real() if base is None else DerivedEdition.from_text(base)
    edition.set_as_of(as_of)
    operations = [
        edition.drop_program,
        edition.add_program,
        edition.drop_partner,
        edition.add_partner,
        lambda r: edition.edit_field(r, "content"),
        lambda r: edition.edit_field(r, "category"),
        edition.rename_wording,
        lambda r: edition.edit_field(r, "body"),
        lambda r: edition.edit_field(r, "start"),
        edition.rename_year,
    ]
    for number in range(changes):
        operations[number % len(operations)](rng)
    if noise:
        edition.rewrap(rng)
        edition.flip_widths(rng)
        edition.misprint_partners(rng)
        edition.reorder_entries(rng)
        edition.reorder_partner_rows(rng)
        edition.move_page_breaks(rng)
        edition.reflow_partners(rng)
    return edition
