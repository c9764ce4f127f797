"""Where renkei finds and keeps things; every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def editions_dir() -> Path:
    """The bundled editions the main job reads by default (RENKEI_EDITIONS_DIR)."""
    return _path_from_env("RENKEI_EDITIONS_DIR", PROJECT_ROOT / "snapshots" / "bundled")
