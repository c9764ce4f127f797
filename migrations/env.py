"""Alembic environment (after warehouse's env.py): batch mode on SQLite, renkei's migration lock (db.migrate:
an advisory lock on PostgreSQL, a file lock on SQLite) around every run."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.models import Base
from renkei.config import database_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    from db.session import normalise_url

    return normalise_url(config.get_main_option("sqlalchemy.url") or database_url())


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_server_default=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_server_default=True,
        transaction_per_migration=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # db.migrate hands over a connection that already holds renkei's migration lock (it has read the revision
    # under that lock); taking the lock again here would wait for itself on SQLite (flock on a second file
    # descriptor). Plain `alembic upgrade head` takes the same lock, so it cannot race renkei's own upgrade.
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_migrations(connection)
        return
    from db.migrate import locked_connection

    with locked_connection(_url()) as connection:
        _run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
