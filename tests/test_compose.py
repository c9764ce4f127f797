"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the file parses, and the services,
images, commands, health checks, volumes and environment the README promises are there and wired to each
other and to what renkei reads; no secret is written in it, nothing is published beyond loopback without
Prefect's basic auth, and the app's health check fails when the runner is dead (run as a process).
(tests/test_integration.py runs the same commands as processes.)"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import PROJECT_ROOT
from tests.prefect_support import free_port

RAW = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))  # ${…} as written
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
REPORTS_NGINX = (PROJECT_ROOT / "docker" / "reports-nginx.conf").read_text(encoding="utf-8")

# ${NAME}, ${NAME:-default}, ${NAME:?message}, and $$ (a literal $): the forms this file may use.
_REFERENCE = re.compile(r"\$(?:\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}|(?P<escaped>\$))")


class MissingVariableError(ValueError):
    """A ${NAME:?message} whose NAME is unset or empty: `docker compose config` refuses the file."""


def interpolate(value: Any, variables: Mapping[str, str]) -> Any:
    """`value` (the parsed compose file or any part of it) with every reference in its strings replaced as
    docker compose does: an unset or empty NAME gives the default (`:-`), an error (`:?`), or ''."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"]
        if given := variables.get(name, ""):
            return given
        if op == ":?":
            raise MissingVariableError(f"required variable {name} is missing a value: {arg}")
        return arg if op == ":-" else ""

    return _REFERENCE.sub(replace, value)


def _dotenv(text: str) -> dict[str, str]:
    """NAME=value lines of a .env file (comments and blank lines skipped, one level of quotes removed)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip().strip("'\"") for name, value in pairs}


ENV_EXAMPLE_TEXT = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
ENV_EXAMPLE = _dotenv(ENV_EXAMPLE_TEXT)
# What a user puts into the .env's empty secrets; distinct values, so a test can tell where each one went.
SECRETS = {"POSTGRES_PASSWORD": "pg-secret-from-env", "PREFECT_AUTH_STRING": "admin:prefect-secret-from-env"}
VARIABLES = {**ENV_EXAMPLE, **SECRETS}
COMPOSE = interpolate(RAW, VARIABLES)
SERVICES = COMPOSE["services"]


def _env(service: str) -> dict[str, str]:
    return {name: str(value) for name, value in SERVICES[service].get("environment", {}).items()}


