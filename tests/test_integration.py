"""docker-compose.yml's topology as processes: `prefect server start` on loopback backed by the local
PostgreSQL, the app's `renkei serve` in a subprocess, runs triggered through the Prefect API against a local
HTTP server (a listing page and the editions). The commands and the environment come from docker-compose.yml,
with hosts, ports and database names of this machine put in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_ROOT, REAL_EDITION, fresh_postgres_database, tree
from tests.derive import derive
from tests.http_server import FixtureServer, Receiver, Route, listing_page
from tests.prefect_support import free_port, start_prefect_server, stop, summary_artifact, wait_for
from tests.test_match_diff import _keys

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("integration")]

BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DEPLOYMENT = "renkei-update/publication-day"
LISTING = "/kuchokai/renkei.html"


def _command(service: str, **replace: str) -> list[str]:
    """The service's command from docker-compose.yml, run from this virtual environment, with the given
    option values replaced (--host 0.0.0.0 → 127.0.0.1 and so on)."""
    command = list(COMPOSE["services"][service]["command"])
    for option, value in replace.items():
        command[command.index(f"--{option}") + 1] = value
    return [str(BIN / command[0]), *command[1:]]


def _environment(service: str, **values: str) -> dict[str, str]:
    """This process's environment plus the service's variables; every one of them must be given a local
    value (so the test cannot drift from the compose file)."""
    names = set(COMPOSE["services"][service]["environment"])
    assert set(values) <= names, f"not in docker-compose.yml's {service}: {sorted(set(values) - names)}"
    unset = {n for n in names - set(values) if not str(COMPOSE["services"][service]["environment"][n]).startswith("${")}
    assert not unset, f"{service}: give local values for {sorted(unset)}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RENKEI_"))}
    return {**inherited, **values}


def _app_environment(api: str, warehouse: str, data: Path, **source: str) -> dict[str, str]:
    """The app service's variables for a warehouse database and a data folder of this test, the runner's
    health webserver on a free loopback port."""
    return _environment(
        "app",
        PREFECT_API_URL=api,
        PREFECT_RUNNER_SERVER_ENABLE="true",
        PREFECT_RUNNER_SERVER_HOST="127.0.0.1",
        PREFECT_RUNNER_SERVER_PORT=str(free_port()),
        RENKEI_DATABASE_URL=warehouse,
        RENKEI_HOME=str(data / "home"),
        RENKEI_SNAPSHOT_DIR=str(data / "snapshots"),
        RENKEI_REPORTS_DIR=str(data / "reports"),
        **source,
    )


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server on loopback, its database on the local PostgreSQL."""
    folder = tmp_path_factory.mktemp("prefect-server")
    with fresh_postgres_database("prefect_it") as url:
        port = free_port()
        env = _environment(
            "prefect-server",
            PREFECT_SERVER_DATABASE_CONNECTION_URL=url.replace("postgresql+psycopg", "postgresql+asyncpg"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_UI_API_URL=f"http://127.0.0.1:{port}/api",
        )
        env["PREFECT_HOME"] = str(folder / "home")
        command = _command("prefect-server", host="127.0.0.1", port=str(port))
        server = start_prefect_server(command, env, folder / "server.log", port)
        try:
            yield f"http://127.0.0.1:{port}/api"
        finally:
            stop(server)


@pytest.fixture
def served(prefect_api: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`renkei serve` against the server, reading a listing page on a local HTTP server."""
    import httpx

    receiver = Receiver()  # a webhook for the app's notices
    with fresh_postgres_database("renkei_it") as warehouse, FixtureServer() as publisher:
        data = tmp_path / "data"
        env = _app_environment(
            prefect_api,
            warehouse,
            data,
            RENKEI_SOURCE_LISTING=publisher.url(LISTING),
            RENKEI_NOTIFY_URLS=f"json://127.0.0.1:{receiver.port}/hook",
        )
        env["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"  # pick triggered runs up quickly (default 10 s)
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            app = subprocess.Popen(
                _command("app"), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp_path
            )
        try:
            wait_for(lambda: _deployment(prefect_api), "the served deployment", log)
            health = f"http://127.0.0.1:{env['PREFECT_RUNNER_SERVER_PORT']}/health"  # the app's health check
            wait_for(lambda: httpx.get(health, timeout=2).status_code == 200, "the runner's /health", log)
            yield {
                "api": prefect_api,
                "warehouse": warehouse,
                "publisher": publisher,
                "data": data,
                "log": log,
                "receiver": receiver,
                "env": env,
            }
        finally:
            stop(app)
            receiver.close()


def _deployment(api: str) -> Any:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        return client.read_deployment_by_name(DEPLOYMENT)


def _trigger(api: str, log: Path) -> Any:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        run = run_deployment(DEPLOYMENT, timeout=180, poll_interval=1)
    assert run.state is not None and run.state.is_completed(), (
        f"{run.state!r}\n{log.read_text(errors='replace')[-4000:]}"
    )
    return run


def _warehouse_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, in a stable order: a no-op must leave them identical."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        tables = ("edition", "program", "program_version", "version_partner", "edition_entry", "change_event")
        rows = {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}"))), key=repr) for t in tables}
        rows["ingest_run"] = [(n,) for n in connection.execute(text("SELECT count(*) FROM ingest_run")).scalars()]
    engine.dispose()
    return rows


def test_the_served_deployment_stores_a_new_edition_and_a_second_trigger_is_a_no_op(
    served: dict[str, Any],
) -> None:
    from db.events import stored_events
    from db.queries import editions
    from db.session import database

    api, publisher, data, log = served["api"], served["publisher"], served["data"], served["log"]
    deployment = _deployment(api)
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 10 * * 1-5", "Asia/Tokyo")
    assert deployment.global_concurrency_limit is not None and deployment.global_concurrency_limit.limit == 1

    earlier = derive(11, date(2025, 3, 31), changes=10)
    publisher.routes["/files/r7.txt"] = Route(body=earlier.text().encode(), etag='"r7"')
    r7_link = ("/files/r7.txt", "各特別区と全国市町村等連携事業一覧（令和7年3月31日現在）")
    publisher.routes[LISTING] = Route(body=listing_page(r7_link))
    _trigger(api, log)

    publisher.routes["/files/r8.txt"] = Route(body=REAL_EDITION.read_bytes(), etag='"r8"')
    publisher.routes[LISTING] = Route(
        body=listing_page(
            ("/files/r8.txt", "各特別区と全国市町村等連携事業一覧（令和8年3月31日現在） TXT"),
            r7_link,
        )
    )
    second = _trigger(api, log)

    with database(served["warehouse"]).reading() as session:
        assert [(e.as_of, e.record_count) for e in editions(session)][-1] == (date(2026, 3, 31), 842)
        assert [e.as_of for e in editions(session)] == [date(2025, 3, 31), date(2026, 3, 31)]
        assert _keys(stored_events(session, date(2025, 3, 31), date(2026, 3, 31))) == earlier.expected()
    reports = data / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["2025-03-31", "2026-03-31"]
    index = (reports / "2026-03-31" / "index.md").read_text(encoding="utf-8")
    assert "（令和7年3月31日 → 令和8年3月31日）" in index
    assert len(list((reports / "2026-03-31" / "wards").glob("*.md"))) == 23
    assert str(summary_artifact(second.id, api).data).startswith("# renkei 更新: 1 版を取り込みました")

    before = (_warehouse_rows(served["warehouse"]), tree(data / "snapshots"), tree(reports))
    third = _trigger(api, log)
    assert (_warehouse_rows(served["warehouse"]), tree(data / "snapshots"), tree(reports)) == before
    assert publisher.hits("/files/r8.txt")[-1].headers.get("if-none-match") == '"r8"'  # answered 304
    assert str(summary_artifact(third.id, api).data).startswith("# renkei 更新: 新しい版はありません")


def test_deploy_to_a_process_work_pool_whose_worker_runs_a_backfill(prefect_api: str, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from db.queries import editions
    from db.session import database

    pool = f"renkei-it-{tmp_path.name[-8:]}".lower().replace("_", "-")
    with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    with fresh_postgres_database("renkei_it") as warehouse:
        env = _app_environment(prefect_api, warehouse, tmp_path)
        deployed = subprocess.run(
            [str(BIN / "renkei"), "deploy", "--pool", pool, "--cron", "0 9 1 4-6 *"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        assert deployed.stdout.splitlines()[-2:] == [
            f"deployment renkei-update/publication-day registered with work pool {pool}",
            f"deployment renkei-backfill/on-demand registered with work pool {pool}",
        ]
        with temporary_settings({PREFECT_API_URL: prefect_api}):
            with get_client(sync_client=True) as client:
                update = client.read_deployment_by_name(DEPLOYMENT)
            assert update.work_pool_name == pool
            assert (update.schedules[0].schedule.cron, update.schedules[0].schedule.timezone) == (
                "0 9 1 4-6 *",
                "Asia/Tokyo",
            )
            run = run_deployment("renkei-backfill/on-demand", parameters={"paths": [str(REAL_EDITION)]}, timeout=0)
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.run(
                [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--run-once"],
                env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=240,
                check=False,
            )
        assert worker.returncode == 0, log.read_text(errors="replace")[-3000:]
        with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
            state = client.read_flow_run(run.id).state
        assert state is not None and state.is_completed(), log.read_text(errors="replace")[-3000:]
        with database(warehouse).reading() as session:
            assert [(e.as_of, e.record_count) for e in editions(session)] == [(date(2026, 3, 31), 842)]
        assert (tmp_path / "reports" / "2026-03-31" / "index.html").is_file()


def _paused_run(api: str, log: Path) -> Any:
    """Trigger the update deployment and wait until its run is paused for review."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        run = run_deployment(DEPLOYMENT, timeout=0)

        def paused() -> bool:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(run.id).state
            return state is not None and state.is_paused()

        wait_for(paused, "the run paused for review", log, seconds=180)
    return run


def _finished(api: str, run_id: Any, log: Path) -> Any:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    def final() -> Any:
        with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            state = client.read_flow_run(run_id).state
        return state if state is not None and state.is_final() else None

    return wait_for(final, "the run's end", log, seconds=180)


def _review(env: dict[str, str], verdict: str, run_id: Any) -> str:
    done = subprocess.run(
        [str(BIN / "renkei"), "review", verdict, str(run_id), "--note", "integration test"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_flood_of_changes_waits_for_review_rejected_writes_nothing_approved_loads(
    served: dict[str, Any],
) -> None:
    from db.queries import editions
    from db.session import database
    from tests.test_pipeline import flooded_text

    api, publisher, data, log, receiver = (served[k] for k in ("api", "publisher", "data", "log", "receiver"))
    earlier = derive(11, date(2025, 3, 31), changes=10)
    publisher.routes["/files/r7.txt"] = Route(body=earlier.text().encode(), etag='"r7"')
    r7_link = ("/files/r7.txt", "各特別区と全国市町村等連携事業一覧（令和7年3月31日現在）")
    publisher.routes[LISTING] = Route(body=listing_page(r7_link))
    _trigger(api, log)
    flood_link = ("/files/r8.txt", "各特別区と全国市町村等連携事業一覧（令和8年3月31日現在） TXT")
    publisher.routes["/files/r8.txt"] = Route(
        body=flooded_text().encode(), etag='"r8"', headers={"Content-Disposition": 'attachment; filename="r8.txt"'}
    )
    publisher.routes[LISTING] = Route(body=listing_page(flood_link, r7_link))
    before = (_warehouse_rows(served["warehouse"]), tree(data / "snapshots"), tree(data / "reports"))

    held = _paused_run(api, log)
    assert (_warehouse_rows(served["warehouse"]), tree(data / "reports")) == (before[0], before[2])
    assert "rejected: it ends without writing anything" in _review(served["env"], "reject", held.id)
    assert _finished(api, held.id, log).is_completed()
    assert str(summary_artifact(held.id, api).data).startswith("# renkei 更新: 確認の結果、取り込みませんでした")
    review = str(summary_artifact(held.id, api, key="renkei-review").data)
    assert review.startswith("# renkei 更新: 確認待ち") and "RENKEI_REVIEW_MAX_CHANGED_SHARE" in review
    assert (_warehouse_rows(served["warehouse"]), tree(data / "reports")) == (before[0], before[2])

    approved = _paused_run(api, log)  # the edition is still new: held again
    assert "approved" in _review(served["env"], "approve", approved.id)
    assert _finished(api, approved.id, log).is_completed()
    with database(served["warehouse"]).reading() as session:
        stored = editions(session)
        assert [e.as_of for e in stored] == [date(2025, 3, 31), date(2026, 3, 31)]
        source = stored[-1].source
    assert source is not None
    assert (source["kind"], source["location"]) == ("listing", publisher.url(LISTING))
    assert (source["final_url"], source["file_name"], source["etag"]) == (
        publisher.url("/files/r8.txt"), "r8.txt", '"r8"',
    )  # fmt: skip
    assert source["link_text"].startswith("各特別区と全国市町村等連携事業一覧(令和8年3月31日現在)")  # NFKC
    index = (data / "reports" / "2026-03-31" / "index.html").read_text(encoding="utf-8")
    assert "出典: r8.txt（取得 " in index and publisher.url("/files/r8.txt") in index

    publisher.routes[LISTING] = Route(status=404, body=b"gone")  # the page moved: the run fails
    failed = _run_to_the_end(api, log)
    assert failed.is_failed()
    titles = [body["title"] for _, _, body in receiver.posts]
    assert titles == [
        "renkei: 令和7年3月31日現在の版を取り込みました（最初の版）",
        "renkei: 令和8年3月31日現在の版の取り込みを保留しました（承認待ち）",
        "renkei: 令和8年3月31日現在の版の取り込みを保留しました（承認待ち）",
        f"renkei: 令和8年3月31日現在の版を取り込みました（{len(_events(served))} 件の変更）",
        "renkei: 更新に失敗しました",
    ]


def _events(served: dict[str, Any]) -> list[Any]:
    from db.events import stored_events
    from db.session import database

    with database(served["warehouse"]).reading() as session:
        return stored_events(session, date(2025, 3, 31), date(2026, 3, 31))


def _run_to_the_end(api: str, log: Path) -> Any:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        run = run_deployment(DEPLOYMENT, timeout=0)
    return _finished(api, run.id, log)
