"""Category tags: version_category_tag (the canonical categories of each version, one row per tag) and the view
v_program_category (one row per edition, program and tag).

The backfill reads each stored version's raw category through renkei.normalise.categories as it is when this
revision runs: the table of variants is data of the code, and tags are written with it at every later load.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW = """
SELECT e.as_of AS edition,
       ee.ward_code,
       w.city AS ward_name,
       ee.program_id,
       ee.seq,
       pv.name AS program_name,
       pv.category,
       t.position AS tag_position,
       t.tag
FROM edition_entry ee
JOIN edition e ON e.id = ee.edition_id
JOIN program_version pv ON pv.id = ee.version_id
JOIN version_category_tag t ON t.version_id = pv.id
LEFT JOIN municipality w ON w.code = ee.ward_code
"""


def upgrade() -> None:
    from renkei.normalise.categories import category_tags

    op.create_table(
        "version_category_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["program_version.id"],
            name=op.f("fk_version_category_tag_version_id_program_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_category_tag")),
        sa.UniqueConstraint("version_id", "position", name=op.f("uq_version_category_tag_version_id_position")),
    )
    op.create_index(op.f("ix_version_category_tag_tag"), "version_category_tag", ["tag"], unique=False)
    connection = op.get_bind()
    versions = sa.table("program_version", sa.column("id", sa.Integer), sa.column("category", sa.Text))
    rows = [
        {"version_id": row.id, "position": position, "tag": tag}
        for row in connection.execute(sa.select(versions.c.id, versions.c.category))
        for position, tag in enumerate(category_tags(row.category or ""))
    ]
    if rows:
        tags = sa.table(
            "version_category_tag",
            sa.column("version_id", sa.Integer),
            sa.column("position", sa.Integer),
            sa.column("tag", sa.Text),
        )
        connection.execute(tags.insert(), rows)
    op.execute(f"CREATE VIEW v_program_category AS {VIEW.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_program_category")
    op.drop_index(op.f("ix_version_category_tag_tag"), table_name="version_category_tag")
    op.drop_table("version_category_tag")
