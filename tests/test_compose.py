"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the file parses, and the services,
images, commands, health checks, volumes and environment the README promises are there and wired to each
other and to what renkei reads. (tests/test_integration.py runs the same commands as processes.)"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
_DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


def _value(raw: object) -> str:
    """A compose value with ${NAME:-default} interpolated to its default (as with nothing set)."""
    return _DEFAULT.sub(lambda m: m.group(2), str(raw))


def _env(service: str) -> dict[str, str]:
    return {name: _value(value) for name, value in SERVICES[service]["environment"].items()}


def test_the_three_services_with_their_images_and_commands() -> None:
    assert set(SERVICES) == {"postgres", "prefect-server", "app"}
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert SERVICES["prefect-server"]["image"].startswith("prefecthq/prefect:3-python3.11")
    assert SERVICES["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    assert SERVICES["app"]["build"] == "."
    assert SERVICES["app"]["command"] == ["renkei", "serve"]


def test_every_service_has_a_health_check_and_starts_after_what_it_needs() -> None:
    for service in SERVICES.values():
        assert service["healthcheck"]["test"][0] == "CMD"
    assert SERVICES["prefect-server"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["app"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "prefect-server": {"condition": "service_healthy"},
    }


def test_the_app_reaches_the_prefect_server_and_is_healthy_when_the_deployment_is_served() -> None:
    from flows.serve import UPDATE_DEPLOYMENT
    from flows.update import update

    command = SERVICES["prefect-server"]["command"]
    port = command[command.index("--port") + 1]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the app's container
    assert f"{port}:{port}" in SERVICES["prefect-server"]["ports"]
    assert _env("app")["PREFECT_API_URL"] == f"http://prefect-server:{port}/api"
    assert SERVICES["app"]["healthcheck"]["test"][1:] == [
        "prefect",
        "deployment",
        "inspect",
        f"{update.name}/{UPDATE_DEPLOYMENT}",
    ]


def test_one_postgres_holds_the_warehouse_and_prefects_database() -> None:
    init = (PROJECT_ROOT / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE DATABASE (\w+);", init))
    mount = next(v for v in SERVICES["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    assert (PROJECT_ROOT / mount.split(":")[0]).resolve() == PROJECT_ROOT / "docker" / "postgres-init.sql"
    password = _env("postgres")["POSTGRES_PASSWORD"]
    for url, driver in (
        (_env("app")["RENKEI_DATABASE_URL"], "postgresql+psycopg"),
        (_env("prefect-server")["PREFECT_SERVER_DATABASE_CONNECTION_URL"], "postgresql+asyncpg"),
    ):
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port, parts.password) == (driver, "postgres", 5432, password)
        assert parts.path.lstrip("/") in created
    warehouse = urlsplit(_env("app")["RENKEI_DATABASE_URL"]).path
    prefect_database = urlsplit(_env("prefect-server")["PREFECT_SERVER_DATABASE_CONNECTION_URL"]).path
    assert {warehouse, prefect_database} == {"/renkei", "/prefect"}


def test_snapshots_and_reports_live_on_named_volumes() -> None:
    env = _env("app")
    mounts = dict(v.split(":", 1) for v in SERVICES["app"]["volumes"])
    for variable, volume in (("RENKEI_SNAPSHOT_DIR", "snapshots"), ("RENKEI_REPORTS_DIR", "reports")):
        assert mounts[volume] == env[variable]
        assert volume in COMPOSE["volumes"]


@pytest.mark.parametrize("service", ["app", "prefect-server"])
def test_every_variable_in_the_compose_file_is_one_the_code_reads(service: str) -> None:
    sources = [p for d in ("renkei", "flows", "db") for p in (PROJECT_ROOT / d).rglob("*.py")]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    for name in SERVICES[service]["environment"]:
        if name.startswith("RENKEI_"):
            assert f'"{name}"' in code, f"{name} is set in docker-compose.yml but renkei never reads it"
        else:
            assert name.startswith("PREFECT_")


def test_the_default_schedule_is_the_code_default() -> None:
    from flows.serve import DEFAULT_CRON

    assert _env("app")["RENKEI_SCHEDULE_CRON"] == DEFAULT_CRON


def test_the_image_installs_the_locked_dependencies_and_serves() -> None:
    assert re.search(r"^FROM python:3\.11", DOCKERFILE, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in DOCKERFILE  # exactly uv.lock, as `make run` installs
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.MULTILINE)
    assert cmd is not None and yaml.safe_load(cmd.group(1)) == SERVICES["app"]["command"]
    ignored = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", "reports", "snapshots/store"} <= set(ignored)


def test_the_readme_shows_how_to_run_it() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose up -d" in readme
    for variable in ("RENKEI_SOURCE_LISTING", "RENKEI_SCHEDULE_CRON"):
        assert variable in readme
