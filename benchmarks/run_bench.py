"""`renkei run` on the bundled editions, as a user meets it: new processes, against `renkei parse` of the same
edition (the cost of starting Python and reading the file, which no run can avoid).

Process figures (median of RUNS; each first run on an empty SQLite warehouse, snapshot store and reports folder):
- renkei parse: the bundled edition to JSON lines;
- renkei run, first: no PREFECT_API_URL, so the pipeline's stages run in the process (no Prefect, no server);
- renkei run, nothing new: the same again on the stored warehouse;
- renkei run, running server: PREFECT_API_URL set, so the run is a flow run on that server.
Goals on a 2-core machine: nothing new ≤ 3× the parse process, first run ≤ 6×.

In-process figures: the pipeline with the direct driver against the update flow (Prefect driver) with a running
server — what Prefect's task and flow-run bookkeeping adds to the same stages (goal ≤ +2 s).
Run: .venv/bin/python benchmarks/run_bench.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.prefect_support import free_port, start_prefect_server, stop

RUNS = 5
BIN = Path(sys.executable).parent
_fresh = iter(range(1_000_000))


def _start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    home.mkdir(parents=True, exist_ok=True)
    command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
    return start_prefect_server(command, env, home / "server.log", port), f"http://127.0.0.1:{port}/api"


def _home(scratch: Path) -> dict[str, str]:
    """The variables of a new, empty renkei home (database, snapshot store, reports, Prefect's state)."""
    root = scratch / f"home-{next(_fresh)}"
    root.mkdir(parents=True)
    return {
        "RENKEI_HOME": str(root),
        "RENKEI_SNAPSHOT_DIR": str(root / "snapshots"),
        "RENKEI_REPORTS_DIR": str(root / "reports"),
    }


def _process(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "renkei"), *args], env=env, check=True, capture_output=True)


def _timed(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _in_process(scratch: Path, folder: Path, api: str) -> tuple[float, float]:
    """The pipeline driven directly and by Prefect (update flow, running server), in this process."""
    os.environ.update(PREFECT_API_URL=api, PREFECT_HOME=str(scratch / "client"), PREFECT_LOGGING_LEVEL="WARNING")
    from flows.pipeline import DirectDriver, Places, run_update
    from flows.update import update
    from renkei.sources.settings import SourceSettings

    def places() -> Places:
        home = _home(scratch)
        return Places(
            f"sqlite:///{home['RENKEI_HOME']}/w.sqlite3", home["RENKEI_SNAPSHOT_DIR"], home["RENKEI_REPORTS_DIR"]
        )

    def flow() -> None:
        where = places()
        update(folder=str(folder), database_url=where.db_url, snapshot_dir=where.store, reports_dir=where.reports)

    direct = _timed(lambda: run_update(DirectDriver(), SourceSettings(folder=str(folder)), places()))
    flow()  # warm-up: imports, first API calls
    return direct, _timed(flow)


def main() -> None:
    from benchmarks.common import PROJECT_ROOT, print_figures

    folder = PROJECT_ROOT / "snapshots" / "bundled"
    edition = next(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    scratch = Path(tempfile.mkdtemp(prefix="renkei-run-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RENKEI_"))}
    env.update(PREFECT_HOME=str(scratch / "no-prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    server, api = _start_server(scratch / "prefect-server")
    try:
        parse = _timed(lambda: _process(["parse", str(edition)], env))
        first = _timed(lambda: _process(["run", "--editions", str(folder)], {**env, **_home(scratch)}))
        stored = {**env, **_home(scratch)}
        _process(["run", "--editions", str(folder)], stored)
        noop = _timed(lambda: _process(["run", "--editions", str(folder)], stored))
        served = _timed(
            lambda: _process(["run", "--editions", str(folder)], {**env, **_home(scratch), "PREFECT_API_URL": api}),
            runs=3,
        )
        direct, flow = _in_process(scratch, folder, api)
    finally:
        stop(server)
        shutil.rmtree(scratch, ignore_errors=True)
    print_figures(
        "renkei run on the bundled edition, new processes (median of runs)",
        [
            ("renkei parse (the edition to JSON lines)", f"{parse:.2f} s", "1×"),
            ("renkei run, empty warehouse, no server", f"{first:.2f} s", f"{first / parse:.1f}× (goal ≤ 6×)"),
            ("renkei run, nothing new, no server", f"{noop:.2f} s", f"{noop / parse:.1f}× (goal ≤ 3×)"),
            ("renkei run, empty warehouse, running server", f"{served:.2f} s", f"{served / parse:.1f}×: a flow run"),
        ],
    )
    print_figures(
        "the same stages in one process: direct driver ÷ update flow with a running server",
        [
            ("pipeline, direct driver", f"{direct:.2f} s", ""),
            ("update flow (Prefect driver)", f"{flow:.2f} s", f"+{flow - direct:.2f} s (goal ≤ +2 s)"),
        ],
    )


if __name__ == "__main__":
    main()
