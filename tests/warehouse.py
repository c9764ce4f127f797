"""Dumps of the warehouse for comparisons: raw (ids included) and canonical (ids replaced by what they mean)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import ChangeEvent, Edition, EditionEntry, Program, ProgramVersion, QualityIssue, VersionPartner
from db.session import Database
from tests.conftest import DATA_TABLES


def raw_dump(db: Database, *, skip: tuple[str, ...] = ("ingest_run",)) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, sorted, as plain tuples (ingested_at aside, it is a timestamp)."""
    dump = {}
    with db.engine.connect() as connection:
        for table in DATA_TABLES:
            if table in skip:
                continue
            rows = connection.execute(text(f"SELECT * FROM {table}")).mappings().all()
            dump[table] = sorted((tuple((k, _plain(v)) for k, v in sorted(row.items())) for row in rows), key=repr)
    return dump


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def canonical_dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """The warehouse with every surrogate id replaced by a key that means the same in any database."""
    with Session(db.engine) as session:
        as_of = {e.id: e.as_of.isoformat() for e in session.scalars(select(Edition))}
        entries = list(session.scalars(select(EditionEntry)))
        # A program is known by where it first appears: (first edition, position there).
        first_position: dict[int, tuple[str, int]] = {}
        for entry in sorted(entries, key=lambda e: (as_of[e.edition_id], e.position)):
            first_position.setdefault(entry.program_id, (as_of[entry.edition_id], entry.position))
        versions = {v.id: v for v in session.scalars(select(ProgramVersion))}

        def version_key(version_id: int) -> tuple[Any, ...]:
            version = versions[version_id]
            return (first_position[version.program_id], as_of[version.valid_from_edition_id])

        dump: dict[str, list[tuple[Any, ...]]] = {
            "edition": sorted(
                (e.as_of.isoformat(), e.sha256, e.record_count, e.title, e.source_name, e.source_format)
                for e in session.scalars(select(Edition))
            ),
            "program": sorted(
                (first_position[p.id], p.ward_code, as_of[p.first_edition_id], as_of.get(p.last_edition_id))
                for p in session.scalars(select(Program))
            ),
            "program_version": sorted(
                (version_key(v.id), as_of.get(v.valid_to_edition_id), v.content_hash, v.name, v.content)
                for v in versions.values()
            ),
            "version_partner": sorted(
                (
                    version_key(p.version_id),
                    p.position,
                    p.text,
                    p.name,
                    p.code,
                    p.kind,
                    p.start_fiscal_year,
                    p.correction,
                )
                for p in session.scalars(select(VersionPartner))
            ),
            "edition_entry": sorted(
                (
                    as_of[e.edition_id],
                    e.position,
                    e.seq,
                    e.ward_code,
                    first_position[e.program_id],
                    version_key(e.version_id),
                    tuple(e.lines),
                )
                for e in entries
            ),
            "quality_issue": sorted(
                (as_of[q.edition_id], q.position, q.kind, q.message, tuple(q.lines))
                for q in session.scalars(select(QualityIssue))
            ),
            "change_event": sorted(
                (
                    as_of[c.from_edition_id],
                    as_of[c.to_edition_id],
                    c.position,
                    c.kind,
                    c.ward_code,
                    c.program_name_key,
                    c.partner_code,
                    c.field,
                    repr(c.old),
                    repr(c.new),
                    c.previous_name,
                    c.confidence,
                    c.reason,
                    first_position.get(c.program_id) if c.program_id else None,
                )
                for c in session.scalars(select(ChangeEvent))
            ),
        }
    return dump
