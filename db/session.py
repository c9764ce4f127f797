"""Engines and sessions, built once per process from a URL; the session lifecycle lives here, not in queries.

Writes are serialised: on SQLite a write transaction starts with BEGIN IMMEDIATE (the database's write
lock, waited for up to `WRITE_LOCK_WAIT_SECONDS`), on PostgreSQL with a transaction-level advisory lock.
Together with the unique constraints this keeps two concurrent ingests from corrupting or duplicating
anything: the second waits, then sees the first one's work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from renkei.config import database_url, default_database_url
from renkei.errors import SettingsError, StoreError

WRITE_LOCK_WAIT_SECONDS = 60
WRITE_LOCK_KEY = 7_264_111  # an arbitrary constant naming renkei's write lock on PostgreSQL


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written without a driver ("postgresql://…")."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def prepare_sqlite_path(url: str) -> None:
    """Create the folder of the embedded SQLite file (a location renkei owns); for any other SQLite URL the
    folder must exist — a mistyped path is refused rather than given a new, empty warehouse."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    folder = Path(parsed.database).expanduser().parent
    if normalise_url(url) == normalise_url(default_database_url()):
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise SettingsError(
            f"{describe_url(url)}: the folder {folder} does not exist; create it, or correct RENKEI_DATABASE_URL"
        )


def _build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        prepare_sqlite_path(url)
        engine = create_engine(url, connect_args={"timeout": WRITE_LOCK_WAIT_SECONDS})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (so BEGIN IMMEDIATE is possible).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
            write = connection.get_execution_options().get("renkei_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One warehouse: an engine and its session factories."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = _build_engine(self.url)
        self._reading = sessionmaker(self.engine, expire_on_commit=False)
        self._writing = sessionmaker(self.engine.execution_options(renkei_write=True), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        self.ensure_schema()
        with _translated(self.url), self._reading() as session:
            yield session

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction holding renkei's write lock; committed when the block ends without error."""
        self.ensure_schema()
        with _translated(self.url), self._writing.begin() as session:
            if self.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield session

    def upgrade(self) -> None:
        """Apply every migration (`renkei db upgrade`); SchemaTooNewError if the schema is newer than the code."""
        from db.migrate import upgrade

        with _translated(self.url):
            upgrade(self.url)
        _checked.discard(self.url)

    def ensure_schema(self) -> None:
        """Create the schema on an empty database; refuse one whose schema is older or newer than the code's."""
        _ensure_schema(self.engine, self.url)

    def dispose(self) -> None:
        self.engine.dispose()


def database(url: str | None = None) -> Database:
    """The process-wide Database for `url` (default: RENKEI_DATABASE_URL or the embedded SQLite file)."""
    return _database(normalise_url(url or database_url()))


@lru_cache(maxsize=8)
def _database(url: str) -> Database:
    return Database(url)


@contextlib.contextmanager
def _translated(url: str) -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        message = str(exc.orig) if exc.orig is not None else str(exc)
        if "database is locked" in message:
            raise StoreError(f"{describe_url(url)}: another renkei process holds the write lock; try again") from exc
        raise StoreError(f"{describe_url(url)}: database error: {message.splitlines()[0]}") from exc


_checked: set[str] = set()


def _ensure_schema(engine: Engine, url: str) -> None:
    if url in _checked:
        return
    from db.migrate import head_revision, stored_revision, upgrade_if_empty

    try:
        with engine.connect() as connection:
            current, _ = stored_revision(connection)
    except OperationalError as exc:
        message = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        raise StoreError(f"{describe_url(url)}: cannot connect ({message})") from exc
    if current != head_revision():
        # Read without the migration lock, anything but head may be another process's migration half done
        # (alembic_version at 0001 on its way to head): decide again under the lock, after that one has ended.
        with _translated(url):
            upgrade_if_empty(url)
    _checked.add(url)


def forget_schema_check(url: str | None = None) -> None:
    """Forget that a URL's schema was checked (after migrating it by hand, in tests)."""
    if url is None:
        _checked.clear()
    else:
        _checked.discard(normalise_url(url))
