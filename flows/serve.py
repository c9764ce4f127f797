"""`renkei serve`: the update deployment on its publication-day schedule, and backfill on demand.

The publisher announces no fixed day, so the default schedule looks every weekday at 10:00 Tokyo time: on
the day the edition appears the run stores it, and on every other day it costs one conditional GET and ends
as a no-op. Set RENKEI_SCHEDULE_CRON (or `renkei serve --cron`) to narrow it once the day is known.
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import Flow, serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, validate_cron_string

from flows.update import backfill, update
from renkei.errors import SettingsError

DEFAULT_CRON = "0 10 * * 1-5"
TIMEZONE = "Asia/Tokyo"
UPDATE_DEPLOYMENT = "publication-day"
BACKFILL_DEPLOYMENT = "on-demand"
ENTRYPOINTS = ("flows/update.py:update", "flows/update.py:backfill")  # in the order of deployments()
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def schedule_cron(cron: str | None = None) -> str:
    """The cron expression to serve: the argument, else RENKEI_SCHEDULE_CRON, else DEFAULT_CRON."""
    chosen = cron or os.environ.get("RENKEI_SCHEDULE_CRON") or DEFAULT_CRON
    try:
        return validate_cron_string(chosen)
    except ValueError as exc:
        raise SettingsError(f"schedule {chosen!r} is not a cron expression ({exc})") from None


def deployments(cron: str | None = None) -> list[RunnerDeployment]:
    """The two deployments, each limited to one run at a time."""
    return [
        update.to_deployment(
            name=UPDATE_DEPLOYMENT,
            schedules=[Cron(schedule_cron(cron), timezone=TIMEZONE)],
            concurrency_limit=1,
            entrypoint_type=EntrypointType.MODULE_PATH,  # flows.update.update: runs from any working directory
            description="Find a new edition of 各特別区と全国市町村等連携事業一覧; store, diff, report.",
            tags=["renkei"],
        ),
        backfill.to_deployment(
            name=BACKFILL_DEPLOYMENT,
            concurrency_limit=1,
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Store a folder or a list of edition files, in any order of dates.",
            tags=["renkei"],
        ),
    ]


def deploy_to_work_pool(pool: str, cron: str | None = None) -> list[str]:
    """Register both deployments with a work pool instead of serving them: a worker of that pool (for a
    process pool, on a machine with this checkout) runs them. Returns the deployments' full names."""
    names = []
    for deployment, entrypoint in zip(deployments(cron), ENTRYPOINTS, strict=True):
        flow = Flow.from_source(source=str(PROJECT_ROOT), entrypoint=entrypoint)
        flow.deploy(
            name=deployment.name,
            work_pool_name=pool,
            schedules=deployment.schedules,
            concurrency_limit=1,
            description=deployment.description,
            tags=deployment.tags,
            build=False,  # a process pool runs the checkout; no image
            push=False,
            print_next_steps=False,
        )
        names.append(f"{flow.name}/{deployment.name}")
    return names


def serve_deployments(cron: str | None = None) -> None:
    """Serve both deployments from this process until it is stopped; runs execute here, one at a time."""
    # pause_on_shutdown=False: a restarted container keeps its schedule instead of finding it paused
    serve(*deployments(cron), limit=1, pause_on_shutdown=False)


if __name__ == "__main__":
    serve_deployments()
