"""`renkei ingest`: one edition file → snapshot store + versioned tables, in one transaction.

Order of work, so that a crash at any point leaves the warehouse consistent: parse (no side effects) → stage
the snapshot under temporary names → move its files to their content-addressed places (unlisted: harmless)
→ one write transaction (lock, checks, load, audit row) → list it in the manifest. The database is the record
of what is stored; a crash after the commit leaves the manifest behind, and `db.reconcile` (run by every
command that opens the warehouse) lists the edition again. A file already ingested (same sha256) is a no-op.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.events import write_events as store_events
from db.load import EventWriter, LoadCounts, Matcher, append_edition, place_edition, remove_edition
from db.models import Edition, IngestRun
from db.session import Database
from renkei.errors import EditionConflictError, RenkeiError
from renkei.match import match_editions
from renkei.parse.edition import PARSER_VERSION, read_edition
from renkei.provenance import SourceRecord, file_source
from renkei.records import Edition as ParsedEdition
from renkei.store import SnapshotStore, sha256_of


@dataclass(frozen=True)
class IngestResult:
    source: str
    sha256: str
    as_of: str
    status: str  # ingested | unchanged | replaced
    records: int
    counts: dict[str, object] = field(default_factory=dict)

    def describe(self) -> str:
        if self.status == "unchanged":
            return f"{self.source}: edition {self.as_of} already ingested (sha256 {self.sha256[:12]}…); nothing written"
        verb = "replaced" if self.status == "replaced" else "ingested"
        c = self.counts
        again = c.get("editions_reappended") or []
        tail = f"; later editions re-linked: {', '.join(again)}" if again else ""
        return (
            f"{self.source}: {verb} edition {self.as_of}: {self.records} programs, "
            f"{c.get('versions_written', 0)} new versions, {c.get('programs_created', 0)} new programs, "
            f"{c.get('programs_ended', 0)} ended, {c.get('change_events', 0)} change events{tail}"
        )


def ingest_file(
    db: Database,
    path: Path,
    store: SnapshotStore,
    *,
    replace: bool = False,
    parsed: ParsedEdition | None = None,
    matcher: Matcher = match_editions,
    write_events: EventWriter | None = store_events,
    source: SourceRecord | None = None,
) -> IngestResult:
    """Store one edition file (see the module docstring). Raises RenkeiError for bad input or a conflict.

    `source` says where the file came from (default: this local file); it is stored with the edition and in
    the manifest, completed with the file's sha256 and the parser version."""
    sha256 = sha256_of(path)
    edition = parsed if parsed is not None else read_edition(path)
    provenance = (source or file_source(path)).completed(sha256, PARSER_VERSION)
    source_name = path.name
    with db.reading() as session:
        if _edition_with_sha(session, sha256) is not None:
            return IngestResult(source_name, sha256, edition.as_of.isoformat(), "unchanged", len(edition.records))
    staged = store.stage(path, sha256, edition, provenance=provenance.to_dict())
    started = datetime.now(UTC)
    superseded: str | None = None
    try:
        store.place(staged)  # files first: once the transaction commits, they must be there
        with db.writing() as session:
            if _edition_with_sha(session, sha256) is not None:  # another process won the race while we waited
                store.discard(staged, placed=False)  # its edition lists the same files
                return IngestResult(source_name, sha256, edition.as_of.isoformat(), "unchanged", len(edition.records))
            existing = session.scalars(select(Edition).where(Edition.as_of == edition.as_of)).one_or_none()
            if existing is not None and not replace:
                raise EditionConflictError(
                    f"{path}: edition {edition.as_of.isoformat()} is already ingested from another file "
                    f"({existing.source_name}, sha256 {existing.sha256[:12]}…); use --replace to re-version it"
                )
            row = _edition_row(path, sha256, edition, started, provenance)
            if existing is not None:
                superseded = existing.sha256
                row.supersedes = _superseded_sources(existing)
                counts = _replace(session, existing, row, edition, matcher, write_events)
            else:
                session.add(row)
                session.flush()
                counts = place_edition(session, row, edition.records, matcher=matcher, write_events=write_events)
            session.execute(
                insert(IngestRun).values(
                    started_at=started,
                    finished_at=datetime.now(UTC),
                    status="succeeded",
                    source=str(path),
                    sha256=sha256,
                    as_of=edition.as_of,
                    counts=counts.as_dict(),
                )
            )
    except RenkeiError:
        store.discard(staged, placed=not _stored(db, sha256))
        raise
    except Exception as exc:
        store.discard(staged, placed=not _stored(db, sha256))
        _audit_failure(db, path, sha256, edition, started, exc)
        raise
    store.publish(staged, supersedes=superseded)
    status = "replaced" if superseded else "ingested"
    return IngestResult(source_name, sha256, edition.as_of.isoformat(), status, len(edition.records), counts.as_dict())


def _replace(
    session: Session,
    existing: Edition,
    row: Edition,
    edition: ParsedEdition,
    matcher: Matcher,
    write_events: EventWriter | None,
) -> LoadCounts:
    previous = session.scalars(
        select(Edition).where(Edition.as_of < existing.as_of).order_by(Edition.as_of.desc()).limit(1)
    ).one_or_none()
    later = remove_edition(session, existing)
    session.flush()
    session.add(row)
    session.flush()
    counts = append_edition(session, row, edition.records, previous, matcher=matcher, write_events=write_events)
    before = row
    for following, records in later:
        counts.add(append_edition(session, following, records, before, matcher=matcher, write_events=write_events))
        counts.editions_reappended.append(following.as_of.isoformat())
        before = following
    return counts


def _stored(db: Database, sha256: str) -> bool:
    """Whether an edition with this content is stored (by a concurrent run): then its files must stay."""
    try:
        with db.reading() as session:
            return _edition_with_sha(session, sha256) is not None
    except Exception:
        return True  # cannot tell: keeping an unlisted file is harmless, removing a listed one is not


def _edition_with_sha(session: Session, sha256: str) -> Edition | None:
    return session.scalars(select(Edition).where(Edition.sha256 == sha256)).one_or_none()


def _superseded_sources(existing: Edition) -> list[dict[str, object]]:
    """The replaced edition's own source (or what is known of it) after the ones it had replaced itself."""
    own = (
        existing.source
        or SourceRecord(
            kind="file",
            location=existing.source_name,
            file_name=existing.source_name,
            sha256=existing.sha256,
            parser_version=existing.parser_version,
        ).to_dict()
    )
    return [*(existing.supersedes or []), {**own, "ingested_at": existing.ingested_at.isoformat(timespec="seconds")}]


def _edition_row(
    path: Path, sha256: str, edition: ParsedEdition, started: datetime, provenance: SourceRecord
) -> Edition:
    return Edition(
        as_of=edition.as_of,
        title=edition.title,
        source_name=path.name,
        source_format=edition.source_format,
        sha256=sha256,
        size_bytes=path.stat().st_size,
        ingested_at=started,
        record_count=len(edition.records),
        parser_version=PARSER_VERSION,
        source=provenance.to_dict(),
    )


def _audit_failure(
    db: Database, path: Path, sha256: str, edition: ParsedEdition, started: datetime, exc: Exception
) -> None:
    """Record an unexpected failure in ingest_run, in its own transaction (the load itself was rolled back)."""
    try:
        with db.writing() as session:
            session.add(
                IngestRun(
                    started_at=started,
                    finished_at=datetime.now(UTC),
                    status="failed",
                    source=str(path),
                    sha256=sha256,
                    as_of=edition.as_of,
                    error="".join(traceback.format_exception_only(exc)).strip(),
                )
            )
    except Exception:
        pass
