"""Migrations under concurrency, and schemas this renkei cannot use.

Field probe: 8 processes opening one new SQLite file at once exited 2 ("schema revision 0001 is not the
current 0003", read while another process was migrating) or 1 ("table edition already exists", two processes
migrating); on PostgreSQL 2 of 32 exited 2. A database from a newer renkei was sent to `renkei db upgrade`,
which crashed with "Can't locate revision".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from db.migrate import alembic_config, downgrade, head_revision, locked_connection, upgrade
from db.session import describe_url
from tests.conftest import fresh_postgres_database

PROCESSES = 8
START_SECONDS = 60  # a process importing renkei on a loaded CI machine
RUN_SECONDS = 60

# The real CLI (renkei.cli:app, the console script's entry point), started in two steps so that 8 processes
# truly overlap: the slow imports first, then a file saying "ready", then a wait for the barrier file.
BARRIER_THEN_RENKEI = """
import sys, time
from pathlib import Path

import alembic.command, db.migrate, db.queries, db.session, renkei.cli

ready, barrier, *args = sys.argv[1:]
Path(ready).touch()
while not Path(barrier).exists():
    time.sleep(0.002)
sys.argv = ["renkei", *args]
sys.exit(renkei.cli.app())
"""


class Crowd:
    """Processes running one renkei command each, released together by a barrier file."""

    def __init__(self, folder: Path, url: str, *args: str, count: int = PROCESSES) -> None:
        self.folder = folder
        self.barrier = folder / "go"
        env = {**os.environ, "RENKEI_DATABASE_URL": url}
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", BARRIER_THEN_RENKEI, str(folder / f"ready-{n}"), str(self.barrier), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(count)
        ]

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while len(list(self.folder.glob("ready-*"))) < len(self.processes):
            crashed = [p for p in self.processes if p.poll() is not None]
            assert not crashed, crashed[0].communicate()[1]
            assert time.monotonic() < deadline, "the processes did not start in time"
            time.sleep(0.01)

    def release(self) -> None:
        self.barrier.touch()

    def results(self) -> list[tuple[int, str, str]]:
        outcomes = []
        for process in self.processes:
            try:
                out, err = process.communicate(timeout=RUN_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            outcomes.append((process.returncode, out, err))
        return outcomes

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.communicate()


@pytest.fixture
def crowd(tmp_path: Path) -> Iterator[Callable[..., Crowd]]:
    started: list[Crowd] = []

    def start(url: str, *args: str, count: int = PROCESSES) -> Crowd:
        folder = tmp_path / f"crowd-{len(started)}"
        folder.mkdir()
        started.append(Crowd(folder, url, *args, count=count))
        return started[-1]

    yield start
    for each in started:
        each.kill()


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    renkei = Path(sys.executable).with_name("renkei")
    env = {**os.environ, "RENKEI_DATABASE_URL": url}
    return subprocess.run(
        [str(renkei), *args], check=False, env=env, capture_output=True, text=True, timeout=RUN_SECONDS
    )


def _schema(url: str) -> dict[str, object]:
    """What a migration leaves: the revision, every table and view, and every table's row count."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        tables = sorted(inspector.get_table_names())
        with engine.connect() as connection:
            return {
                "revision": connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one(),
                "views": sorted(inspector.get_view_names()),
                "rows": {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables},
            }
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of the parametrised kind: one for the crowd, one migrated serially to compare."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crowd.sqlite3'}", f"sqlite:///{tmp_path / 'serial.sqlite3'}"
        return
    with fresh_postgres_database("renkei_crowd") as url, fresh_postgres_database("renkei_serial") as serial:
        yield url, serial


@pytest.mark.slow
def test_processes_opening_a_new_database_at_once_all_succeed(new_database, crowd) -> None:  # type: ignore[no-untyped-def]
    """Eight processes at once on an empty database. (`renkei db upgrade` takes the same lock through the same
    `db.migrate.locked_connection`; the one-line tests below run it.)"""
    url, serial = new_database
    processes = crowd(url, "editions", "--format", "jsonl")
    processes.wait_until_ready()
    processes.release()
    results = processes.results()
    assert [(code, err) for code, _, err in results] == [(0, "")] * PROCESSES
    upgrade(serial)
    assert _schema(url) == _schema(serial)
    assert _schema(url)["revision"] == head_revision()


@pytest.mark.slow
def test_a_process_waits_for_a_migration_half_done_instead_of_calling_it_too_old(new_database, crowd) -> None:  # type: ignore[no-untyped-def]
    """alembic_version at 0001 while another process migrates to head: the waiter goes on once it is done."""
    url, _ = new_database
    waiter = crowd(url, "editions", "--format", "jsonl", count=1)
    waiter.wait_until_ready()
    with locked_connection(url) as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        waiter.release()
        time.sleep(1.5)
        assert waiter.processes[0].poll() is None, waiter.processes[0].communicate()
        command.upgrade(config, "head")
    [(code, out, err)] = waiter.results()
    assert (code, out, err) == (0, "", "")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite3'}"
        upgrade(url)
        yield url
        return
    with fresh_postgres_database("renkei_revision") as url:
        upgrade(url)
        yield url


def _stamp(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})
    engine.dispose()


@pytest.mark.parametrize("args", [("editions",), ("db", "upgrade")], ids=["editions", "upgrade"])
def test_a_schema_newer_than_renkei_is_refused_in_one_line(migrated: str, args: tuple[str, ...]) -> None:
    _stamp(migrated, "0009")
    before = _schema(migrated)
    result = _run(migrated, *args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"Error: {describe_url(migrated)}: schema revision 0009 is newer than this renkei knows "
        f"({head_revision()}); upgrade renkei to use this database"
    ]
    assert "db upgrade" not in result.stderr
    assert _schema(migrated) == before


def test_an_older_schema_is_refused_until_upgraded(migrated: str) -> None:
    downgrade(migrated, "0002")
    refused = _run(migrated, "editions")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"Error: {describe_url(migrated)}: schema revision 0002 is not the current {head_revision()}; "
        "run `renkei db upgrade`"
    ]
    upgraded = _run(migrated, "db", "upgrade")
    assert (upgraded.returncode, upgraded.stderr) == (0, "")
    assert _run(migrated, "editions").returncode == 0
