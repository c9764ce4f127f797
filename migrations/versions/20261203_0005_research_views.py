"""Research views: v_change_event (change events with their ward and editions) and v_ward_prefecture (per edition,
ward and prefecture: how many partner places and programs).

v_change_event      one row per change event: `ward_code`, `ward_name`, `from_edition`, `to_edition`, `position`,
                    `kind`, `program_id`, `program_name`, `program_name_key`, `previous_name`, `partner_code`,
                    `partner_name`, `field`, `old`, `new` (the JSON text of the values), `confidence`, `reason`
v_ward_prefecture   one row per edition, ward and prefecture any of whose places (the prefecture itself included)
                    is a partner: `edition`, `ward_code`, `ward_name`, `prefecture_code`, `prefecture`, `places`
                    (distinct partner places), `programs` (distinct programs listing one of them)

Plain SQL that SQLite and PostgreSQL both run, as in 0002. `old` and `new` are cast to text so that both
databases give the same column type (PostgreSQL's json has no equality operator).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here, not imported: a migration must keep meaning what it meant when it was written.
VIEWS: tuple[tuple[str, str], ...] = (
    (
        "v_change_event",
        """
        SELECT ce.id,
               ce.ward_code,
               w.city AS ward_name,
               ef.as_of AS from_edition,
               et.as_of AS to_edition,
               ce.position,
               ce.kind,
               ce.program_id,
               ce.program_name,
               ce.program_name_key,
               ce.previous_name,
               ce.partner_code,
               ce.partner_name,
               ce.field,
               CAST(ce.old AS TEXT) AS old,
               CAST(ce.new AS TEXT) AS new,
               ce.confidence,
               ce.reason
        FROM change_event ce
        JOIN edition ef ON ef.id = ce.from_edition_id
        JOIN edition et ON et.id = ce.to_edition_id
        LEFT JOIN municipality w ON w.code = ce.ward_code
        """,
    ),
    (
        "v_ward_prefecture",
        """
        SELECT e.as_of AS edition,
               ee.ward_code,
               w.city AS ward_name,
               pf.code AS prefecture_code,
               pf.prefecture,
               COUNT(DISTINCT vp.code) AS places,
               COUNT(DISTINCT ee.program_id) AS programs
        FROM edition_entry ee
        JOIN edition e ON e.id = ee.edition_id
        JOIN version_partner vp ON vp.version_id = ee.version_id
        JOIN municipality pf ON pf.city IS NULL AND SUBSTR(pf.code, 1, 2) = SUBSTR(vp.code, 1, 2)
        LEFT JOIN municipality w ON w.code = ee.ward_code
        WHERE vp.code IS NOT NULL
        GROUP BY e.as_of, ee.ward_code, w.city, pf.code, pf.prefecture
        """,
    ),
)


def upgrade() -> None:
    for name, query in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {query.strip()}")


def downgrade() -> None:
    for name, _ in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
