"""The stages of an update run as plain functions: each is one call into `renkei` or `db`, takes plain values
(paths, URLs, the database URL, parsed editions) and returns plain values.

`flows.pipeline` strings them together; it runs them directly (`renkei run` without a Prefect server) or as
Prefect tasks (`flows.update`, which wraps these very functions) — one implementation, two ways to drive it.
Nothing here imports Prefect; what only some runs need (HTTP, templates) is imported inside its stage, so a
run with nothing new starts fast.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.ingest import IngestResult, ingest_file
from db.queries import edition_on, export_records, ingested_sha256s, neighbours, programs_per_ward_before
from db.reconcile import reconcile as reconcile_store
from db.reports import report_input
from db.session import database
from renkei.diff import diff_editions
from renkei.match import match_editions
from renkei.parse.edition import table_to_edition
from renkei.parse.read import read_source
from renkei.parse.source import SourceTable
from renkei.provenance import SourceRecord, now_utc
from renkei.records import Edition
from renkei.report.view import ReportInput
from renkei.review import ChangeVolume, ReviewSettings, change_volume
from renkei.sources import acquire
from renkei.sources.settings import SourceSettings
from renkei.store import SnapshotStore, sha256_of
from renkei.validate import check_gate


@dataclass(frozen=True)
class Offered:
    """A local edition file the source offers, and where it came from."""

    path: str
    source: SourceRecord


# --- acquire -------------------------------------------------------------------------------------------------


def list_folder(folder: str) -> list[Offered]:
    """Every edition file of a local folder."""
    seen = now_utc()
    return [
        Offered(str(p), SourceRecord(kind="folder", location=folder, file_name=p.name, fetched_at=seen))
        for p in acquire.folder_editions(Path(folder))
    ]


def find_edition_link(listing: str, settings: SourceSettings) -> acquire.ListingChoice:
    """The newest link to the table on the publisher's listing page, and every candidate seen there."""
    return acquire.choose_edition_link(listing, settings)


def download(
    url: str,
    settings: SourceSettings,
    folder: str,
    kind: str = "url",
    location: str = "",
    link_text: str | None = None,
) -> Offered:
    """Download one edition file into the snapshot store's downloads folder (a conditional GET)."""
    from renkei.sources.download import download_edition  # httpx: only runs that download pay for it

    fetched = download_edition(url, Path(folder), settings)
    source = SourceRecord(
        kind=kind,
        location=location or url,
        final_url=fetched.final_url,
        link_text=link_text,
        file_name=fetched.file_name,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        fetched_at=fetched.fetched_at,
    )
    return Offered(str(fetched.path), source)


def reconcile(db_url: str, store: str) -> list[str]:
    """The snapshot store brought in line with the warehouse; what was repaired and what could not be."""
    done = reconcile_store(database(db_url), SnapshotStore(Path(store)))
    return done.repaired + [f"problem: {line}" for line in done.problems]


# --- select, parse -------------------------------------------------------------------------------------------


def select_new(offered: list[Offered], db_url: str) -> tuple[list[tuple[Offered, str]], list[str]]:
    """(offered file, sha256) of the files not stored yet, and the names of those already stored."""
    with database(db_url).reading() as session:
        stored = ingested_sha256s(session)
    hashed = [(item, sha256_of(Path(item.path))) for item in offered]
    new = [(item, sha) for item, sha in hashed if sha not in stored]
    return new, [Path(item.path).name for item, sha in hashed if sha in stored]


def extract(path: str, sha256: str) -> SourceTable:
    return read_source(Path(path))


def assemble(table: SourceTable, sha256: str) -> Edition:
    return table_to_edition(table)


# --- validate, review ----------------------------------------------------------------------------------------


def validate(parsed: list[tuple[str, Edition]], db_url: str) -> None:
    """The gate for every new edition (in date order) before any of them is written; each is compared with
    the edition just before it — stored, or new in this run."""
    with database(db_url).reading() as session:
        for index, (path, edition) in enumerate(parsed):
            new_before = _new_before(parsed, index, session)
            if new_before is not None:
                previous: dict[str, int] | None = dict(Counter(r.ward.code for r in new_before.records))
            else:
                previous = programs_per_ward_before(session, edition.as_of)
            check_gate(edition, path, previous)


def review(parsed: list[tuple[str, Edition]], db_url: str, settings: ReviewSettings) -> list[ChangeVolume]:
    """The change volume of every new edition against the one before it (stored or new in this run), computed
    with the same matching and diff the load stores — before anything is written."""
    volumes = []
    with database(db_url).reading() as session:
        for index, (_, edition) in enumerate(parsed):
            new_before = _new_before(parsed, index, session)
            if new_before is not None:
                previous_as_of, previous = new_before.as_of, new_before.records
            else:
                stored_before, _ = neighbours(session, edition.as_of)
                if stored_before is None:
                    continue  # the first edition: nothing to compare with
                previous_as_of, previous = stored_before.as_of, tuple(export_records(session, stored_before.as_of))
            events = diff_editions(previous, edition.records, match_editions(previous, edition.records))
            volumes.append(change_volume(edition.as_of, previous_as_of, previous, events, settings))
    return volumes


def _new_before(parsed: list[tuple[str, Edition]], index: int, session) -> Edition | None:  # type: ignore[no-untyped-def]
    """The edition of this run just before parsed[index], when it is newer than the stored one before it."""
    if not index:
        return None
    candidate = parsed[index - 1][1]
    stored_before, _ = neighbours(session, parsed[index][1].as_of)
    return candidate if stored_before is None or candidate.as_of > stored_before.as_of else None


# --- load, diff, report --------------------------------------------------------------------------------------


def load(
    path: str, edition: Edition, source: SourceRecord, db_url: str, store: str, replace_edition: bool = False
) -> IngestResult:
    return ingest_file(
        database(db_url),
        Path(path),
        SnapshotStore(Path(store)),
        replace=replace_edition,
        parsed=edition,
        source=source,
    )


def diff(as_of: date, db_url: str) -> ReportInput:
    """The edition, the one before it and the change events stored between them at load."""
    with database(db_url).reading() as session:
        return report_input(session, as_of)


def report(data: ReportInput, folder: str) -> str:
    from renkei.report.write import write_report  # Jinja2: a run with nothing new never renders

    return str(write_report(data, Path(folder) / data.edition.isoformat()).folder)


def stored_name(as_of: date, db_url: str) -> str:
    """The file name an edition was stored from."""
    with database(db_url).reading() as session:
        return edition_on(session, as_of).source_name


__all__ = [
    "Offered",
    "assemble",
    "diff",
    "download",
    "extract",
    "find_edition_link",
    "list_folder",
    "load",
    "reconcile",
    "report",
    "review",
    "select_new",
    "stored_name",
    "validate",
]
