"""Deciding on flow runs held for review, through the Prefect API (`renkei review approve|reject|list`)."""

from __future__ import annotations

from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectNotFound

from renkei.errors import RenkeiError


class ReviewError(RenkeiError):
    """A review decision cannot be given: no such run, or it is not waiting for review."""


def decide(run_id: str, *, approve: bool, note: str = "") -> str:
    """Resume a paused update run with the reviewer's decision; returns one line saying what was done."""
    try:
        flow_run_id = UUID(run_id)
    except ValueError:
        raise ReviewError(f"{run_id!r} is not a flow run id") from None
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(flow_run_id)
        except ObjectNotFound:
            raise ReviewError(f"no flow run {run_id} on the Prefect server") from None
        if run.state is None or not run.state.is_paused():
            state = run.state.name if run.state else "no state"
            raise ReviewError(f"flow run {run_id} ({run.name}) is not waiting for review (state: {state})")
        result = client.resume_flow_run(flow_run_id, run_input={"approve": approve, "note": note})
    if result.status.value != "ACCEPT":
        raise ReviewError(f"flow run {run_id}: the server did not resume it ({result.details})")
    verdict = "approved: it loads the held editions" if approve else "rejected: it ends without writing anything"
    return f"flow run {run_id} ({run.name}) {verdict}"


def held_runs() -> list[str]:
    """One line per paused flow run, newest first."""
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=paused)
    if not runs:
        return ["no flow run is waiting for review"]
    return [f"{run.id} {run.name} paused since {run.state.timestamp:%Y-%m-%d %H:%M}" for run in runs if run.state]
