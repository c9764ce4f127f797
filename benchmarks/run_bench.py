"""`renkei run` on the bundled editions: what Prefect adds to the same stages called directly.

Each measure starts from an empty SQLite warehouse, snapshot store and reports folder (median of RUNS):
- direct: parse → gate → ingest → events → report as plain calls in this process;
- update flow: the same through the update flow in this process, against a running Prefect server;
- renkei run: a new process against the running server (adds interpreter start and imports);
- renkei run, temporary server: with no PREFECT_API_URL, as on a fresh machine (Prefect starts its own);
- no-op: the flow again on the stored warehouse (nothing new).
Target: ≤ 2 s extra for the flow with a running server.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.prefect_support import free_port, start_prefect_server, stop

RUNS = 3
BIN = Path(sys.executable).parent


def _start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    home.mkdir(parents=True, exist_ok=True)
    command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
    return start_prefect_server(command, env, home / "server.log", port), f"http://127.0.0.1:{port}/api"


_fresh = iter(range(1_000_000))


def _places(scratch: Path) -> dict[str, str]:
    """New, empty places (a new database URL each time: the session layer remembers a migrated URL)."""
    root = scratch / f"work-{next(_fresh)}"
    root.mkdir(parents=True)
    return {
        "database_url": f"sqlite:///{root / 'warehouse.sqlite3'}",
        "snapshot_dir": str(root / "snapshots"),
        "reports_dir": str(root / "reports"),
    }


def _direct(places: dict[str, str], folder: Path) -> None:
    from db.events import stored_events
    from db.ingest import ingest_file
    from db.queries import neighbours, programs_per_ward_before
    from db.reports import report_input
    from db.session import database
    from renkei.edition import read_edition
    from renkei.report.write import write_report
    from renkei.sources.acquire import folder_editions
    from renkei.store import SnapshotStore
    from renkei.validate import check_gate

    db, store = database(places["database_url"]), SnapshotStore(Path(places["snapshot_dir"]))
    parsed = sorted(((p, read_edition(p)) for p in folder_editions(folder)), key=lambda item: item[1].as_of)
    for path, edition in parsed:
        with db.reading() as session:
            check_gate(edition, str(path), programs_per_ward_before(session, edition.as_of))
        ingest_file(db, path, store, parsed=edition)
        with db.reading() as session:
            previous, _ = neighbours(session, edition.as_of)
            if previous is not None:
                stored_events(session, previous.as_of, edition.as_of)
            data = report_input(session, edition.as_of)
        write_report(data, Path(places["reports_dir"]) / edition.as_of.isoformat())
    db.dispose()


def _direct_process(places: dict[str, str], folder: Path) -> None:
    code = (
        "from pathlib import Path; from benchmarks.run_bench import _direct; "
        f"_direct({places!r}, Path({str(folder)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=Path(__file__).parents[1])


def _cli(places: dict[str, str], folder: Path, env: dict[str, str]) -> None:
    variables = {
        "RENKEI_DATABASE_URL": places["database_url"],
        "RENKEI_SNAPSHOT_DIR": places["snapshot_dir"],
        "RENKEI_REPORTS_DIR": places["reports_dir"],
        "RENKEI_HOME": str(Path(places["reports_dir"]).parent / "home"),
    }
    subprocess.run(
        [str(BIN / "renkei"), "run", "--editions", str(folder)],
        env={**env, **variables},
        check=True,
        capture_output=True,
    )


def _timed(action, runs: int = RUNS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from benchmarks.common import PROJECT_ROOT, print_figures

    folder = PROJECT_ROOT / "snapshots" / "bundled"
    scratch = Path(tempfile.mkdtemp(prefix="renkei-run-bench-"))
    server, api = _start_server(scratch / "prefect-server")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RENKEI_"))}
    base_env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    try:
        os.environ.update(PREFECT_API_URL=api, PREFECT_HOME=str(scratch / "client"), PREFECT_LOGGING_LEVEL="WARNING")
        from flows.update import update

        work = scratch
        direct = _timed(lambda: _direct(_places(work), folder))
        update(folder=str(folder), **_places(work))  # warm-up: imports, first API calls
        flow = _timed(lambda: update(folder=str(folder), **_places(work)))
        stored = _places(work)
        update(folder=str(folder), **stored)
        noop = _timed(lambda: update(folder=str(folder), **stored))  # the same warehouse: nothing new
        direct_process = _timed(lambda: _direct_process(_places(work), folder))
        cli = _timed(lambda: _cli(_places(work), folder, {**base_env, "PREFECT_API_URL": api}))
        temporary = _timed(
            lambda: _cli(_places(work), folder, {**base_env, "PREFECT_HOME": str(scratch / "temporary")}), runs=1
        )
    finally:
        stop(server)
        shutil.rmtree(scratch, ignore_errors=True)
    print_figures(
        "renkei run on the bundled editions (fresh SQLite warehouse each time, median of runs)",
        [
            ("stages called directly", f"{direct:.2f} s", ""),
            ("update flow, running server", f"{flow:.2f} s", f"+{flow - direct:.2f} s (target ≤ +2 s)"),
            ("update flow, nothing new", f"{noop:.2f} s", "the second run of a day"),
            ("stages directly, new process", f"{direct_process:.2f} s", "interpreter start and imports included"),
            ("renkei run, running server", f"{cli:.2f} s", f"+{cli - direct_process:.2f} s: Prefect's import and API"),
            ("renkei run, temporary server", f"{temporary:.2f} s", "fresh machine, no PREFECT_API_URL (1 run)"),
        ],
    )


if __name__ == "__main__":
    main()
