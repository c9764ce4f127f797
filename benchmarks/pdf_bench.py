"""PDF reading speed and memory.

1. The 2026 edition rendered as the publisher lays it out (about 95 pages): our full parse (2 worker
   processes, everything up to records) against one bare single-process pdfplumber pass that only calls
   `extract_tables()` on every page. Target: ratio ≤ 0.7 on 2 cores. Each timing is the median of fresh
   interpreters (interpreter start not timed, worker start is).
2. A 300-page edition (the records repeated): time, and peak memory of the parent and of the largest worker —
   pages are read a few at a time, so memory stays flat as pages grow.
3. The XLSX rendering of the 2026 edition: parse time.
Run: .venv/bin/python benchmarks/pdf_bench.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import in_fresh_interpreter, median, print_figures
from renkei.parse.edition import read_edition
from tests.conftest import REAL_EDITION
from tests.render.pdf import render_pdf
from tests.render.xlsx import render_xlsx

RUNS = 3

BARE = """
import json, time, pdfplumber
start = time.perf_counter()
with pdfplumber.open({path!r}) as pdf:
    for page in pdf.pages:
        page.extract_tables()
        page.close()
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

OURS = """
import json, resource, time
from renkei.parse.edition import read_edition
from renkei.settings import ParseSettings
def main():
    start = time.perf_counter()
    edition = read_edition({path!r}, ParseSettings(workers={workers}))
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({{"seconds": seconds, "records": len(edition.records), "own_mib": own, "worker_mib": child}}))
if __name__ == "__main__":
    main()
"""


def _ours(path: Path, workers: int = 2, runs: int = RUNS) -> list[dict[str, float]]:
    return in_fresh_interpreter(OURS.format(path=str(path), workers=workers), runs=runs)


def _pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def main() -> None:
    edition = read_edition(REAL_EDITION)
    with tempfile.TemporaryDirectory(prefix="renkei-pdf-bench-") as work:
        folder = Path(work)
        pdf = render_pdf(edition.records, folder / "2026.pdf", title=edition.title, as_of=edition.as_of)
        pages = _pages(pdf)
        bare = median([r["seconds"] for r in in_fresh_interpreter(BARE.format(path=str(pdf)), runs=RUNS)])
        ours = _ours(pdf)
        ours_one = _ours(pdf, workers=1)
        ours_time = median([r["seconds"] for r in ours])
        repeats = 1
        big = pdf
        while _pages(big) < 300:
            repeats += 1
            big = render_pdf(edition.records * repeats, folder / "big.pdf", title=edition.title, as_of=edition.as_of)
        big_pages = _pages(big)
        large = _ours(big, runs=1)[0]
        xlsx = render_xlsx(edition.records, folder / "2026.xlsx", title=edition.title, as_of=edition.as_of)
        xlsx_time = median([r["seconds"] for r in _ours(xlsx)])
    rows = [
        (f"bare pdfplumber extract_tables(), {pages} pages, 1 process", f"{bare:.2f} s", ""),
        (f"renkei parse, {pages} pages, 2 workers", f"{ours_time:.2f} s", ""),
        ("  ratio (ours ÷ bare)", f"{ours_time / bare:.2f}", "≤ 0.7"),
        (f"renkei parse, {pages} pages, 1 process", f"{median([r['seconds'] for r in ours_one]):.2f} s", ""),
        (
            f"  peak memory, {pages} pages: parent / largest worker",
            f"{median([r['own_mib'] for r in ours]):.0f} / {median([r['worker_mib'] for r in ours]):.0f} MiB",
            "",
        ),
        (f"renkei parse, {big_pages} pages, 2 workers", f"{large['seconds']:.2f} s", ""),
        (
            f"  peak memory, {big_pages} pages: parent / largest worker",
            f"{large['own_mib']:.0f} / {large['worker_mib']:.0f} MiB",
            "flat in pages",
        ),
        ("renkei parse, the 2026 edition as XLSX", f"{xlsx_time:.2f} s", ""),
    ]
    print_figures("PDF and XLSX reading", rows)


if __name__ == "__main__":
    main()
