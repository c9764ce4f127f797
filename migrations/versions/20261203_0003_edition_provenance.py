"""Provenance of every edition: where its file came from (edition.source) and the files a corrected edition
replaced (edition.supersedes), as the contract's `source` objects (JSON; absent values null).

Editions stored before this revision keep NULL: nothing was recorded of them but their file name and hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN of a nullable column: no table rebuild on SQLite, so the views over `edition` stay as they are
    op.add_column("edition", sa.Column("source", sa.JSON(), nullable=True))
    op.add_column("edition", sa.Column("supersedes", sa.JSON(), nullable=True))


def downgrade() -> None:
    # native DROP COLUMN (SQLite 3.35+): a batch rebuild would trip over the views that read `edition`
    op.drop_column("edition", "supersedes")
    op.drop_column("edition", "source")
