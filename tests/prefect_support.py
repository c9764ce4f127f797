"""Running Prefect as real processes, for the integration test and the run benchmark: a free loopback
port, a Prefect server started and waited for, a process group stopped, a flow run's summary artifact."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], Any], what: str, log: Path, seconds: float = 120) -> Any:
    """The first truthy result of `check` (errors count as not yet); TimeoutError with the log's tail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
            if found:
                return found
        except Exception:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready within {seconds:g} s; log:\n{log.read_text(errors='replace')[-3000:]}")


def start_prefect_server(command: list[str], env: dict[str, str], log: Path, port: int) -> subprocess.Popen[bytes]:
    """Start `prefect server start …` in its own process group and wait until its API answers."""
    import httpx

    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_for(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, "prefect server", log, 180)
    except BaseException:
        stop(server)
        raise
    return server


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with start_new_session=True, children included."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def summary_artifact(flow_run_id: Any, api: str | None = None, key: str = "renkei-run-summary") -> Any:
    """The one artifact of this key a flow run published (from the server at `api`, default: the configured
    one); a held run also publishes "renkei-review"."""
    import contextlib

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    settings = temporary_settings({PREFECT_API_URL: api}) if api else contextlib.nullcontext()
    with settings, get_client(sync_client=True) as client:
        (artifact,) = [
            a
            for a in client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
            )
            if a.key == key
        ]
    return artifact
