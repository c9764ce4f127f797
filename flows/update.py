"""The update and backfill flows (Prefect 3): `flows.pipeline` driven by Prefect.

Every stage function of `flows.stages` becomes a task here — the same functions `renkei run` calls directly
when no server is configured. Prefect adds retries (network steps only, and only for failures that may pass),
caching of the parse by content hash and parser version, logs, the run summary artifact, and the review
pause: a held edition waits in the Paused state until someone approves or rejects it (UI or
`renkei review approve|reject RUN_ID`). A parsed edition handed on is wrapped in `quote`, so Prefect does not
walk its thousands of records looking for upstream results (that walk cost more than a second per run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.utilities.annotations import quote

from flows import stages
from flows.pipeline import NETWORK_RETRY_DELAYS, Places, check_hold_choice, run_backfill, run_update
from renkei.errors import SettingsError
from renkei.parse.edition import PARSER_VERSION
from renkei.reference import reference_fingerprint
from renkei.review import ChangeVolume, ReviewHoldError
from renkei.sources.settings import SourceSettings
from renkei.summary import RunSummary, summary_lines, summary_markdown

NETWORK_RETRIES = len(NETWORK_RETRY_DELAYS)
SUMMARY_ARTIFACT_KEY = "renkei-run-summary"
REVIEW_ARTIFACT_KEY = "renkei-review"
DEFAULT_HOLD_TIMEOUT = 7 * 24 * 3600  # a week: long enough for someone to come back to it


class ReviewDecision(RunInput):
    """The reviewer's answer to a held run (the form the Prefect UI shows on Resume)."""

    approve: bool = False
    note: str = ""


