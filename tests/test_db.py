"""The versioned warehouse, on SQLite and PostgreSQL: idempotence, exact read-back, order independence,
atomic failure, concurrency, replacement."""

from __future__ import annotations

import json
import random
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import db.load
from db.ingest import ingest_file
from db.models import Edition, EditionEntry, IngestRun, Program, ProgramVersion
from db.queries import export_records
from db.session import Database
from renkei.errors import EditionConflictError, EditionReadError
from renkei.parse.edition import read_edition
from renkei.store import SnapshotStore
from tests.conftest import REAL_EDITION
from tests.derive import DerivedEdition, derive
from tests.warehouse import canonical_dump, raw_dump

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def derived_files(tmp_path_factory: pytest.TempPathFactory) -> dict[date, Path]:
    """Four derived earlier editions (changes and noise) and the real one, by as-of date."""
    folder = tmp_path_factory.mktemp("derived")
    files = {date(2026, 3, 31): REAL_EDITION}
    for seed, year in enumerate(range(2022, 2026), start=1):
        path = folder / f"derived-{year}.txt"
        path.write_text(derive(seed, date(year, 3, 31), changes=6).text(), encoding="utf-8")
        files[date(year, 3, 31)] = path
    return dict(sorted(files.items()))


_parsed: dict[tuple[Path, int], object] = {}


