"""Crash consistency: an ingest killed (os._exit, as a SIGKILL would) at each named point, on SQLite and
PostgreSQL; the next command reports a consistent warehouse and store, and ingesting again ends in exactly the
state of an uninterrupted run."""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from db.ingest import ingest_file
from db.session import Database
from renkei.store import SnapshotStore
from tests.conftest import PROJECT_ROOT, REAL_EDITION, fresh_postgres_database
from tests.derive import derive
from tests.warehouse import canonical_dump

pytestmark = pytest.mark.slow

# Each point: the function to patch in the ingesting process, and whether it dies before or after calling it.
POINTS = {
    "after parse": ("renkei.store.SnapshotStore.stage", "before"),
    "after staging": ("renkei.store.SnapshotStore.stage", "after"),
    "inside the transaction": ("db.ingest.place_edition", "after"),
    "after commit": ("renkei.store.SnapshotStore.publish", "before"),
    "after publish": ("renkei.store.SnapshotStore.publish", "after"),
}


def _die_at(url: str, root: str, point: str) -> None:
    """In the child: ingest the real edition, dying (os._exit, like SIGKILL) at `point`."""
    target, when = POINTS[point]
    module_name, _, attribute = target.rpartition(".")
    owner: Any = importlib.import_module(module_name) if module_name == "db.ingest" else SnapshotStore
    original = getattr(owner, attribute)

    def dying(*args: Any, **kwargs: Any) -> Any:
        if when == "before":
            os._exit(137)
        original(*args, **kwargs)
        os._exit(137)

    setattr(owner, attribute, dying)
    ingest_file(Database(url), REAL_EDITION, SnapshotStore(Path(root)))
    os._exit(1)  # not killed: the point was never reached


def _killed_ingest(url: str, root: Path, point: str) -> int | None:
    """The exit status of an ingest killed at `point`, in a process forked from a clean forkserver (never from
    this test process, whose threads a fork would copy half-held)."""
    context = multiprocessing.get_context("forkserver")
    child = context.Process(target=_die_at, args=(url, str(root), point))
    child.start()
    child.join(timeout=120)
    return child.exitcode


def _renkei(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "renkei", *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False
    )


def _state(db: Database, store: SnapshotStore) -> tuple[Any, ...]:
    """What an uninterrupted run must leave: the canonical warehouse, the manifest (times aside), the files."""
    entries = [
        {k: v for k, v in json.loads(json.dumps(e.__dict__)).items() if k not in ("stored_at", "provenance")}
        for e in store.entries()
    ]
    files = sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file() and p.name != ".lock")
    return canonical_dump(db), entries, files


@pytest.fixture(scope="module")
def earlier_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import date

    path = tmp_path_factory.mktemp("crash") / "2025.txt"
    path.write_text(derive(5, date(2025, 3, 31), changes=8).text(), encoding="utf-8")
    return path


@pytest.mark.parametrize("point", list(POINTS))
def test_a_killed_ingest_leaves_a_consistent_warehouse_and_the_rerun_ends_as_an_uninterrupted_one(
    point: str, warehouse: Database, store: SnapshotStore, earlier_file: Path, tmp_path: Path
) -> None:
    ingest_file(warehouse, earlier_file, store)
    assert _killed_ingest(warehouse.url, store.root, point) == 137

    doctor = _doctor(warehouse, store)
    assert doctor.exit_code == 0, doctor.output
    assert doctor.stdout.splitlines()[-1].endswith(": consistent")
    if point == "after commit":
        assert "repaired: listed edition 2026-03-31" in doctor.stdout
    assert not list(store.root.rglob(".staged-*")), "a dead process's staged files are removed"
    again = _doctor(warehouse, store)
    assert again.stdout.splitlines() == [again.stdout.splitlines()[-1]]  # nothing left to repair

    ingest_file(warehouse, REAL_EDITION, store)
    crashed = _state(warehouse, store)
    assert crashed == _uninterrupted(warehouse.dialect, earlier_file, tmp_path)


_UNINTERRUPTED: dict[str, tuple[Any, ...]] = {}


def _uninterrupted(dialect: str, earlier_file: Path, tmp_path: Path) -> tuple[Any, ...]:
    """The same two ingests, uninterrupted, into a new warehouse of the same kind and a new store (once)."""
    if dialect in _UNINTERRUPTED:
        return _UNINTERRUPTED[dialect]
    store = SnapshotStore(tmp_path / "fresh-snapshots")
    with contextlib.ExitStack() as stack:
        if dialect == "sqlite":
            url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        else:
            url = stack.enter_context(fresh_postgres_database("renkei_crash"))
        fresh = Database(url)
        try:
            for path in (earlier_file, REAL_EDITION):
                ingest_file(fresh, path, store)
            _UNINTERRUPTED[dialect] = _state(fresh, store)
        finally:
            fresh.dispose()
    return _UNINTERRUPTED[dialect]


def _doctor(warehouse: Database, store: SnapshotStore, *args: str) -> Any:
    from typer.testing import CliRunner

    from renkei.cli import app

    env = {"RENKEI_DATABASE_URL": warehouse.url, "RENKEI_SNAPSHOT_DIR": str(store.root)}
    return CliRunner(env=env).invoke(app, ["doctor", *args])


def test_doctor_names_a_missing_source_file_and_restores_it_from_a_copy(
    warehouse: Database, store: SnapshotStore, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "RENKEI_DATABASE_URL": warehouse.url,
        "RENKEI_SNAPSHOT_DIR": str(store.root),
        "RENKEI_HOME": str(tmp_path / "home"),
    }
    assert _renkei(env, "ingest", str(REAL_EDITION)).returncode == 0
    (source,) = store.root.glob("sources/*.txt")
    (records,) = store.root.glob("records/*.jsonl")
    kept = records.read_bytes()
    source.unlink()
    records.unlink()

    broken = _renkei(env, "doctor")
    assert broken.returncode == 1
    assert f"wrote {records} again from the warehouse" in broken.stdout
    assert records.read_bytes() == kept  # the records written again are the ones stored
    (problem,) = broken.stderr.splitlines()
    assert problem.startswith(f"problem: {source}: the source file of edition 2026-03-31")
    assert problem.endswith("run: renkei doctor --restore FILE")

    wrong = tmp_path / "other.txt"
    wrong.write_text("not the file", encoding="utf-8")
    assert _renkei(env, "doctor", "--restore", str(wrong)).returncode == 1  # only the same content is taken
    restored = _renkei(env, "doctor", "--restore", str(wrong), "--restore", str(REAL_EDITION))
    assert restored.returncode == 0, restored.stderr
    assert f"repaired: restored {source} from {REAL_EDITION}" in restored.stdout
    assert source.read_bytes() == REAL_EDITION.read_bytes()
