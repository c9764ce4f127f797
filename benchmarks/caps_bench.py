"""Inputs far too big are refused quickly and in little memory (targets: within 30 s, under 300 MB).

Each input is generated into a temporary folder (tests/test_caps.py's generators) and given to `renkei parse`
in a fresh process; wall time and the peak RSS of that process (getrusage of an intermediate process whose
only child it is) are reported.

1. A 150 MB text edition (the real rows repeated): under the defaults the file size refuses it; with that cap
   raised, the row cap refuses it while the file streams.
2. A 300,000-row XLSX (openpyxl write-only): the same, with the uncompressed-size cap.
3. A text edition whose one line is 50 MB long: the cell cap refuses it before the line ends.
4. The real edition's data repeated 21 times (37,551 rows, under the row cap): the programs cap refuses it after
   the rows are assembled — the slowest refusal within the caps.
5. The 2026 edition as a PDF (about 95 pages, two workers) with the row cap at 500: the page workers stop early.
Run: .venv/bin/python benchmarks/caps_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REAL_EDITION, print_figures
from renkei.parse.edition import read_edition
from tests.test_caps import parse_in_subprocess, write_big_text, write_big_xlsx, write_long_line

RAISED = {"RENKEI_MAX_FILE_BYTES": str(2**30), "RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES": str(2**30)}
TARGET = "< 30 s, < 300 MiB"


def _figure(
    label: str, path: Path, messages: list[str], env: dict[str, str] | None = None, target: str = TARGET
) -> tuple[str, str, str]:
    run = parse_in_subprocess(path, env)
    said = str(run["stderr"]).strip().replace(f"{path.parent}/", "") or f"accepted (exit {run['code']})"
    messages.append(f"{label}: {said}")
    return (label, f"{run['seconds']:.1f} s  {run['peak_mib']:.0f} MiB", target)


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    messages: list[str] = []
    with tempfile.TemporaryDirectory(prefix="renkei-caps-bench-") as work:
        folder = Path(work)
        rows.append(_figure("the 2026 edition, accepted", REAL_EDITION, messages, target="for comparison"))

        text = folder / "big.txt"
        write_big_text(text, 150_000_000)
        size = f"{text.stat().st_size / 1e6:.0f} MB"
        rows.append(_figure(f"text {size}, defaults", text, messages))
        rows.append(_figure(f"text {size}, file-size cap raised", text, messages, RAISED))

        xlsx = folder / "big.xlsx"
        start = time.perf_counter()
        write_big_xlsx(xlsx, 300_000)
        made = time.perf_counter() - start
        rows.append(_figure("XLSX 300,000 rows, defaults", xlsx, messages))
        rows.append(_figure("XLSX 300,000 rows, size caps raised", xlsx, messages, RAISED))

        line = folder / "line.txt"
        write_long_line(line, 50_000_000)
        rows.append(_figure("text with one 50 MB line, defaults", line, messages))

        repeated = folder / "x21.txt"
        write_big_text(repeated, 21 * len(REAL_EDITION.read_bytes()))
        rows.append(_figure("the 2026 rows ×21 (37,551 rows), defaults", repeated, messages))

        from tests.render.pdf import render_pdf

        edition = read_edition(REAL_EDITION)
        pdf = render_pdf(edition.records, folder / "2026.pdf", title=edition.title, as_of=edition.as_of)
        rows.append(_figure("the 2026 edition as PDF, accepted", pdf, messages, target="for comparison"))
        rows.append(_figure("the 2026 edition as PDF, RENKEI_MAX_ROWS=500", pdf, messages, {"RENKEI_MAX_ROWS": "500"}))
    rows.append(("generating the 300,000-row XLSX (openpyxl write-only)", f"{made:.1f} s", ""))
    print_figures("caps: refusing inputs far too big (wall time, peak RSS of `renkei parse`)", rows)
    print("\n".join(f"  {message}" for message in messages))


if __name__ == "__main__":
    main()
