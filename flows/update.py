"""The update and backfill flows: acquire → extract → assemble and normalise → validate → load → diff → report.

Each task is one call into `renkei` or `db`; Prefect adds retries (network steps only, and only for failures
that may pass), caching of the parse by content hash and parser version, logs and the run summary artifact.
Tasks take plain values — paths, URLs, the database URL — and open what they need themselves; a parsed
edition handed on is wrapped in `quote`, so Prefect does not walk its thousands of records looking for
upstream results (that walk cost more than a second per run).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from db.ingest import IngestResult, ingest_file
from db.queries import edition_on, ingested_sha256s, neighbours, programs_per_ward_before
from db.reports import report_input
from db.session import database
from renkei import config
from renkei.edition import PARSER_VERSION, table_to_edition
from renkei.errors import SettingsError
from renkei.read import read_source
from renkei.records import Edition
from renkei.reference import reference_fingerprint
from renkei.report.view import ReportInput
from renkei.report.write import write_report
from renkei.sources.acquire import folder_editions, listing_edition_link
from renkei.sources.download import download_edition
from renkei.sources.settings import SourceSettings
from renkei.store import SnapshotStore, sha256_of
from renkei.summary import EditionOutcome, RunSummary, summary_lines, summary_markdown
from renkei.table import SourceTable
from renkei.validate import check_gate

NETWORK_RETRIES = 3
NETWORK_RETRY_DELAYS = [2.0, 10.0, 30.0]  # seconds: backoff for a publisher's server having a bad minute
SUMMARY_ARTIFACT_KEY = "renkei-run-summary"


def _may_pass(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a network step only when its failure may pass (5xx, timeout, dropped connection)."""
    exc = state.result(raise_on_failure=False)
    return bool(getattr(exc, "transient", False))


def _extract_key(context: Any, parameters: dict[str, Any]) -> str:
    return f"renkei-extract-{parameters['sha256']}-{PARSER_VERSION}"


def _assemble_key(context: Any, parameters: dict[str, Any]) -> str:
    # place codes come from the municipality list: `renkei reference refresh` must not meet an old parse
    return f"renkei-assemble-{parameters['sha256']}-{PARSER_VERSION}-{reference_fingerprint()}"


# --- acquire -------------------------------------------------------------------------------------------------


@task(
    name="find edition link",
    retries=NETWORK_RETRIES,
    retry_delay_seconds=NETWORK_RETRY_DELAYS,
    retry_condition_fn=_may_pass,
    cache_policy=NO_CACHE,
)
def find_edition_link(listing: str, settings: SourceSettings) -> str:
    link = listing_edition_link(listing, settings)
    as_of = link.as_of.isoformat() if link.as_of else "undated"
    get_run_logger().info("listing %s: newest edition link %s (%s, %s)", listing, link.url, as_of, link.text)
    return link.url


@task(
    name="download edition",
    retries=NETWORK_RETRIES,
    retry_delay_seconds=NETWORK_RETRY_DELAYS,
    retry_condition_fn=_may_pass,
    cache_policy=NO_CACHE,
)
def download(url: str, settings: SourceSettings, folder: str) -> str:
    fetched = download_edition(url, Path(folder), settings)
    what = "not modified since the last run" if fetched.not_modified else f"downloaded ({fetched.source_format})"
    get_run_logger().info("%s: %s → %s", url, what, fetched.path)
    return str(fetched.path)


@task(name="list folder", cache_policy=NO_CACHE)
def list_folder(folder: str) -> list[str]:
    return [str(p) for p in folder_editions(Path(folder))]


def acquire(settings: SourceSettings, downloads: str) -> list[str]:
    """The local edition files the source offers (downloaded into the snapshot store first)."""
    if settings.kind == "folder":
        return list_folder(settings.location)
    url = settings.url or find_edition_link(settings.listing, settings)
    return [download(url, settings, downloads)]


