"""Parse time and peak memory of the 2026 edition (interpreter start and imports excluded).

Each run happens in a fresh interpreter so that no cache from an earlier parse helps.
Run: .venv/bin/python benchmarks/parse_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REAL_EDITION, in_fresh_interpreter, median, print_figures

CODE = f"""
import json, resource, time, tracemalloc
from renkei.parse.edition import read_edition
tracemalloc.start()
start = time.perf_counter()
edition = read_edition({str(REAL_EDITION)!r})
seconds = time.perf_counter() - start
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({{"seconds": seconds, "peak_mib": peak / 2**20,
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "records": len(edition.records)}}))
"""

CODE_UNTRACED = f"""
import json, time
from renkei.parse.edition import read_edition
start = time.perf_counter()
read_edition({str(REAL_EDITION)!r})
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def main() -> None:
    timed = in_fresh_interpreter(CODE_UNTRACED, runs=7)
    traced = in_fresh_interpreter(CODE, runs=1)[0]
    seconds = [r["seconds"] for r in timed]
    print_figures(
        f"parse: {REAL_EDITION.name} ({traced['records']:.0f} records)",
        [
            ("parse time, median of 7 fresh runs", f"{median(seconds):.3f} s", "target < 0.5 s"),
            ("parse time, fastest", f"{min(seconds):.3f} s", ""),
            ("peak Python memory during parse", f"{traced['peak_mib']:.1f} MiB", ""),
            ("max RSS of the process", f"{traced['rss_mib']:.1f} MiB", ""),
        ],
    )


if __name__ == "__main__":
    main()
