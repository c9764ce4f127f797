"""Alembic, driven from code: `renkei db upgrade`, the automatic first upgrade, and the tests' round trips.

Every migration runs under renkei's migration lock, and so does every decision made from the stored revision
(migrate an empty database, refuse an old or a newer one). Without it, 8 processes opening a new database at
once raced: two created the same tables ("table edition already exists"), and a process that read
alembic_version while another was half-way through the migrations (0001 of 0003) refused it as too old.
With it, one process migrates; the others wait, read the revision again, and find the schema at head.

- PostgreSQL: a session-level advisory lock (`MIGRATION_LOCK_KEY`), held by the connection Alembic runs on.
- SQLite: `flock` on a file beside the database (`<database>.migrate.lock`). SQLite's own write lock cannot
  span the whole run: Alembic commits after each migration, and pysqlite ends a transaction before DDL on
  its own, so between two migrations any process could step in. A file lock can span it, is shared by every
  process on the machine, and the kernel releases it when its holder exits or crashes, so no stale lock is
  ever left to clean up. The file is never deleted (a waiter could otherwise lock a file nobody else sees).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, pool, text
from sqlalchemy.engine import make_url

from renkei.config import PROJECT_ROOT
from renkei.errors import SchemaTooNewError, SchemaTooOldError, StoreError

MIGRATIONS = PROJECT_ROOT / "migrations"
MIGRATION_LOCK_KEY = 7_264_112  # an arbitrary constant naming renkei's migration lock on PostgreSQL
MIGRATION_LOCK_WAIT_SECONDS = 300  # how long a process waits for another one's migration before giving up
_POLL_SECONDS = 0.05


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` (alembic.ini's settings, the URL given here)."""
    from db.session import normalise_url

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    return _scripts().get_current_head() or ""


def known_revisions() -> set[str]:
    """Every revision this renkei has a migration for."""
    return {script.revision for script in _scripts().walk_revisions()}


def stored_revision(connection: Connection) -> tuple[str | None, bool]:
    """The revision in alembic_version (None without one), and whether the database holds no other table."""
    tables = set(inspect(connection).get_table_names())
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return revision, not (tables - {"alembic_version"})


@contextlib.contextmanager
def locked_connection(url: str) -> Iterator[Connection]:
    """A connection to `url` whose process holds the migration lock (waiting while another process holds it).

    The connection is outside any transaction when it is handed out, so Alembic commits each migration.
    """
    from db.session import normalise_url, prepare_sqlite_path

    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        prepare_sqlite_path(url)
        # SQLite's busy wait: a migration waits for another process's running write (an ingest) to end.
        engine = create_engine(url, poolclass=pool.NullPool, connect_args={"timeout": MIGRATION_LOCK_WAIT_SECONDS})
    else:
        engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with _file_lock(url), engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                _wait_for(url, lambda: _try_advisory_lock(connection))
            try:
                yield connection
            finally:
                # Closing the connection would release the lock too; unlocking says so where it is taken.
                if connection.dialect.name == "postgresql" and not connection.invalidated:
                    connection.rollback()  # after an error the unlock must not run in an aborted transaction
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                    connection.commit()
    finally:
        engine.dispose()


def _try_advisory_lock(connection: Connection) -> bool:
    # Session-level: it outlives the commit below and each migration's own transaction.
    locked = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}).scalar()
    connection.commit()
    return bool(locked)


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    """flock on `<database>.migrate.lock` for an SQLite file; nothing for other databases or `:memory:`."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    path = f"{parsed.database}.migrate.lock"
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the migration lock file ({exc.strerror})") from exc
    try:

        def attempt() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _wait_for(url, attempt)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _wait_for(url: str, attempt: Callable[[], bool]) -> None:
    deadline = time.monotonic() + MIGRATION_LOCK_WAIT_SECONDS
    while not attempt():
        if time.monotonic() > deadline:
            from db.session import describe_url

            raise StoreError(
                f"{describe_url(url)}: another renkei process has been migrating the schema for "
                f"{MIGRATION_LOCK_WAIT_SECONDS} s; try again when it has finished"
            )
        time.sleep(_POLL_SECONDS)


def _refuse_newer(url: str, revision: str | None) -> None:
    """Raise SchemaTooNewError when `revision` is one this renkei has no migration for."""
    if revision is not None and revision not in known_revisions():
        from db.session import describe_url

        raise SchemaTooNewError(
            f"{describe_url(url)}: schema revision {revision} is newer than this renkei knows "
            f"({head_revision()}); upgrade renkei to use this database"
        )


def _run(run: Callable[..., object], connection: Connection, url: str, *args: object) -> None:
    """Run an Alembic command on `connection` (env.py uses it instead of opening its own)."""
    config = alembic_config(url)
    config.attributes["connection"] = connection
    run(config, *args)


def upgrade_if_empty(url: str) -> None:
    """Migrate an empty database to head; refuse one at any revision but head (SchemaTooOldError or
    SchemaTooNewError). Decided under the migration lock, so another process's migration is seen finished."""
    with locked_connection(url) as connection:
        revision, empty = stored_revision(connection)
        connection.commit()
        head = head_revision()
        if revision == head:
            return
        if revision is None and empty:
            _run(command.upgrade, connection, url, "head")
            return
        _refuse_newer(url, revision)
        from db.session import describe_url

        raise SchemaTooOldError(
            f"{describe_url(url)}: schema revision {revision or 'unknown'} is not the current {head}; "
            "run `renkei db upgrade`"
        )


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (SchemaTooNewError if the database is newer than this renkei)."""
    with locked_connection(url) as connection:
        current, _ = stored_revision(connection)
        connection.commit()
        _refuse_newer(url, current)
        _run(command.upgrade, connection, url, revision)


def downgrade(url: str, revision: str) -> None:
    with locked_connection(url) as connection:
        _run(command.downgrade, connection, url, revision)


def check(url: str) -> None:
    """Raise if the models and the migrations disagree (`alembic check`)."""
    with locked_connection(url) as connection:
        _run(command.check, connection, url)