@task(name="select new files", cache_policy=NO_CACHE)
def select_new(paths: list[str], db_url: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, sha256) of the files not stored yet, and the names of those already stored."""
    with database(db_url).reading() as session:
        stored = ingested_sha256s(session)
    hashed = [(path, sha256_of(Path(path))) for path in paths]
    return [(p, s) for p, s in hashed if s not in stored], [Path(p).name for p, s in hashed if s in stored]


# --- parse (cached by content hash and parser version) -------------------------------------------------------


@task(name="extract", cache_key_fn=_extract_key, persist_result=True)
def extract(path: str, sha256: str) -> SourceTable:
    return read_source(Path(path))


@task(name="assemble and normalise", cache_key_fn=_assemble_key, persist_result=True)
def assemble(table: SourceTable, sha256: str) -> Edition:
    edition = table_to_edition(table)
    get_run_logger().info(
        "%s: edition %s, %d programs, %d warnings",
        Path(table.path).name,
        edition.as_of,
        len(edition.records),
        len(edition.warnings),
    )
    return edition


# --- validate, load, diff, report ----------------------------------------------------------------------------


@task(name="validate", cache_policy=NO_CACHE)
def validate(parsed: list[tuple[str, Edition]], db_url: str) -> None:
    """The gate for every new edition (in date order) before any of them is written; each is compared with
    the edition just before it — stored, or new in this run."""
    with database(db_url).reading() as session:
        for index, (path, edition) in enumerate(parsed):
            stored_before, _ = neighbours(session, edition.as_of)
            new_before = parsed[index - 1][1] if index else None
            if new_before is not None and (stored_before is None or new_before.as_of > stored_before.as_of):
                previous: dict[str, int] | None = dict(Counter(r.ward.code for r in new_before.records))
            else:
                previous = programs_per_ward_before(session, edition.as_of)
            check_gate(edition, path, previous)


@task(name="load", cache_policy=NO_CACHE)
def load(path: str, edition: Edition, db_url: str, store: str, replace_edition: bool = False) -> IngestResult:
    result = ingest_file(
        database(db_url), Path(path), SnapshotStore(Path(store)), replace=replace_edition, parsed=edition
    )
    get_run_logger().info(result.describe())
    return result


@task(name="diff", cache_policy=NO_CACHE)
def diff(as_of: date, db_url: str) -> ReportInput:
    """The edition, the one before it and the change events stored between them at load."""
    with database(db_url).reading() as session:
        return report_input(session, as_of)


@task(name="report", cache_policy=NO_CACHE)
def report(data: ReportInput, folder: str) -> str:
    return str(write_report(data, Path(folder) / data.edition.isoformat()).folder)


# --- flows ---------------------------------------------------------------------------------------------------


def _store_editions(
    paths: list[str],
    source: str,
    db_url: str | None,
    snapshots: str | None,
    reports: str | None,
    replace_edition: bool = False,
) -> RunSummary:
    """Parse every new file and validate them all, then load, diff and report them in date order."""
    logger = get_run_logger()
    db_url = db_url or config.database_url()
    store = snapshots or str(config.snapshot_dir())
    reports = reports or str(config.reports_dir())
    new, unchanged = select_new(paths, db_url)
    outcomes: dict[date, EditionOutcome] = {}
    if new:
        # A cached table may come from a copy of the file elsewhere: messages must name this one.
        parsed = [(path, assemble(quote(replace(extract(path, sha256), path=path)), sha256)) for path, sha256 in new]
        parsed.sort(key=lambda item: item[1].as_of)  # date order: each edition is appended, not re-placed
        validate(quote(parsed), db_url)
        for path, edition in parsed:
            result = load(path, quote(edition), db_url, store, replace_edition)
            if result.status == "unchanged":  # stored by a concurrent run since select_new
                unchanged.append(Path(path).name)
                continue
            outcomes[edition.as_of] = _outcome(
                edition.as_of, result.status, path, db_url, reports, warnings=len(edition.warnings)
            )
            relinked = result.counts.get("editions_reappended") or []
            if relinked:  # the stored edition right after this one has a new predecessor: new diff, new report
                as_of = date.fromisoformat(relinked[0])  # type: ignore[index]
                kept = outcomes.get(as_of)
                status, name = (kept.status, kept.source) if kept else ("relinked", "")
                outcomes[as_of] = _outcome(as_of, status, name, db_url, reports, warnings=kept.warnings if kept else 0)
    summary = RunSummary(source, tuple(outcomes[d] for d in sorted(outcomes)), tuple(unchanged))
    _publish(summary)
    for line in summary_lines(summary):
        logger.info(line)
    return summary


def _outcome(as_of: date, status: str, source: str, db_url: str, reports: str, warnings: int = 0) -> EditionOutcome:
    data = diff(as_of, db_url)
    folder = report(quote(data), reports)
    if not source:  # a re-linked edition: name the file it was stored from
        with database(db_url).reading() as session:
            source = edition_on(session, as_of).source_name
    return EditionOutcome(
        source=source,
        as_of=as_of,
        status=status,
        programs=len(data.records),
        warnings=warnings,
        previous=data.previous,
        events=data.events,
        report=folder,
    )


def _publish(summary: RunSummary) -> None:
    if summary.nothing_new:
        get_run_logger().info(summary_lines(summary)[0])
    create_markdown_artifact(
        key=SUMMARY_ARTIFACT_KEY,
        markdown=summary_markdown(summary),
        description="renkei: what this run stored and the changes per ward",
    )


@flow(name="renkei-update", log_prints=True)
def update(
    folder: str | None = None,
    url: str | None = None,
    listing: str | None = None,
    database_url: str | None = None,
    snapshot_dir: str | None = None,
    reports_dir: str | None = None,
    replace_edition: bool = False,
) -> RunSummary:
    """One update run: take the newest edition(s) from the configured source, store what is new, diff it
    against the edition before and write the reports. A source with nothing new ends as a no-op.

    folder / url / listing override the configured source (renkei.sources.settings); the other parameters
    override RENKEI_DATABASE_URL, RENKEI_SNAPSHOT_DIR and RENKEI_REPORTS_DIR. replace_edition: a file whose
    as-of date is stored with other content (a corrected edition republished) replaces it, as with
    `renkei ingest --replace`; without it such a file fails the run.
    """
    settings = SourceSettings.load().with_overrides(folder=folder, url=url, listing=listing)
    store = snapshot_dir or str(config.snapshot_dir())
    get_run_logger().info("source: %s %s", settings.kind, settings.location)
    paths = acquire(settings, str(Path(store) / "downloads"))
    return _store_editions(paths, settings.location, database_url, store, reports_dir, replace_edition)


@flow(name="renkei-backfill", log_prints=True)
def backfill(
    paths: list[str] | None = None,
    folder: str | None = None,
    database_url: str | None = None,
    snapshot_dir: str | None = None,
    reports_dir: str | None = None,
    replace_edition: bool = False,
) -> RunSummary:
    """Store a folder or a list of edition files, in any order of dates (already stored files are skipped)."""
    files = list(paths or [])
    if folder:
        files += list_folder(folder)
    if not files:
        raise SettingsError("backfill needs paths or a folder of edition files")
    source = folder or ", ".join(Path(p).name for p in files)
    return _store_editions(files, source, database_url, snapshot_dir, reports_dir, replace_edition)
