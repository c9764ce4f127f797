"""Migrations: upgrade an empty database to head, models and migrations agree, and the round trip works."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from db.migrate import check, downgrade, head_revision, upgrade
from db.models import Base

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:  # the session database may hold a schema from other tests
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    from db.session import forget_schema_check

    forget_schema_check(url)
    return url


def test_upgrade_check_downgrade_upgrade(empty_url: str) -> None:
    upgrade(empty_url)
    check(empty_url)  # models and migrations agree (alembic check)
    engine = create_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM municipality")).scalar() == 1788
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    assert {"v_partnership", "v_program_history", "v_ward_municipality_timeline"} <= set(
        inspect(engine).get_view_names()
    )
    downgrade(empty_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert not inspect(engine).get_view_names()
    upgrade(empty_url)
    check(empty_url)
    engine.dispose()


def test_first_use_of_an_empty_database_upgrades_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from db.session import Database

    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    with db.reading() as session:
        assert session.execute(text("SELECT count(*) FROM edition")).scalar() == 0
    db.dispose()


def test_an_outdated_schema_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from db.session import Database
    from renkei.errors import SchemaTooOldError

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url)
    downgrade(url, "0002")  # a known, older revision (an unknown one is a newer renkei's)
    with pytest.raises(SchemaTooOldError, match="renkei db upgrade"):
        Database(url).ensure_schema()


def test_upgrading_a_0001_warehouse_fills_first_start_year(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0002 on a warehouse that already holds an edition: the new column is back-filled."""
    from db.ingest import ingest_file
    from db.session import Database
    from renkei.store import SnapshotStore
    from tests.conftest import REAL_EDITION

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url)
    db = Database(url)
    ingest_file(db, REAL_EDITION, SnapshotStore(tmp_path / "snapshots"))
    db.dispose()
    downgrade(url, "0001")
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT start_years, first_start_year FROM program_version")).all()
    engine.dispose()
    import json

    assert len(rows) == 842
    assert all(year == (min(json.loads(years)) if json.loads(years) else None) for years, year in rows)
    assert sum(year is not None for _, year in rows) > 700
