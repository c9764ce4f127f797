"""Ingest cost: the 2026 edition into empty SQLite and PostgreSQL warehouses, then 30 successive derived
editions (a few random changes each) — per edition: time, version rows written, programs changed.

Target: the 30th ingest costs at most 1.2× the 2nd (nothing grows with history); version rows written per
edition ≈ programs changed. Parse time is excluded (files are parsed before timing).
Run: .venv/bin/python benchmarks/ingest_bench.py   (PostgreSQL: RENKEI_TEST_POSTGRES_URL, default local)
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from benchmarks.common import REAL_EDITION, print_figures
from db.ingest import ingest_file
from db.session import Database
from renkei.parse.edition import read_edition
from renkei.store import SnapshotStore
from tests.derive import DerivedEdition

EDITIONS = 30
RUNS = 3
ADMIN_URL = os.environ.get("RENKEI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def chain(folder: Path) -> list[tuple[Path, int]]:
    """30 successive editions, each derived from the one before with a few changes (and how many)."""
    rng = random.Random(2026)
    text = REAL_EDITION.read_text(encoding="utf-8")
    files = []
    for number in range(EDITIONS):
        edition = DerivedEdition.from_text(text)
        edition.set_as_of(date(1997 + number, 3, 31))
        operations = [edition.add_partner, edition.drop_partner, edition.add_program, edition.drop_program,
                      lambda r, e=edition: e.edit_field(r, "category")]  # fmt: skip
        changes = 0 if number == 0 else rng.randint(3, 8)
        for _ in range(changes):
            rng.choice(operations)(rng)
        text = edition.text()
        path = folder / f"edition-{1997 + number}.txt"
        path.write_text(text, encoding="utf-8")
        files.append((path, changes))
    return files


def postgres_database() -> tuple[str, callable] | None:  # type: ignore[valid-type]
    name = f"renkei_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def timed_ingest(db: Database, store: SnapshotStore, path: Path, parsed) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = ingest_file(db, path, store, parsed=parsed)
    return time.perf_counter() - start, result.counts


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="renkei-bench-"))
    try:
        real = read_edition(REAL_EDITION)
        rows = []
        targets = [("SQLite", f"sqlite:///{work / 'first.sqlite3'}", None)]
        pg = postgres_database()
        if pg:
            targets.append(("PostgreSQL", pg[0], pg[1]))
        for label, url, drop in targets:
            db = Database(url)
            db.ensure_schema()  # migrations are not part of the ingest
            seconds, counts = timed_ingest(db, SnapshotStore(work / f"snap-{label}"), REAL_EDITION, real)
            rows.append(
                (
                    f"2026 edition into an empty {label} warehouse",
                    f"{seconds:.2f} s",
                    f"{counts['versions_written']} version rows",
                )
            )
            db.dispose()
            if drop:
                drop()
        print_figures("ingest: the real edition", rows)

        files = chain(work)
        parsed = {path: read_edition(path) for path, _ in files}
        timings: dict[Path, list[float]] = {path: [] for path, _ in files}
        versions: dict[Path, int] = {}
        for repeat in range(RUNS):  # the whole chain again into a fresh warehouse; each edition's fastest run counts
            db = Database(f"sqlite:///{work / f'chain-{repeat}.sqlite3'}")
            db.ensure_schema()
            store = SnapshotStore(work / f"snap-chain-{repeat}")
            for path, _ in files:
                seconds, counts = timed_ingest(db, store, path, parsed[path])
                timings[path].append(seconds)
                versions[path] = counts["versions_written"]
            db.dispose()
        per_edition = [(path.stem, min(timings[path]), versions[path], changes) for path, changes in files]
        print(
            f"\n== ingest: {EDITIONS} successive derived editions into SQLite (parse excluded; fastest of {RUNS} runs)"
        )
        print(f"  {'edition':<14} {'seconds':>8} {'versions written':>17} {'changes made':>13}")
        for name, seconds, versions, changes in per_edition:
            print(f"  {name:<14} {seconds:>8.3f} {versions:>17} {changes:>13}")
        second, last = per_edition[1][1], per_edition[-1][1]
        print_figures(
            "ingest growth",
            [
                ("30th ingest / 2nd ingest", f"{last / second:.2f}×", "target ≤ 1.2×"),
                ("version rows written / changes made (editions 2–30)",
                 f"{sum(v for _, _, v, _ in per_edition[1:])} / {sum(c for _, _, _, c in per_edition[1:])}", ""),
            ],
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
