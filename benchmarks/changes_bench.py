"""Time to compute the changes between two editions (matching + diff; parse excluded), and how it grows
with edition size: the real 2026 edition against a derived earlier one (26 changes plus noise), then the
same at 2× and 4× (every program copied under a distinct name). Target: < 1 s for the real size.
Run: .venv/bin/python benchmarks/changes_bench.py
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import print_figures
from renkei.diff import diff_editions
from renkei.match import match_editions
from renkei.parse.edition import edition_from_text
from renkei.records import Record
from tests.derive import DerivedEdition, derive


def scaled(records: tuple[Record, ...], factor: int) -> list[Record]:
    """`factor` copies of an edition's programs, each copy under its own names (and seq within its ward)."""
    out: list[Record] = []
    counters: dict[str, int] = {}
    for copy in range(factor):
        for record in records:
            counters[record.ward.code] = counters.get(record.ward.code, 0) + 1
            suffix = "" if copy == 0 else f"（第{copy + 1}系統）"
            out.append(
                replace(
                    record,
                    name=record.name + suffix,
                    name_key=record.name_key + suffix.replace("（", "(").replace("）", ")"),
                    seq=counters[record.ward.code],
                )
            )
    return out


def timed(old: list[Record], new: list[Record], runs: int = 5) -> tuple[float, int]:
    seconds = []
    events = 0
    for _ in range(runs):
        start = time.perf_counter()
        events = len(diff_editions(old, new, match_editions(old, new)))
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), events


def main() -> None:
    new = DerivedEdition.real().records
    old = edition_from_text(derive(26, date(2025, 3, 31), changes=26).text()).records
    rows = []
    base = None
    for factor in (1, 2, 4):
        seconds, events = timed(scaled(old, factor), scaled(new, factor))
        base = base or seconds
        rows.append(
            (
                f"{factor}× ({len(new) * factor} programs), {events} events",
                f"{seconds:.3f} s",
                "target < 1 s" if factor == 1 else f"{seconds / base:.1f}× the 1× time",
            )
        )
    print_figures("changes: match + diff of two editions (median of 5)", rows)


if __name__ == "__main__":
    main()
