"""Shared fixtures: the real 2026 edition, an independent place-code lookup, small edition builders."""

from __future__ import annotations

import atexit
import contextlib
import csv
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

from renkei.config import EPHEMERAL_STARTUP_SECONDS
from renkei.parse.edition import read_edition
from renkei.records import Edition

# Prefect keeps its state (the temporary server's database, cached task results) in a folder of this test
# process's own, set before anything imports prefect: xdist workers must not share one SQLite file.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="renkei-prefect-")
atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], ignore_errors=True)  # after Prefect's own atexit
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
# The temporary server's first start (creating its database) gets the time renkei gives it, set in one place.
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = str(EPHEMERAL_STARTUP_SECONDS)
# Prefect's console log handler keeps the stream it was configured with; CliRunner swaps sys.stderr for a
# buffer it closes after each command. The process's own stderr outlives every command and the session.
os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_STREAM"] = "ext://sys.__stderr__"
os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_STREAM"] = "ext://sys.__stderr__"
os.environ.pop("PREFECT_API_URL", None)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_EDITION = PROJECT_ROOT / "snapshots" / "bundled" / "2026-03-31-extracted.txt"
REFERENCE_CSV = PROJECT_ROOT / "renkei" / "data" / "municipalities.csv"
HEADER = "各特別区名\t連携カテゴリ\t事業名称等\t事業主体\t連携相手方\t事業内容\t事業開始年度"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output (review the diff before committing it)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the project's var/, snapshots/store/ or reports/ (tests may point elsewhere)."""
    home = tmp_path_factory.mktemp("renkei-home")
    monkeypatch.setenv("RENKEI_HOME", str(home))
    monkeypatch.setenv("RENKEI_SNAPSHOT_DIR", str(home / "snapshots"))
    monkeypatch.setenv("RENKEI_REPORTS_DIR", str(home / "reports"))
    monkeypatch.delenv("RENKEI_DATABASE_URL", raising=False)


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and every folder (None) under `folder`: "unchanged" means equal trees."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        return {row["prefecture"] + row["city"]: row["code"] for row in csv.DictReader(handle)}


def place_code(name: str) -> str:
    """The code of a place written exactly as the reference list names it ("福島県塙町", "東京都")."""
    return _codes()[name]


@pytest.fixture(scope="session")
def real_edition() -> Edition:
    return read_edition(REAL_EDITION)


@pytest.fixture(scope="session")
def real_lines() -> list[str]:
    return REAL_EDITION.read_text(encoding="utf-8").splitlines()


def edition_text(*rows: str, as_of: str = "令和8年3月31日現在", header: str = HEADER) -> str:
    """A small extracted-text edition: title, as-of line, header, then the given TAB-separated rows."""
    return "\n".join(["各特別区と全国市町村等連携事業一覧", "", as_of, "", header, *rows]) + "\n"


def row(*cells: str) -> str:
    """One TAB-separated row, padded to seven cells."""
    padded = list(cells) + [""] * (7 - len(cells))
    return "\t".join(padded)


@pytest.fixture
def write_edition(tmp_path: Path):
    def write(text: str, name: str = "edition.txt", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


# -- warehouse fixtures: every database test runs on SQLite and on PostgreSQL --------------------------------
POSTGRES_ADMIN_URL = os.environ.get("RENKEI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATA_TABLES = (
    "change_event", "quality_issue", "edition_entry", "version_partner", "version_category_tag", "program_version",
    "program", "edition",
    "ingest_run",
)  # fmt: skip


def _postgres_admin():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@contextlib.contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (psycopg URL), dropped afterwards; skips, or fails when PostgreSQL is
    required (RENKEI_REQUIRE_POSTGRES, as in CI), if the server cannot be reached."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _postgres_admin()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        message = f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {str(exc.orig).splitlines()[0]}"
        if os.environ.get("RENKEI_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from db.session import database

        database(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    with fresh_postgres_database("renkei_test") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once; each test gets a copy (migrations are tested on their own)."""
    from db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty, migrated warehouse on the parametrised database."""
    from sqlalchemy import text

    from db.session import Database

    if request.param == "sqlite":
        path = tmp_path / "warehouse.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    db = Database(url)
    db.ensure_schema()
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from renkei.store import SnapshotStore

    return SnapshotStore(tmp_path / "snapshots")


@pytest.fixture(scope="session")
def three_editions(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """2024 → 2025 → 2026 (real): each earlier edition derived from the next with 30 known changes.

    A list of (path, DerivedEdition or None for the real one, parsed records), oldest first.
    """
    from datetime import date

    from tests.derive import derive

    folder = tmp_path_factory.mktemp("three-editions")
    middle = derive(41, date(2025, 3, 31), changes=30)
    (folder / "2025.txt").write_text(middle.text(), encoding="utf-8")
    first = derive(42, date(2024, 3, 31), changes=30, base=middle.text())
    (folder / "2024.txt").write_text(first.text(), encoding="utf-8")
    paths = [folder / "2024.txt", folder / "2025.txt", REAL_EDITION]
    return [(path, truth, read_edition(path).records) for path, truth in zip(paths, (first, middle, None), strict=True)]


@pytest.fixture(scope="module")
def shared_server():  # type: ignore[no-untyped-def]
    """One local HTTP fixture server per test module: shutting one down costs half a second (its poll)."""
    from tests.http_server import FixtureServer

    with FixtureServer() as fixture:
        yield fixture


@pytest.fixture
def server(shared_server):  # type: ignore[no-untyped-def]
    """The module's server with no routes and no recorded requests, so each test sees only its own hits."""
    shared_server.routes.clear()
    shared_server.requests.clear()
    return shared_server
