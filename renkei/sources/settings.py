"""Where the update run looks for editions, and the rules its downloads follow.

Exactly one source: a local `folder` (every edition file in it), a direct `url` of an edition file, or the
publisher's `listing` page (the newest link naming the table). Read from a TOML config file's `[source]`
table (RENKEI_CONFIG, default `$RENKEI_HOME/renkei.toml` when it exists), then the environment
(RENKEI_SOURCE_FOLDER / RENKEI_SOURCE_URL / RENKEI_SOURCE_LISTING, RENKEI_ALLOWED_HOSTS comma-separated,
RENKEI_DOWNLOAD_TIMEOUT seconds, RENKEI_DOWNLOAD_MAX_BYTES), then a deployment's parameters — each level
overriding the one before. With no source at all, the bundled editions folder is used. Other tables of the
same file (such as [notify]) are read with `config_table`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from renkei.config import editions_dir, home_dir
from renkei.errors import SettingsError
from renkei.settings import DEFAULT_MAX_FILE_BYTES

DEFAULT_TIMEOUT_SECONDS = 30.0
SOURCE_KINDS = ("folder", "url", "listing")
_ENVIRONMENT = {
    "folder": "RENKEI_SOURCE_FOLDER",
    "url": "RENKEI_SOURCE_URL",
    "listing": "RENKEI_SOURCE_LISTING",
    "allowed_hosts": "RENKEI_ALLOWED_HOSTS",
    "timeout_seconds": "RENKEI_DOWNLOAD_TIMEOUT",
    "max_bytes": "RENKEI_DOWNLOAD_MAX_BYTES",
}


@dataclass(frozen=True)
class SourceSettings:
    """folder / url / listing: the source (at most one is set). allowed_hosts: hosts a download may be served
    from, redirects included (default: the host of the url or listing page). timeout_seconds: per connect and
    per read. max_bytes: a larger body is refused (default: the parser's RENKEI_MAX_FILE_BYTES limit)."""

    folder: str | None = None
    url: str | None = None
    listing: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_FILE_BYTES

    def __post_init__(self) -> None:
        chosen = [kind for kind in SOURCE_KINDS if getattr(self, kind)]
        if len(chosen) > 1:
            raise SettingsError(f"set one source, not {' and '.join(chosen)}")
        for kind in ("url", "listing"):
            value = getattr(self, kind)
            if value and urlsplit(value).scheme not in ("http", "https"):
                raise SettingsError(f"source {kind} {value!r} is not an http(s) URL")
        if not self.timeout_seconds > 0:
            raise SettingsError(f"download timeout must be positive, got {self.timeout_seconds!r}")
        if self.max_bytes < 1:
            raise SettingsError(f"download size cap must be positive, got {self.max_bytes!r}")

    @property
    def kind(self) -> str:
        return next((kind for kind in SOURCE_KINDS if getattr(self, kind)), "folder")

    @property
    def location(self) -> str:
        """The folder path or URL this source reads (the bundled editions when nothing is set)."""
        return self.url or self.listing or self.folder or str(editions_dir())

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts downloads may come from: the configured ones, else the source URL's own host."""
        if self.allowed_hosts:
            return frozenset(h.lower() for h in self.allowed_hosts)
        host = urlsplit(self.url or self.listing or "").hostname
        return frozenset([host.lower()]) if host else frozenset()

    def with_overrides(self, **values: Any) -> SourceSettings:
        """These settings with the given non-empty values on top; a new source replaces the old one."""
        given = {k: v for k, v in values.items() if v not in (None, "", ())}
        if any(kind in given for kind in SOURCE_KINDS):
            given = {kind: None for kind in SOURCE_KINDS} | given
        if "allowed_hosts" in given and isinstance(given["allowed_hosts"], str):
            given["allowed_hosts"] = _hosts(given["allowed_hosts"])
        elif "allowed_hosts" in given:
            given["allowed_hosts"] = tuple(given["allowed_hosts"])
        return replace(self, **given)

    @classmethod
    def load(cls) -> SourceSettings:
        """The config file's [source] table, then the environment on top (see the module docstring)."""
        settings = cls().with_overrides(**_from_config_file())
        values: dict[str, Any] = {}
        for name, variable in _ENVIRONMENT.items():
            raw = os.environ.get(variable)
            if not raw:
                continue
            if name == "timeout_seconds":
                values[name] = _number(raw, variable, float)
            elif name == "max_bytes":
                values[name] = _number(raw.replace("_", ""), variable, int)
            else:
                values[name] = raw
        return settings.with_overrides(**values)


def config_file() -> Path:
    value = os.environ.get("RENKEI_CONFIG")
    return Path(value).expanduser() if value else home_dir() / "renkei.toml"


def config_table(name: str) -> dict[str, Any]:
    """The config file's `[name]` table: {} when the file (at its default place) or the table is absent.

    Raises SettingsError when RENKEI_CONFIG names a missing file, the file is not TOML, or `name` is not a table.
    """
    path = config_file()
    if not path.is_file():
        if os.environ.get("RENKEI_CONFIG"):
            raise SettingsError(f"{path}: RENKEI_CONFIG names a file that does not exist")
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not a valid TOML file ({exc})") from None
    if not isinstance(table, dict):
        # the value is not shown: it may be a secret written in the wrong place (a notification URL)
        raise SettingsError(f"{path}: {name} must be a [{name}] table")
    return table


def _from_config_file() -> dict[str, Any]:
    path = config_file()
    table = config_table("source")
    known = {f.name for f in fields(SourceSettings)}
    unknown = set(table) - known
    if unknown:
        raise SettingsError(f"{path}: unknown [source] settings: {', '.join(sorted(unknown))}")
    for name, value in table.items():
        if not _TOML_TYPES[name](value):
            raise SettingsError(f"{path}: [source] {name} = {value!r} is not {_TOML_TYPE_NAMES[name]}")
    return table


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TOML_TYPES = {
    "folder": lambda v: isinstance(v, str),
    "url": lambda v: isinstance(v, str),
    "listing": lambda v: isinstance(v, str),
    "allowed_hosts": lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(h, str) for h in v)),
    "timeout_seconds": _is_number,
    "max_bytes": lambda v: isinstance(v, int) and not isinstance(v, bool),
}
_TOML_TYPE_NAMES = {
    "folder": "a string",
    "url": "a string",
    "listing": "a string",
    "allowed_hosts": "a list of host names",
    "timeout_seconds": "a number",
    "max_bytes": "a whole number",
}


def _hosts(raw: str) -> tuple[str, ...]:
    return tuple(h.strip().lower() for h in raw.split(",") if h.strip())


def _number(raw: str, variable: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a number") from None
