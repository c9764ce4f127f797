"""Views for analysts who query the warehouse directly, and program_version.first_start_year they need.

v_partnership                  one row per edition, program and partner (ward, place, program, edition)
v_program_history              one row per program version: its content and the editions it spans
v_ward_municipality_timeline   one row per edition, ward and partner place: how many programs link them

The views use only SQL that SQLite (3.25+) and PostgreSQL both run (no JSON functions, no string aggregation),
which is why the earliest declared start year becomes a plain column here. A later migration that rebuilds one of the
tables they read in SQLite batch mode must drop the views first and create them again afterwards.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep meaning what it meant when it was written.
VIEWS: tuple[tuple[str, str], ...] = (
    (
        "v_partnership",
        """
        SELECT e.as_of AS edition,
               ee.ward_code,
               w.city AS ward_name,
               ee.program_id,
               ee.seq,
               pv.name AS program_name,
               pv.category,
               vp.position AS partner_position,
               vp.name AS partner_name,
               vp.kind AS partner_kind,
               vp.code AS place_code,
               m.prefecture || COALESCE(m.city, '') AS place_name,
               m.prefecture,
               COALESCE(vp.start_fiscal_year, pv.first_start_year) AS declared_start
        FROM edition_entry ee
        JOIN edition e ON e.id = ee.edition_id
        JOIN program_version pv ON pv.id = ee.version_id
        JOIN version_partner vp ON vp.version_id = pv.id
        LEFT JOIN municipality w ON w.code = ee.ward_code
        LEFT JOIN municipality m ON m.code = vp.code
        """,
    ),
    (
        "v_program_history",
        """
        SELECT pv.program_id,
               ROW_NUMBER() OVER (PARTITION BY pv.program_id ORDER BY ef.as_of) AS version_no,
               pv.id AS version_id,
               pv.ward_code,
               w.city AS ward_name,
               pv.name AS program_name,
               pv.name_key,
               pv.category,
               pv.body,
               pv.content,
               pv.start_text,
               pv.first_start_year,
               (SELECT COUNT(*) FROM version_partner vp WHERE vp.version_id = pv.id) AS partners,
               ef.as_of AS valid_from,
               span.last_seen,
               span.editions,
               CASE WHEN span.last_seen = (SELECT MAX(as_of) FROM edition) THEN 1 ELSE 0 END AS is_current
        FROM program_version pv
        JOIN edition ef ON ef.id = pv.valid_from_edition_id
        JOIN (
            SELECT ee.version_id,
                   MAX(e.as_of) AS last_seen,
                   COUNT(*) AS editions
            FROM edition_entry ee
            JOIN edition e ON e.id = ee.edition_id
            GROUP BY ee.version_id
        ) span ON span.version_id = pv.id
        LEFT JOIN municipality w ON w.code = pv.ward_code
        """,
    ),
    (
        "v_ward_municipality_timeline",
        """
        SELECT g.*, f.first_observed
        FROM (
            SELECT p.edition,
                   p.ward_code,
                   p.ward_name,
                   p.place_code,
                   p.place_name,
                   p.prefecture,
                   COUNT(DISTINCT p.program_id) AS programs,
                   MIN(p.declared_start) AS declared_start
            FROM v_partnership p
            WHERE p.place_code IS NOT NULL
            GROUP BY p.edition, p.ward_code, p.ward_name, p.place_code, p.place_name, p.prefecture
        ) g
        JOIN (
            SELECT ward_code, place_code, MIN(edition) AS first_observed
            FROM v_partnership
            WHERE place_code IS NOT NULL
            GROUP BY ward_code, place_code
        ) f ON f.ward_code = g.ward_code AND f.place_code = g.place_code
        """,
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("program_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_start_year", sa.Integer(), nullable=True))
    versions = sa.table(
        "program_version",
        sa.column("id", sa.Integer),
        sa.column("start_years", sa.JSON),
        sa.column("first_start_year", sa.Integer),
    )
    connection = op.get_bind()
    updates = [
        {"version_id": row.id, "year": min(row.start_years)}
        for row in connection.execute(sa.select(versions.c.id, versions.c.start_years))
        if row.start_years
    ]
    if updates:
        connection.execute(
            versions.update().where(versions.c.id == sa.bindparam("version_id")).values(first_start_year=sa.bindparam("year")),
            updates,
        )
    for name, query in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {query.strip()}")


def downgrade() -> None:
    for name, _ in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("program_version", schema=None) as batch_op:
        batch_op.drop_column("first_start_year")
