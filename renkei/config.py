"""Where renkei finds and keeps things; every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# How long anything that starts Prefect's temporary server (tests, `renkei run --flow`) waits for it: its first
# start creates and migrates its database, which took over Prefect's default 20 s on a 2-core machine.
EPHEMERAL_STARTUP_SECONDS = 180


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def editions_dir() -> Path:
    """The bundled editions the main job reads by default (RENKEI_EDITIONS_DIR)."""
    return _path_from_env("RENKEI_EDITIONS_DIR", PROJECT_ROOT / "snapshots" / "bundled")


def home_dir() -> Path:
    """Where renkei keeps its working data by default: the embedded database and reports (RENKEI_HOME)."""
    return _path_from_env("RENKEI_HOME", PROJECT_ROOT / "var")


def database_url() -> str:
    """RENKEI_DATABASE_URL, or the embedded SQLite file `$RENKEI_HOME/renkei.sqlite3` (default `var/`)."""
    return os.environ.get("RENKEI_DATABASE_URL") or f"sqlite:///{home_dir() / 'renkei.sqlite3'}"


def snapshot_dir() -> Path:
    """The snapshot store: every ingested source file under its sha256, a manifest, records as JSONL."""
    return _path_from_env("RENKEI_SNAPSHOT_DIR", PROJECT_ROOT / "snapshots" / "store")


def reports_dir() -> Path:
    """Where `renkei report` and the main job write changelog reports (RENKEI_REPORTS_DIR)."""
    return _path_from_env("RENKEI_REPORTS_DIR", PROJECT_ROOT / "reports")
