"""Where renkei finds and keeps things.

All state lives under one home. RENKEI_HOME, when set, holds all of it — the embedded database
(`renkei.sqlite3`), the snapshot store (`snapshots/`), the reports (`reports/`), Prefect's state (`prefect/`)
and the config file (`renkei.toml`) — unless RENKEI_DATABASE_URL, RENKEI_SNAPSHOT_DIR or RENKEI_REPORTS_DIR
names a place of its own. Unset, renkei run from a checkout keeps the project layout (`var/`,
`snapshots/store/`, `reports/` in the checkout); installed as a package, the same layout in the working
directory — never inside site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# How long anything that starts Prefect's temporary server (tests, `renkei run --flow`) waits for it: its first
# start creates and migrates its database, which took over Prefect's default 20 s on a 2-core machine.
EPHEMERAL_STARTUP_SECONDS = 180


def _path_from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def from_checkout() -> bool:
    """Whether renkei runs from its source checkout (beside its pyproject.toml), not an installed package."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and "site-packages" not in PROJECT_ROOT.parts


def _layout_root() -> Path:
    """The folder the project layout's state folders live in when RENKEI_HOME is unset."""
    return PROJECT_ROOT if from_checkout() else Path.cwd()


def editions_dir() -> Path:
    """The bundled editions the main job reads by default (RENKEI_EDITIONS_DIR)."""
    return _path_from_env("RENKEI_EDITIONS_DIR") or PROJECT_ROOT / "snapshots" / "bundled"


def home_dir() -> Path:
    """RENKEI_HOME, else `var/` of the layout root: the embedded database, Prefect's state, the config file."""
    return _path_from_env("RENKEI_HOME") or _layout_root() / "var"


def default_database_url() -> str:
    """The embedded SQLite file, `renkei.sqlite3` in the home: the one database location renkei owns."""
    return f"sqlite:///{home_dir() / 'renkei.sqlite3'}"


def database_url() -> str:
    """RENKEI_DATABASE_URL, or the embedded default."""
    return os.environ.get("RENKEI_DATABASE_URL") or default_database_url()


def snapshot_dir() -> Path:
    """The snapshot store: RENKEI_SNAPSHOT_DIR, else `$RENKEI_HOME/snapshots`, else `snapshots/store/`."""
    home = _path_from_env("RENKEI_HOME")
    return _path_from_env("RENKEI_SNAPSHOT_DIR") or (
        home / "snapshots" if home else _layout_root() / "snapshots" / "store"
    )


def reports_dir() -> Path:
    """Where reports are written: RENKEI_REPORTS_DIR, else `$RENKEI_HOME/reports`, else `reports/`."""
    home = _path_from_env("RENKEI_HOME")
    return _path_from_env("RENKEI_REPORTS_DIR") or (home / "reports" if home else _layout_root() / "reports")
