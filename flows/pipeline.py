"""The update run, once: acquire → select new → extract → assemble → validate → review → load → diff → report,
with notifications — driven either directly (`renkei run` with no Prefect server configured: no Prefect import,
no server, the same stage functions called in this process) or by Prefect (`flows.update`: every stage a task
of a flow run on a server, visible in its UI, with retries, caching and a pause for review).

A driver says how a stage is called, what a hold does and where the summary goes; the order of the stages,
what is compared with what, and what is written lives only here.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from flows import stages
from flows.stages import Offered
from renkei import config
from renkei.errors import RenkeiError, SettingsError
from renkei.notify import NotifySettings, failed_notice, held_notice, send, stored_notice
from renkei.provenance import file_source, source_warnings
from renkei.records import Edition
from renkei.review import ChangeVolume, ReviewHoldError, ReviewSettings, hold_markdown
from renkei.sources.settings import SourceSettings
from renkei.summary import EditionOutcome, RunSummary, summary_lines

NETWORK_STAGES = ("find_edition_link", "download")
NETWORK_RETRY_DELAYS = (2.0, 10.0, 30.0)  # seconds: backoff for a publisher's server having a bad minute
HOLD_CHOICES = ("stop", "accept", "pause")  # what a held edition does: fail the run, load anyway, wait


class Driver(Protocol):
    """How the stages of one run are executed."""

    logger: logging.Logger | logging.LoggerAdapter[Any]

    def call(self, stage: str, *args: Any) -> Any:
        """Run the stage function `flows.stages.<stage>` with these arguments."""

    def hold(self, held: Sequence[ChangeVolume], markdown: str) -> bool:
        """Decide on held editions: True loads them, False writes nothing; may raise ReviewHoldError."""

    def publish(self, summary: RunSummary) -> None:
        """Make the run summary visible where the driver keeps such things."""


@dataclass(frozen=True)
class Places:
    """Where a run writes: the warehouse, the snapshot store and the reports (each defaulting to config)."""

    db_url: str
    store: str
    reports: str

    @classmethod
    def resolve(cls, db_url: str | None = None, store: str | None = None, reports: str | None = None) -> Places:
        return cls(
            db_url or config.database_url(),
            store or str(config.snapshot_dir()),
            reports or str(config.reports_dir()),
        )


class DirectDriver:
    """Calls the stages in this process: no Prefect. Network stages are retried like the flow's tasks (only
    failures that may pass); a held edition stops the run (exit 2) unless changes are accepted."""

    def __init__(
        self,
        *,
        accept_changes: bool = False,
        logger: logging.Logger | None = None,
        retry_delays: Sequence[float] = NETWORK_RETRY_DELAYS,
    ) -> None:
        self.accept_changes = accept_changes
        self.logger = logger or logging.getLogger("renkei.run")
        self.retry_delays = tuple(retry_delays)

    def call(self, stage: str, *args: Any) -> Any:
        function = getattr(stages, stage)
        delays = self.retry_delays if stage in NETWORK_STAGES else ()
        for attempt in range(len(delays) + 1):
            try:
                return function(*args)
            except Exception as exc:
                if attempt == len(delays) or not getattr(exc, "transient", False):
                    raise
                self.logger.warning("%s failed (%s); retrying in %g s", stage, exc, delays[attempt])
                time.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    def hold(self, held: Sequence[ChangeVolume], markdown: str) -> bool:
        if self.accept_changes:
            self.logger.warning("changes accepted without review (--accept-changes): %s", held[0].describe())
            return True
        raise ReviewHoldError(held[0].describe() + "; nothing written (to load it anyway: --accept-changes)")

    def publish(self, summary: RunSummary) -> None:
        for line in summary_lines(summary):
            self.logger.info(line)


def run_update(
    driver: Driver,
    settings: SourceSettings,
    places: Places,
    *,
    replace_edition: bool = False,
    notify: NotifySettings | None = None,
) -> RunSummary:
    """One update run from the configured source (see flows.update.update for the parameters)."""
    notify = notify if notify is not None else NotifySettings.load()
    review = ReviewSettings.from_env()
    driver.logger.info("source: %s %s", settings.kind, settings.location)
    return _notified(
        driver,
        notify,
        settings.location,
        lambda: _store_editions(
            driver, _acquire(driver, settings, places), settings.location, places, replace_edition, review, notify
        ),
    )


def run_backfill(
    driver: Driver,
    paths: Sequence[str],
    folder: str | None,
    places: Places,
    *,
    replace_edition: bool = False,
    notify: NotifySettings | None = None,
) -> RunSummary:
    """Store a folder or a list of edition files, in any order of dates (already stored files are skipped)."""
    notify = notify if notify is not None else NotifySettings.load()
    review = ReviewSettings.from_env()
    source = folder or ", ".join(Path(p).name for p in paths)

    def work() -> RunSummary:
        offered = [Offered(str(p), file_source(Path(p))) for p in paths]
        if folder:
            offered += driver.call("list_folder", folder)
        if not offered:
            raise SettingsError("backfill needs paths or a folder of edition files")
        return _store_editions(driver, offered, source, places, replace_edition, review, notify)

    return _notified(driver, notify, source, work)


def _notified(driver: Driver, notify: NotifySettings, source: str, work: Any) -> RunSummary:
    """Run `work`, telling the configured channels what became of it; a failing channel never fails the run."""
    try:
        summary: RunSummary = work()
    except ReviewHoldError:
        raise  # held: the hold notice went out already
    except Exception as exc:
        send(failed_notice(source, str(exc) or type(exc).__name__), notify, logger=driver.logger)
        raise
    if summary.outcomes:
        send(stored_notice(summary, notify.reports_base_url), notify, logger=driver.logger)
    return summary


def _acquire(driver: Driver, settings: SourceSettings, places: Places) -> list[Offered]:
    downloads = str(Path(places.store) / "downloads")
    if settings.kind == "folder":
        offered: list[Offered] = driver.call("list_folder", settings.location)
        return offered
    if settings.url:
        return [driver.call("download", settings.url, settings, downloads, "url", settings.url, None)]
    choice = driver.call("find_edition_link", settings.listing, settings)
    driver.logger.info("%s", choice.describe())
    link = choice.chosen
    return [driver.call("download", link.url, settings, downloads, "listing", settings.listing, link.text)]


def _store_editions(
    driver: Driver,
    offered: list[Offered],
    source: str,
    places: Places,
    replace_edition: bool,
    review: ReviewSettings,
    notify: NotifySettings,
) -> RunSummary:
    """Parse every new file, validate and review them all, then load, diff and report them in date order."""
    for line in driver.call("reconcile", places.db_url, places.store):
        driver.logger.warning("snapshot store: %s", line)
    new, unchanged = driver.call("select_new", offered, places.db_url)
    outcomes: dict[date, EditionOutcome] = {}
    parsed: list[tuple[Offered, Edition]] = []
    for item, sha256 in new:
        try:
            # A cached table may come from a copy of the file elsewhere: messages must name this one.
            table = replace(driver.call("extract", item.path, sha256), path=item.path)
            edition = driver.call("assemble", table, sha256)
        except RenkeiError as exc:
            raise _refused_download(exc, item) from None
        driver.logger.info(
            "%s: edition %s, %d programs, %d warnings",
            Path(item.path).name,
            edition.as_of,
            len(edition.records),
            len(edition.warnings),
        )
        parsed.append((item, edition))
    parsed.sort(key=lambda pair: pair[1].as_of)  # date order: each edition is appended, not re-placed
    if parsed:
        pairs = [(item.path, edition) for item, edition in parsed]
        driver.call("validate", pairs, places.db_url)
        held = [v for v in driver.call("review", pairs, places.db_url, review) if v.held]
        if held:
            markdown = hold_markdown(held)
            driver.logger.warning("%s", held[0].describe())
            send(held_notice(markdown, as_of=held[0].as_of), notify, logger=driver.logger)
            if not driver.hold(held, markdown):
                summary = RunSummary(source, (), tuple(unchanged), held=tuple(held), rejected=True)
                driver.publish(summary)
                return summary
    for item, edition in parsed:
        result = driver.call("load", item.path, edition, item.source, places.db_url, places.store, replace_edition)
        driver.logger.info("%s", result.describe())
        if result.status == "unchanged":  # stored by a concurrent run since select_new
            unchanged.append(Path(item.path).name)
            continue
        outcomes[edition.as_of] = _outcome(
            driver, edition.as_of, result.status, item.path, places, len(edition.warnings)
        )
        relinked = result.counts.get("editions_reappended") or []
        if relinked:  # the stored edition right after this one has a new predecessor: new diff, new report
            as_of = date.fromisoformat(relinked[0])
            kept = outcomes.get(as_of)
            status, name = (kept.status, kept.source) if kept else ("relinked", "")
            outcomes[as_of] = _outcome(driver, as_of, status, name, places, kept.warnings if kept else 0)
    summary = RunSummary(source, tuple(outcomes[d] for d in sorted(outcomes)), tuple(unchanged))
    driver.publish(summary)
    return summary


def _refused_download(exc: RenkeiError, item: Offered) -> RenkeiError:
    """A downloaded file that is no edition: removed from the downloads folder (the next run fetches it again,
    unconditionally), and the error names its URL rather than the local copy."""
    url = item.source.final_url or (item.source.location if item.source.kind == "url" else None)
    if item.source.kind not in ("url", "listing") or url is None:
        return exc
    Path(item.path).unlink(missing_ok=True)
    refused = copy.copy(exc)
    refused.args = (str(exc).replace(item.path, url),)
    return refused


def _outcome(driver: Driver, as_of: date, status: str, source: str, places: Places, warnings: int) -> EditionOutcome:
    data = driver.call("diff", as_of, places.db_url)
    folder = driver.call("report", data, places.reports)
    if not source:  # a re-linked edition: name the file it was stored from
        source = driver.call("stored_name", as_of, places.db_url)
    return EditionOutcome(
        source=source,
        as_of=as_of,
        status=status,
        programs=len(data.records),
        warnings=warnings,
        previous=data.previous,
        events=data.events,
        report=folder,
        provenance=data.source,
        notes=tuple(source_warnings(data.source, as_of)),
        supersedes=data.supersedes,
    )


def check_hold_choice(on_hold: str) -> str:
    if on_hold not in HOLD_CHOICES:
        raise SettingsError(f"on_hold must be one of {', '.join(HOLD_CHOICES)}, not {on_hold!r}")
    return on_hold