def _ingest(db: Database, store: SnapshotStore, path: Path, **options):  # type: ignore[no-untyped-def]
    """ingest_file, with each file parsed once per test session (parsing is tested elsewhere)."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _parsed:
        _parsed[key] = read_edition(path)
    return ingest_file(db, path, store, parsed=_parsed[key], **options)


def test_ingesting_twice_changes_nothing(warehouse: Database, store: SnapshotStore) -> None:
    first = _ingest(warehouse, store, REAL_EDITION)
    assert first.status == "ingested"
    tables = raw_dump(warehouse)
    manifest = store.manifest_path.read_bytes()
    second = _ingest(warehouse, store, REAL_EDITION)
    assert second.status == "unchanged"
    assert raw_dump(warehouse) == tables
    assert store.manifest_path.read_bytes() == manifest
    with warehouse.reading() as session:
        assert session.scalar(select(func.count()).select_from(IngestRun)) == 1  # the no-op wrote nothing


def test_export_equals_parse(warehouse: Database, store: SnapshotStore, derived_files: dict[date, Path]) -> None:
    for path in derived_files.values():
        _ingest(warehouse, store, path)
    with warehouse.reading() as session:
        for as_of, path in derived_files.items():
            assert export_records(session, as_of) == read_edition(path).records, as_of


def test_unchanged_programs_cost_no_version_rows(warehouse: Database, store: SnapshotStore, tmp_path: Path) -> None:
    rng = random.Random(7)
    earlier = DerivedEdition.real()
    earlier.set_as_of(date(2025, 3, 31))
    earlier.drop_program(rng)  # → added in the real edition: a new program and its version
    earlier.add_program(rng)  # → removed: its version closes, no new row
    earlier.drop_partner(rng)  # → a partner added: a new version of the same program
    earlier.edit_field(rng, "category")  # → a new version of the same program
    earlier_file = tmp_path / "earlier.txt"
    earlier_file.write_text(earlier.text(), encoding="utf-8")
    _ingest(warehouse, store, earlier_file)
    result = _ingest(warehouse, store, REAL_EDITION)
    assert result.counts["versions_written"] == 3
    assert result.counts["versions_closed"] == 3
    assert result.counts["programs_created"] == 1 and result.counts["programs_ended"] == 1
    with warehouse.reading() as session:
        assert session.scalar(select(func.count()).select_from(ProgramVersion)) == 842 + 3
        open_versions = session.scalar(
            select(func.count()).select_from(ProgramVersion).where(ProgramVersion.valid_to_edition_id.is_(None))
        )
        assert open_versions == 842


def test_load_order_does_not_matter(
    warehouse: Database, tmp_path: Path, derived_files: dict[date, Path], request: pytest.FixtureRequest
) -> None:
    in_order = SnapshotStore(tmp_path / "ordered")
    for path in derived_files.values():
        _ingest(warehouse, in_order, path)
    expected = canonical_dump(warehouse)

    shuffled_db = _fresh_like(warehouse, tmp_path, request)
    order = list(derived_files.values())
    random.Random(4).shuffle(order)
    assert order != list(derived_files.values())
    shuffled_store = SnapshotStore(tmp_path / "shuffled")
    for path in order:
        _ingest(shuffled_db, shuffled_store, path)
    assert canonical_dump(shuffled_db) == expected
    with shuffled_db.reading() as session:
        for as_of, path in derived_files.items():
            assert export_records(session, as_of) == read_edition(path).records


def _fresh_like(warehouse: Database, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    """A second empty warehouse of the same kind (SQLite: a new file; PostgreSQL: a second database)."""
    import shutil

    if warehouse.dialect == "sqlite":
        path = tmp_path / "second.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")
    from sqlalchemy import text

    from tests.conftest import _postgres_admin

    name = "renkei_second_" + Path(tmp_path).name.replace("-", "_")[-20:].lower()
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = warehouse.url.rsplit("/", 1)[0] + f"/{name}"
    db = Database(url)

    def drop() -> None:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return db


def test_a_failure_mid_load_leaves_everything_as_it_was(
    warehouse: Database, store: SnapshotStore, derived_files: dict[date, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = list(derived_files.values())[:2]
    _ingest(warehouse, store, first)
    tables = raw_dump(warehouse)
    manifest = store.manifest_path.read_bytes()
    stored_files = sorted(p.name for p in store.root.rglob("*") if p.is_file())

    original = db.load.stored_entries
    calls = {"n": 0}

    def failing(session, edition):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the second call happens after versions and partners were written
            raise RuntimeError("injected failure mid-load")
        return original(session, edition)

    monkeypatch.setattr(db.load, "stored_entries", failing)
    monkeypatch.setattr(db.load, "append_edition", _append_that_reads_twice(db.load.append_edition))
    with pytest.raises(RuntimeError, match="injected"):
        _ingest(warehouse, store, second)
    assert raw_dump(warehouse) == tables
    assert store.manifest_path.read_bytes() == manifest
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == stored_files
    with warehouse.reading() as session:
        runs = session.scalars(select(IngestRun).order_by(IngestRun.id)).all()
        assert [r.status for r in runs] == ["succeeded", "failed"]
        assert "injected failure" in runs[-1].error
    monkeypatch.undo()
    assert _ingest(warehouse, store, second).status == "ingested"  # and a rerun succeeds


def _append_that_reads_twice(append):  # type: ignore[no-untyped-def]
    """append_edition, but reading the stored entries once more after writing (where the failure hits)."""

    def wrapped(session, edition, records, previous, **options):  # type: ignore[no-untyped-def]
        counts = append(session, edition, records, previous, **options)
        session.flush()
        db.load.stored_entries(session, edition)
        return counts

    return wrapped


def test_concurrent_ingests_neither_corrupt_nor_duplicate(
    warehouse: Database, tmp_path: Path, derived_files: dict[date, Path]
) -> None:
    store = SnapshotStore(tmp_path / "snapshots")
    paths = list(derived_files.values())[:3]
    jobs = [paths[0], paths[0], paths[1], paths[2]]  # the same file twice, and two different editions
    results: list[object] = []
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            results.append(_ingest(Database(warehouse.url), store, path))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.status for r in results) == ["ingested", "ingested", "ingested", "unchanged"]
    with warehouse.reading() as session:
        assert session.scalar(select(func.count()).select_from(Edition)) == 3
        for as_of in list(derived_files)[:3]:
            assert len(export_records(session, as_of)) == session.scalar(
                select(Edition.record_count).where(Edition.as_of == as_of)
            )
    assert [e.as_of for e in store.entries()] == [d.isoformat() for d in list(derived_files)[:3]]


def test_same_date_other_content_needs_replace(
    warehouse: Database, store: SnapshotStore, tmp_path: Path, derived_files: dict[date, Path]
) -> None:
    dates = list(derived_files)
    for path in list(derived_files.values())[:3]:
        _ingest(warehouse, store, path)
    middle = dates[1]
    other = tmp_path / "corrected.txt"
    other.write_text(derive(99, middle, changes=4).text(), encoding="utf-8")
    before = raw_dump(warehouse)
    with pytest.raises(EditionConflictError, match="--replace"):
        _ingest(warehouse, store, other)
    assert raw_dump(warehouse) == before

    result = _ingest(warehouse, store, other, replace=True)
    assert result.status == "replaced" and result.counts["editions_reappended"] == [dates[2].isoformat()]
    with warehouse.reading() as session:
        assert export_records(session, middle) == read_edition(other).records
        assert export_records(session, dates[2]) == read_edition(derived_files[dates[2]]).records
    superseded = [e for e in store.entries() if e.superseded_by]
    assert len(superseded) == 1 and superseded[0].as_of == middle.isoformat()

    # The result is what loading the corrected edition in the first place would have given.
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    fresh_store = SnapshotStore(tmp_path / "fresh-snapshots")
    for path in (derived_files[dates[0]], other, derived_files[dates[2]]):
        _ingest(fresh, fresh_store, path)
    assert _without_sources(canonical_dump(fresh)) == _without_sources(canonical_dump(warehouse))


def _without_sources(dump: dict) -> dict:  # type: ignore[type-arg]
    dump = dict(dump)
    dump["edition"] = [row[:3] for row in dump["edition"]]
    return dump


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (bytes(range(256)) * 10, "binary data"),
        (b"%PDF-1.7\n1 0 obj\n<<", "PDF"),
        (b"PK\x03\x04broken zip", "XLSX"),
        (b"code,name\n1,x\n", "no table header"),
    ],
)
def test_bad_files_change_nothing(
    warehouse: Database, store: SnapshotStore, tmp_path: Path, content: bytes, message: str
) -> None:
    _ingest(warehouse, store, REAL_EDITION)
    before = raw_dump(warehouse, skip=())
    bad = tmp_path / "bad-edition"
    bad.write_bytes(content)
    with pytest.raises(EditionReadError) as raised:
        _ingest(warehouse, store, bad)
    assert str(raised.value).startswith(f"{bad}: ") and message in str(raised.value)
    assert raw_dump(warehouse, skip=()) == before
    assert [e.sha256 for e in store.entries()] == [json.loads(store.manifest_path.read_text())["editions"][0]["sha256"]]


def test_program_identity_follows_continuity(
    warehouse: Database, store: SnapshotStore, derived_files: dict[date, Path]
) -> None:
    for path in derived_files.values():
        _ingest(warehouse, store, path)
    with warehouse.reading() as session:
        editions = len(derived_files)
        # Most programs run through every edition under one identity.
        through_all = session.scalar(
            select(func.count()).select_from(
                select(EditionEntry.program_id).group_by(EditionEntry.program_id)
                .having(func.count() == editions).subquery()
            )
        )  # fmt: skip
        assert through_all > 800
        current = session.scalar(select(func.count()).select_from(Program).where(Program.last_edition_id.is_(None)))
        assert current == 842
