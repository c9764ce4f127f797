"""Helpers shared by the benchmark scripts: timing in fresh interpreters, figures printed as a table."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_EDITION = PROJECT_ROOT / "snapshots" / "bundled" / "2026-03-31-extracted.txt"


def in_fresh_interpreter(code: str, runs: int = 5) -> list[dict[str, float]]:
    """Run `code` (which prints one JSON object) in `runs` new interpreters; interpreter start is not timed."""
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=PROJECT_ROOT)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_figures(title: str, rows: list[tuple[str, str, str]]) -> None:
    """rows: (measure, value, target)."""
    print(f"\n== {title}")
    width = max(len(r[0]) for r in rows)
    for measure, value, target in rows:
        print(f"  {measure:<{width}}  {value:>14}  {target}")