def _may_pass(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a network step only when its failure may pass (5xx, timeout, dropped connection)."""
    exc = state.result(raise_on_failure=False)
    return bool(getattr(exc, "transient", False))


def _extract_key(context: Any, parameters: dict[str, Any]) -> str:
    return f"renkei-extract-{parameters['sha256']}-{PARSER_VERSION}"


def _assemble_key(context: Any, parameters: dict[str, Any]) -> str:
    # place codes come from the municipality list: `renkei reference refresh` must not meet an old parse
    return f"renkei-assemble-{parameters['sha256']}-{PARSER_VERSION}-{reference_fingerprint()}"


def _network(name: str, function: Any) -> Any:
    return task(
        name=name,
        retries=NETWORK_RETRIES,
        retry_delay_seconds=list(NETWORK_RETRY_DELAYS),
        retry_condition_fn=_may_pass,
        cache_policy=NO_CACHE,
    )(function)


def _plain(name: str, function: Any) -> Any:
    return task(name=name, cache_policy=NO_CACHE)(function)


# The tasks: the stage functions themselves. Looked up by name at call time (tests may replace one).
find_edition_link = _network("find edition link", stages.find_edition_link)
download = _network("download edition", stages.download)
list_folder = _plain("list folder", stages.list_folder)
reconcile = _plain("reconcile snapshot store", stages.reconcile)
select_new = _plain("select new files", stages.select_new)
extract = task(name="extract", cache_key_fn=_extract_key, persist_result=True)(stages.extract)
assemble = task(name="assemble and normalise", cache_key_fn=_assemble_key, persist_result=True)(stages.assemble)
validate = _plain("validate", stages.validate)
review = _plain("review change volume", stages.review)
load = _plain("load", stages.load)
diff = _plain("diff", stages.diff)
report = _plain("report", stages.report)
stored_name = _plain("stored name", stages.stored_name)


def _quoted(value: Any) -> Any:
    """Large values go to tasks in quote(): Prefect then does not walk them for upstream futures."""
    return value if isinstance(value, str | int | float | bool | type(None)) else quote(value)


class PrefectDriver:
    """Runs each stage as a task of the current flow run; a hold pauses the run, stops it, or is accepted."""

    def __init__(self, on_hold: str, hold_timeout: int) -> None:
        self.on_hold = check_hold_choice(on_hold)
        self.hold_timeout = hold_timeout
        self.logger = get_run_logger()

    def call(self, stage: str, *args: Any) -> Any:
        return getattr(sys.modules[__name__], stage)(*(_quoted(a) for a in args))

    def hold(self, held: Sequence[ChangeVolume], markdown: str) -> bool:
        if self.on_hold == "accept":
            self.logger.warning("changes accepted without review: %s", held[0].describe())
            return True
        if self.on_hold == "stop":
            raise ReviewHoldError(held[0].describe() + "; nothing written (to load it anyway: --accept-changes)")
        create_markdown_artifact(key=REVIEW_ARTIFACT_KEY, markdown=markdown, description="renkei: held for review")
        self.logger.warning(
            "held for review: approve or reject within %d s (Prefect UI: Resume; or renkei review approve|reject)",
            self.hold_timeout,
        )
        decision = pause_flow_run(wait_for_input=ReviewDecision, timeout=self.hold_timeout, poll_interval=2)
        verdict = "approved" if decision.approve else "rejected"
        self.logger.warning("review %s%s", verdict, f": {decision.note}" if decision.note else "")
        return decision.approve

    def publish(self, summary: RunSummary) -> None:
        create_markdown_artifact(
            key=SUMMARY_ARTIFACT_KEY,
            markdown=summary_markdown(summary),
            description="renkei: what this run stored and the changes per ward",
        )
        for line in summary_lines(summary):
            self.logger.info(line)


def _hold_timeout() -> int:
    raw = os.environ.get("RENKEI_REVIEW_TIMEOUT")
    if not raw:
        return DEFAULT_HOLD_TIMEOUT
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"RENKEI_REVIEW_TIMEOUT={raw!r} is not a whole number of seconds") from None


@flow(name="renkei-update", log_prints=True)
def update(
    folder: str | None = None,
    url: str | None = None,
    listing: str | None = None,
    database_url: str | None = None,
    snapshot_dir: str | None = None,
    reports_dir: str | None = None,
    replace_edition: bool = False,
    on_hold: str = "pause",
) -> RunSummary:
    """One update run: take the newest edition(s) from the configured source, store what is new, diff it
    against the edition before and write the reports. A source with nothing new ends as a no-op.

    folder / url / listing override the configured source (renkei.sources.settings); the other parameters
    override RENKEI_DATABASE_URL, RENKEI_SNAPSHOT_DIR and RENKEI_REPORTS_DIR. replace_edition: a file whose
    as-of date is stored with other content (a corrected edition republished) replaces it, as with
    `renkei ingest --replace`; without it such a file fails the run. on_hold: what an edition whose change
    volume is above the review thresholds does — "pause" (wait for approval, RENKEI_REVIEW_TIMEOUT seconds,
    then nothing is written), "stop" (fail, nothing written) or "accept" (load it).
    """
    settings = SourceSettings.load().with_overrides(folder=folder, url=url, listing=listing)
    driver = PrefectDriver(on_hold, _hold_timeout())
    places = Places.resolve(database_url, snapshot_dir, reports_dir)
    return run_update(driver, settings, places, replace_edition=replace_edition)


@flow(name="renkei-backfill", log_prints=True)
def backfill(
    paths: list[str] | None = None,
    folder: str | None = None,
    database_url: str | None = None,
    snapshot_dir: str | None = None,
    reports_dir: str | None = None,
    replace_edition: bool = False,
    on_hold: str = "pause",
) -> RunSummary:
    """Store a folder or a list of edition files, in any order of dates (already stored files are skipped)."""
    driver = PrefectDriver(on_hold, _hold_timeout())
    places = Places.resolve(database_url, snapshot_dir, reports_dir)
    return run_backfill(driver, list(paths or []), folder, places, replace_edition=replace_edition)