def _strings(value: Any) -> Iterator[str]:
    """Every string value of the parsed file: what compose interpolates (not keys, not comments)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _referenced() -> dict[str, set[str]]:
    """Every variable the compose file references, with the operators used on it ('' for a bare ${NAME})."""
    found: dict[str, set[str]] = {}
    for match in (m for text in _strings(RAW) for m in _REFERENCE.finditer(text)):
        if match["name"]:
            found.setdefault(match["name"], set()).add(match["op"] or "")
    return found


def _locked_version(package: str) -> str:
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))
    (version,) = {entry["version"] for entry in lock["package"] if entry["name"] == package}
    return version


# --- the interpolation helper, and what `docker compose config` would do with this file ---


def test_interpolation_follows_compose() -> None:
    variables = {"SET": "value", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${UNSET:-d} ${SET} ${UNSET} $$SET", variables) == "value d d value  $SET"
    assert interpolate({"k": ["${SET:?need it}", 4200]}, variables) == {"k": ["value", 4200]}
    for missing in ("UNSET", "EMPTY"):
        with pytest.raises(MissingVariableError, match=f"required variable {missing} is missing a value: need it"):
            interpolate(f"x${{{missing}:?need it}}", variables)


def test_every_dollar_in_the_file_is_a_form_the_helper_knows() -> None:
    for text in _strings(RAW):
        assert "$" not in _REFERENCE.sub("", text), f"{text!r}: a $ form this test's interpolation does not read"


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_the_file_is_refused_without_each_secret(secret: str) -> None:
    """As `docker compose config` does when neither .env nor the shell sets the variable."""
    with pytest.raises(MissingVariableError, match=f"required variable {secret} is missing a value: set {secret}"):
        interpolate(RAW, {name: value for name, value in VARIABLES.items() if name != secret})


def test_the_file_is_refused_with_env_example_copied_unchanged() -> None:
    with pytest.raises(MissingVariableError):
        interpolate(RAW, ENV_EXAMPLE)


def test_env_example_lists_every_variable_commented_with_no_secret_in_it() -> None:
    assert set(ENV_EXAMPLE) == set(_referenced())
    required = {name for name, ops in _referenced().items() if ":?" in ops}
    assert required == set(SECRETS)
    assert all(ENV_EXAMPLE[name] == "" for name in required)  # to be filled in; never a usable default
    lines = ENV_EXAMPLE_TEXT.splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("# "), f".env.example: {line!r} has no comment above it"


def test_the_env_file_stays_out_of_git_and_the_image() -> None:
    for ignore_file in (".gitignore", ".dockerignore"):
        lines = (PROJECT_ROOT / ignore_file).read_text(encoding="utf-8").splitlines()
        assert ".env" in lines, f"{ignore_file} does not ignore .env"


def test_no_compose_variable_is_a_prefect_setting() -> None:
    """Prefect reads a .env in its working directory: a Prefect setting's name in the compose .env would
    silently configure every Prefect process started from the checkout (the test suite's included)."""
    import prefect.settings

    for name in _referenced():
        with pytest.raises(AttributeError):
            getattr(prefect.settings, name)


# --- secrets and exposure ---


def _secret_values() -> Iterator[tuple[str, str, str, str]]:
    """(service, variable, value as written, the secret as interpolated) for every password or auth string:
    variables named so, and the password part of any URL."""
    for service, definition in RAW["services"].items():
        for name, written in definition.get("environment", {}).items():
            value = _env(service)[name]
            if re.search(r"PASSWORD|AUTH_STRING|SECRET|TOKEN", name):
                yield service, name, str(written), value
            elif "://" in value and (password := urlsplit(value).password) is not None:
                yield service, name, str(written), password


def test_every_password_and_auth_string_comes_from_a_required_variable() -> None:
    found = list(_secret_values())
    assert {(service, name) for service, name, _, _ in found} == {
        ("postgres", "POSTGRES_PASSWORD"),
        ("prefect-server", "PREFECT_SERVER_DATABASE_CONNECTION_URL"),
        ("prefect-server", "PREFECT_SERVER_API_AUTH_STRING"),
        ("app", "PREFECT_API_AUTH_STRING"),
        ("app", "RENKEI_DATABASE_URL"),
    }
    for service, name, written, secret in found:
        assert secret in SECRETS.values(), f"{service}.{name}: the secret is not the one from .env"
        with pytest.raises(MissingVariableError):  # no default to fall back on
            interpolate(written, {})


def _published(entry: str | dict[str, Any]) -> tuple[str, str, str]:
    """(host address, host port, container port) of a `ports` entry; '' as address: every interface."""
    if isinstance(entry, dict):  # the long syntax
        return str(entry.get("host_ip", "")), str(entry.get("published", "")), str(entry["target"])
    spec, address = str(entry).split("/")[0], ""
    if spec.startswith("["):  # [::1]:4200:4200
        address, spec = spec[1:].split("]:", 1)
    elif spec.count(":") == 2:
        address, spec = spec.split(":", 1)
    host_port, _, container_port = spec.rpartition(":")
    return address, host_port, container_port


def _exposed_without_auth(services: Mapping[str, Any]) -> list[str]:
    """Ports published beyond loopback by a service without Prefect's basic auth set."""
    exposed = []
    for service, definition in services.items():
        protected = bool(definition.get("environment", {}).get("PREFECT_SERVER_API_AUTH_STRING"))
        for entry in definition.get("ports", []):
            address = _published(entry)[0]
            if not (address and ipaddress.ip_address(address).is_loopback) and not protected:
                exposed.append(f"{service}: {entry}")
    return exposed


def test_the_exposure_check_catches_a_port_on_every_interface() -> None:
    assert _published("4200:4200") == ("", "4200", "4200")
    assert _published("8080") == ("", "", "8080")
    assert _published("[::1]:4200:4200/tcp") == ("::1", "4200", "4200")
    naked = {"web": {"ports": ["4200:4200", "0.0.0.0:81:80", "127.0.0.1:82:80", "8080"]}}
    assert _exposed_without_auth(naked) == ["web: 4200:4200", "web: 0.0.0.0:81:80", "web: 8080"]
    guarded = {"web": {"ports": ["4200:4200"], "environment": {"PREFECT_SERVER_API_AUTH_STRING": "a:b"}}}
    assert _exposed_without_auth(guarded) == []


@pytest.mark.parametrize("bind", ["", "0.0.0.0"])
def test_nothing_is_published_beyond_loopback_without_basic_auth(bind: str) -> None:
    services = interpolate(RAW, {**VARIABLES, "PREFECT_BIND": bind})["services"]
    assert _exposed_without_auth(services) == []
    if not bind:  # the defaults: everything on loopback
        assert all(_published(p)[0] == "127.0.0.1" for s in services.values() for p in s.get("ports", []))
    assert _published(services["prefect-server"]["ports"][0])[0] == (bind or "127.0.0.1")


def test_the_prefect_server_and_the_app_share_the_basic_auth_string() -> None:
    auth = SECRETS["PREFECT_AUTH_STRING"]
    assert _env("prefect-server")["PREFECT_SERVER_API_AUTH_STRING"] == auth
    assert _env("app")["PREFECT_API_AUTH_STRING"] == auth


# --- services, images, commands ---


def test_the_services_with_their_images_and_commands() -> None:
    assert set(SERVICES) == {"postgres", "prefect-server", "app", "reports"}
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert SERVICES["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    assert SERVICES["app"]["build"] == "."
    assert SERVICES["app"]["command"] == ["renkei", "serve"]
    for service in SERVICES.values():
        if "image" in service:
            tag = service["image"].partition(":")[2]
            assert re.match(r"\d", tag), f"{service['image']}: not pinned to a version"


def test_the_prefect_server_image_is_the_locked_client_version() -> None:
    python = re.search(r"^FROM python:(\d+\.\d+)", DOCKERFILE, re.MULTILINE)
    assert python is not None
    assert SERVICES["prefect-server"]["image"] == f"prefecthq/prefect:{_locked_version('prefect')}-python{python[1]}"


def test_every_prefect_variable_is_a_prefect_setting() -> None:
    import prefect.settings

    for service in ("prefect-server", "app"):
        for name in _env(service):
            if name.startswith("PREFECT_"):
                getattr(prefect.settings, name)  # AttributeError: "… is not a Prefect setting."


def test_every_service_has_a_health_check_and_starts_after_what_it_needs() -> None:
    for service in SERVICES.values():
        assert service["healthcheck"]["test"][0] == "CMD"
    assert SERVICES["prefect-server"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["app"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "prefect-server": {"condition": "service_healthy"},
    }


def test_the_app_and_the_browser_reach_the_prefect_server() -> None:
    command = SERVICES["prefect-server"]["command"]
    port = command[command.index("--port") + 1]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the app's container
    (published,) = SERVICES["prefect-server"]["ports"]
    assert _published(published) == ("127.0.0.1", port, port)
    assert _env("app")["PREFECT_API_URL"] == f"http://prefect-server:{port}/api"
    assert _env("prefect-server")["PREFECT_UI_API_URL"] == f"http://127.0.0.1:{port}/api"
    public = interpolate(RAW, {**VARIABLES, "PREFECT_PUBLIC_API_URL": "https://prefect.example.org/api"})
    assert (
        public["services"]["prefect-server"]["environment"]["PREFECT_UI_API_URL"] == "https://prefect.example.org/api"
    )


def test_one_postgres_holds_the_warehouse_and_prefects_database() -> None:
    init = (PROJECT_ROOT / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE DATABASE (\w+);", init))
    mount = next(v for v in SERVICES["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    assert (PROJECT_ROOT / mount.split(":")[0]).resolve() == PROJECT_ROOT / "docker" / "postgres-init.sql"
    password = _env("postgres")["POSTGRES_PASSWORD"]
    assert "ports" not in SERVICES["postgres"]
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


def _mounts(service: str) -> dict[str, tuple[str, ...]]:
    """A service's volume mounts: source → (target, options…)."""
    return {source: tuple(rest) for source, *rest in (v.split(":") for v in SERVICES[service]["volumes"])}


def test_snapshots_and_reports_live_on_named_volumes() -> None:
    env = _env("app")
    mounts = _mounts("app")
    for variable, volume in (("RENKEI_SNAPSHOT_DIR", "snapshots"), ("RENKEI_REPORTS_DIR", "reports")):
        assert mounts[volume] == (env[variable],)
        assert volume in COMPOSE["volumes"]


def test_the_reports_service_serves_the_volume_the_app_writes_read_only() -> None:
    reports = SERVICES["reports"]
    assert reports["image"].startswith("nginx:") and reports["image"].endswith("-alpine")
    mounts = _mounts("reports")
    app_volume = next(
        source for source, (target,) in _mounts("app").items() if target == _env("app")["RENKEI_REPORTS_DIR"]
    )
    assert app_volume in COMPOSE["volumes"]
    root = re.search(r"^\s*root\s+(\S+);", REPORTS_NGINX, re.MULTILINE)
    assert root is not None and mounts[app_volume] == (root[1], "ro")
    assert all(options[-1] == "ro" for options in mounts.values())  # the volume and the config
    config = next(source for source, (target, _) in mounts.items() if target == "/etc/nginx/conf.d/default.conf")
    assert (PROJECT_ROOT / config).resolve() == PROJECT_ROOT / "docker" / "reports-nginx.conf"
    assert "environment" not in reports  # no secret reaches it

    listen = re.search(r"^\s*listen\s+(\d+);", REPORTS_NGINX, re.MULTILINE)
    assert listen is not None
    (published,) = reports["ports"]
    assert _published(published) == ("127.0.0.1", "8080", listen[1])
    assert reports["healthcheck"]["test"][-1] == f"http://127.0.0.1:{listen[1]}/"


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
    assert {".venv", "var", "reports", "snapshots/store", ".env"} <= set(ignored)


def test_the_readme_shows_how_to_run_it() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose up -d" in readme
    for variable in ("RENKEI_SOURCE_LISTING", "RENKEI_SCHEDULE_CRON"):
        assert variable in readme


# --- the app's health check, run as a process ---


def _runner_address() -> str:
    env = _env("app")
    assert env["PREFECT_RUNNER_SERVER_ENABLE"] == "true"
    assert ipaddress.ip_address(env["PREFECT_RUNNER_SERVER_HOST"]).is_loopback  # it also answers POST /shutdown
    return f"{env['PREFECT_RUNNER_SERVER_HOST']}:{env['PREFECT_RUNNER_SERVER_PORT']}"


def _run_app_health_check(port: int) -> subprocess.CompletedProcess[str]:
    """The app's health check command from the compose file, with `python` this environment's and the runner
    webserver's port replaced by `port`: nothing else changes."""
    test = SERVICES["app"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    address = _runner_address()
    assert sum(f"http://{address}/health" in arg for arg in test) == 1
    host = address.rsplit(":", 1)[0]
    command = [sys.executable, *(arg.replace(address, f"{host}:{port}") for arg in test[2:])]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@contextmanager
def _http_server(status: int) -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server answering `status` on /health (404 elsewhere): its port and the paths asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(status if self.path == "/health" else 404)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], asked
    finally:
        server.shutdown()
        server.server_close()


def test_the_app_health_check_fails_when_nothing_listens() -> None:
    result = _run_app_health_check(free_port())
    assert result.returncode != 0
    assert "Connection refused" in result.stderr


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_app_health_check_follows_the_health_endpoint(status: int, healthy: bool) -> None:
    with _http_server(status) as (port, asked):
        result = _run_app_health_check(port)
    assert (result.returncode == 0) is healthy, result.stderr
    assert asked == ["/health"]


def test_the_app_health_check_against_prefects_runner_webserver() -> None:
    """Prefect's own runner webserver (prefect/runner/server.py): healthy while the runner polls, then not."""
    import uvicorn
    from prefect.runner import Runner
    from prefect.runner.server import build_server
    from prefect.utilities.asyncutils import run_coro_as_sync

    runner = Runner()
    server = uvicorn.Server(uvicorn.Config(run_coro_as_sync(build_server(runner)), port=free_port(), log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the runner webserver did not start"
            thread.join(0.05)
        port = server.config.port
        runner.last_polled = datetime.now(UTC)
        assert _run_app_health_check(port).returncode == 0
        runner.last_polled = datetime.now(UTC) - timedelta(hours=1)  # the runner stopped polling
        assert _run_app_health_check(port).returncode != 0
    finally:
        server.should_exit = True
        thread.join(10)
