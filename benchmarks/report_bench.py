"""Reports and timelines on a warehouse of 30 successive derived editions (SQLite, and PostgreSQL when reachable).

Targets: writing the whole report site of the newest edition (read from the warehouse with the history of all
30 editions, rendered — index, 23 wards, every partner place and prefecture, the program list — and written)
< 2 s on SQLite; a municipality page < 100 ms (rendered from the report's data; the site's shared indexes are
built once per report and timed apart); each ward and municipality timeline query < 100 ms ("first" is the
first query of its kind in the process, with cold caches, as a one-off `renkei timeline` runs it). Also prints
the README's SQL view queries. Ingest time is not measured here (see ingest_bench.py).
Run: .venv/bin/python benchmarks/report_bench.py
"""

from __future__ import annotations

import gc
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from benchmarks.common import PROJECT_ROOT, print_figures
from benchmarks.ingest_bench import chain, postgres_database
from db.ingest import ingest_file
from db.reports import report_input
from db.session import Database
from db.timeline import municipality_timeline, ward_timeline
from renkei.normalise.wards import all_wards
from renkei.parse.edition import read_edition
from renkei.report.html import SiteRenderer
from renkei.report.write import write_report
from renkei.store import SnapshotStore

RUNS = 5
PLACES = 40  # the most frequent partner places of the newest edition


def _readme_queries() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", readme.split("## SQL views", 1)[1].split("\n## ", 1)[0], re.DOTALL)


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(label: str, db: Database, folder: Path, files: list[Path]) -> list[tuple[str, str, str]]:
    store = SnapshotStore(folder / f"snapshots-{label}")
    for path in files:
        ingest_file(db, path, store, parsed=read_edition(path))
    out = folder / f"report-{label}"

    def report() -> None:
        with db.reading() as session:
            data = report_input(session)
        write_report(data, out)

    report_times = [_timed(report) for _ in range(RUNS)]
    site_files = sum(1 for p in out.rglob("*") if p.is_file())
    with db.reading() as session:
        data = report_input(session)
    renderer_times = [_timed(lambda: SiteRenderer(data)) for _ in range(RUNS)]
    renderer = SiteRenderer(data)
    codes = [c for c in renderer.site.place_codes if not renderer.site.places[c].is_prefecture]
    page_times = [_timed(lambda c=code: renderer.place(c)) for code in codes]
    newest = read_edition(files[-1]).records
    frequent = [code for code, _ in Counter(p.code for r in newest for p in r.partners if p.code).most_common(PLACES)]
    ward_times, place_times = [], []
    # The benchmark's own objects (parsed editions, the report) would otherwise be traversed by the garbage
    # collector during timed queries; a `renkei timeline` process holds none of them.
    gc.collect()
    gc.freeze()
    for ward in all_wards():
        with db.reading() as session:
            ward_times.append(_timed(lambda s=session, w=ward: ward_timeline(s, w)))
    for code in frequent:
        with db.reading() as session:
            place_times.append(_timed(lambda s=session, c=code: municipality_timeline(s, c)))
    query_times = []
    for query in _readme_queries():
        with db.engine.connect() as connection:
            query_times.append(_timed(lambda c=connection, q=query: c.execute(text(q)).all()))
    gc.unfreeze()
    ms = 1000

    def spread(times: list[float]) -> str:
        rest = times[1:]
        return f"{times[0] * ms:.0f} / {statistics.median(rest) * ms:.0f} / {max(rest) * ms:.0f} ms"

    return [
        (
            f"{label}: whole site, {site_files} files (median of {RUNS})",
            f"{statistics.median(report_times):.2f} s",
            "< 2 s" if label == "SQLite" else "",
        ),
        (
            f"{label}: site indexes built once per report (median)",
            f"{statistics.median(renderer_times) * ms:.0f} ms",
            "",
        ),
        (
            f"{label}: municipality page, {len(page_times)} pages (first / median / max)",
            spread(page_times),
            "< 100 ms each",
        ),
        (f"{label}: ward timeline, 23 wards (first / median / max)", spread(ward_times), "< 100 ms each"),
        (
            f"{label}: municipality timeline, {len(frequent)} places (first / median / max)",
            spread(place_times),
            "< 100 ms each",
        ),
        (
            f"{label}: README view queries 1–{len(query_times)}",
            " / ".join(f"{t * ms:.0f}" for t in query_times) + " ms",
            "",
        ),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="renkei-report-bench-") as work:
        folder = Path(work)
        files = [path for path, _ in chain(folder)]
        sqlite = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
        rows = measure("SQLite", sqlite, folder, files)
        sqlite.dispose()
        postgres = postgres_database()
        if postgres is None:
            print("PostgreSQL not reachable: skipped")
        else:
            url, drop = postgres
            db = Database(url)
            try:
                rows += measure("PostgreSQL", db, folder, files)
            finally:
                db.dispose()
                drop()
    print_figures(f"Reports and timelines on {len(files)} editions", rows)


if __name__ == "__main__":
    main()
