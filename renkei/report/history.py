"""What the report site shows across editions: per stored edition its program counts and how many programs
began and ended, and in which editions each ward × place partnership was observed.

The warehouse gives it for every stored edition (db/reports.py); without a warehouse it is derived from the
two editions a report compares (`history_of_pair`), and both agree on those two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from renkei.diff import ChangeEvent
from renkei.records import Record


@dataclass(frozen=True)
class EditionSummary:
    """One stored edition: programs per ward, and programs added and ended against its predecessor."""

    as_of: date
    programs_by_ward: Mapping[str, int]
    added_by_ward: Mapping[str, int] = field(default_factory=dict)
    ended_by_ward: Mapping[str, int] = field(default_factory=dict)

    @property
    def programs(self) -> int:
        return sum(self.programs_by_ward.values())

    @property
    def added(self) -> int:
        return sum(self.added_by_ward.values())

    @property
    def ended(self) -> int:
        return sum(self.ended_by_ward.values())


@dataclass(frozen=True)
class History:
    """Stored editions up to the one reported on (oldest first), and the partnerships observed in each:
    (ward code, place code) → indexes into `editions`, ascending."""

    editions: tuple[EditionSummary, ...]
    observed: Mapping[tuple[str, str], tuple[int, ...]]

    def observed_dates(self, ward_code: str, place_code: str) -> list[date]:
        return [self.editions[i].as_of for i in self.observed.get((ward_code, place_code), ())]


def partner_codes(record: Record) -> tuple[str, ...]:
    """The places a program lists, in order, each once (partners without a code are not places)."""
    return tuple(dict.fromkeys(p.code for p in record.partners if p.code))


def observed_pairs(records: Sequence[Record]) -> set[tuple[str, str]]:
    """The ward × place partnerships an edition lists."""
    return {(r.ward.code, code) for r in records for code in partner_codes(r)}


def _counts(events: Sequence[ChangeEvent], kind: str) -> dict[str, int]:
    return dict(Counter(e.ward.code for e in events if e.kind == kind))


def history_of_pair(
    records: Sequence[Record],
    edition: date,
    previous_records: Sequence[Record] = (),
    previous: date | None = None,
    events: Sequence[ChangeEvent] = (),
) -> History:
    """The history a report of one edition against its predecessor knows without a warehouse."""
    current = EditionSummary(
        edition,
        dict(Counter(r.ward.code for r in records)),
        _counts(events, "program_added"),
        _counts(events, "program_removed"),
    )
    if previous is None:
        return History((current,), {pair: (0,) for pair in observed_pairs(records)})
    before = EditionSummary(previous, dict(Counter(r.ward.code for r in previous_records)))
    old, new = observed_pairs(previous_records), observed_pairs(records)
    observed = {pair: tuple(i for i, seen in enumerate((pair in old, pair in new)) if seen) for pair in old | new}
    return History((before, current), observed)


def edition_runs(dates: Sequence[date], all_dates: Sequence[date]) -> list[tuple[date, date]]:
    """`dates` (a subset of `all_dates`, both ascending) as runs of consecutive editions: [(first, last), …]."""
    position = {d: i for i, d in enumerate(all_dates)}
    runs: list[tuple[date, date]] = []
    for d in dates:
        if runs and position[d] == position[runs[-1][1]] + 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs
