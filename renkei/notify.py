"""Tell people what an update run did: a new edition stored, a run held for approval, or a failure.

A `Notice` (Japanese title and markdown body) is sent through Apprise to every configured channel: email
(`mailtos://`), Slack, Teams, a generic webhook (`json://`, `jsons://`, `form://`) or any other Apprise URL.
Settings come from the config file's `[notify]` table (see renkei.sources.settings), then the environment:
RENKEI_NOTIFY_URLS (Apprise URLs separated by whitespace or commas; replaces the file's `urls`),
RENKEI_NOTIFY_ON (which of stored, held, failed are sent; default all three), RENKEI_NOTIFY_TIMEOUT (seconds per
connect and per read) and RENKEI_REPORTS_BASE_URL (where the reports folder is served, so notices link to the
report instead of naming a path). A URL Apprise cannot use is a SettingsError at load; sending never raises.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath
from typing import Any, Literal, get_args
from urllib.parse import quote, urlsplit

from renkei.errors import SettingsError
from renkei.report.japanese import date_ja
from renkei.sources.settings import config_file, config_table
from renkei.summary import RunSummary, summary_markdown

Event = Literal["stored", "held", "failed"]
EVENTS: tuple[Event, ...] = get_args(Event)
DEFAULT_TIMEOUT_SECONDS = 10.0

_LOG = logging.getLogger(__name__)
_ENVIRONMENT = {
    "urls": "RENKEI_NOTIFY_URLS",
    "on": "RENKEI_NOTIFY_ON",
    "timeout_seconds": "RENKEI_NOTIFY_TIMEOUT",
    "reports_base_url": "RENKEI_REPORTS_BASE_URL",
}


@functools.lru_cache(maxsize=1)
def _asset() -> Any:
    """Apprise is imported on first use: a run with no channel configured never pays for it (0.2 s)."""
    import apprise

    return apprise.AppriseAsset(app_id="renkei", app_desc="renkei 連携事業一覧の更新")


def _instantiate(url: str) -> Any:
    import apprise

    return apprise.Apprise.instantiate(url, asset=_asset())


_PASSWORD = re.compile(r"^(?P<head>[a-z0-9]+://[^/@?#:]*:)[^/@?#]*@", re.IGNORECASE)


@dataclass(frozen=True)
class Notice:
    """What to send: the run's outcome (`event`), a one-line title and a markdown body, both in Japanese."""

    event: Event
    title: str
    body: str


@dataclass(frozen=True)
class NotifySettings:
    """urls: Apprise URLs (kept out of repr: they carry passwords and tokens; see `masked_urls`). on: the
    events that are sent. timeout_seconds: per connect and per read, unless a URL sets Apprise's cto=/rto=.
    reports_base_url: the URL the reports folder is served under (None: notices name the report folder)."""

    urls: tuple[str, ...] = field(default=(), repr=False)
    on: tuple[Event, ...] = EVENTS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    reports_base_url: str | None = None

    def __post_init__(self) -> None:
        for url in self.urls:
            if _instantiate(url) is None:
                raise SettingsError(
                    f"notification URL {mask_url(url)} cannot be used: Apprise does not know its scheme or a "
                    "required part is missing (RENKEI_NOTIFY_URLS or [notify] urls; see the Apprise wiki)"
                )
        for event in self.on:
            if event not in EVENTS:
                raise SettingsError(f"notify on {event!r}: not an event; choose from {', '.join(EVENTS)}")
        if not self.timeout_seconds > 0:
            raise SettingsError(f"notification timeout must be positive, got {self.timeout_seconds!r}")
        if self.reports_base_url and not urlsplit(self.reports_base_url).scheme:
            raise SettingsError(f"reports base URL {self.reports_base_url!r} is not an absolute URL")

    @property
    def masked_urls(self) -> tuple[str, ...]:
        return tuple(mask_url(url) for url in self.urls)

    def wants(self, event: Event) -> bool:
        """Whether a notice of `event` would be sent anywhere."""
        return bool(self.urls) and event in self.on

    @classmethod
    def load(cls) -> NotifySettings:
        """The config file's [notify] table, then the environment on top (see the module docstring)."""
        values = _from_config_file()
        for name, variable in _ENVIRONMENT.items():
            raw = os.environ.get(variable, "").strip()
            if not raw:
                continue
            if name == "timeout_seconds":
                try:
                    values[name] = float(raw)
                except ValueError:
                    raise SettingsError(f"{variable}={raw!r} is not a number") from None
            else:
                values[name] = raw
        if "urls" in values:
            values["urls"] = split_urls(values["urls"])
        if "on" in values:
            values["on"] = _events(values["on"])
        return cls(**values)


@dataclass(frozen=True)
class NotifyResult:
    """Which channels took the notice and which did not, by masked URL (both empty when nothing was sent)."""

    sent: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


def split_urls(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Apprise URLs from a string separated by whitespace or commas (or a list of such strings), in order,
    without repeats. Apprise's own splitter is used: it cuts only before the next `scheme://`, so a comma
    inside a query string (`mailtos://…?to=a@x.jp,b@x.jp`) stays in its URL."""
    from apprise.utils.parse import parse_urls

    urls = (url.strip().rstrip(",").strip() for url in parse_urls(raw))
    return tuple(dict.fromkeys(url for url in urls if url))


def mask_url(url: str) -> str:
    """`url` safe to log: Apprise's privacy form (passwords and tokens masked) without the query string, which
    Apprise does not mask (a webhook's `+Authorization=…` header, a `?token=`); "?…" marks that one was there."""
    plugin = _instantiate(url)
    # An unusable URL has no privacy form: Apprise's heuristics mask what looks like a token, and the password
    # is masked here as well (the heuristics skip a URL urllib cannot parse, such as one with a bad port).
    from apprise.utils.cwe312 import cwe312_url

    shown = plugin.url(privacy=True) if plugin is not None else _PASSWORD.sub(r"\g<head>****@", cwe312_url(url))
    base, query = shown.partition("?")[0], url.partition("?")[2]
    return f"{base}?…" if query else base


def report_url(report: str, base_url: str | None) -> str:
    """Where a report can be opened: its index page under `base_url` (reports are served as the reports
    folder, one subfolder per edition), else the report folder itself."""
    if not base_url or urlsplit(report).scheme in ("http", "https"):
        return report
    return f"{base_url.rstrip('/')}/{quote(PurePath(report).name)}/index.html"


def stored_notice(summary: RunSummary, report_base_url: str | None = None) -> Notice:
    """The notice of a run that stored editions: the run summary (summary_markdown), its report folders
    turned into links when `report_base_url` is given."""
    if summary.nothing_new:
        return Notice("stored", "renkei: 新しい版はありません", summary_markdown(summary))
    newest = max(summary.outcomes, key=lambda o: o.as_of)
    changes = f"{len(newest.events)} 件の変更" if newest.previous else "最初の版"
    if len(summary.outcomes) == 1:
        title = f"renkei: {date_ja(newest.as_of)}現在の版を取り込みました（{changes}）"
    else:
        title = f"renkei: {len(summary.outcomes)} 版を取り込みました（最新は{date_ja(newest.as_of)}現在、{changes}）"
    links = {o.report: report_url(o.report, report_base_url) for o in summary.outcomes}
    linked = replace(summary, outcomes=tuple(replace(o, report=links[o.report]) for o in summary.outcomes))
    body = summary_markdown(linked)
    for link in links.values():
        body = body.replace(f"`{link}`", _markdown_link(link))
    return Notice("stored", title, body)


def held_notice(
    text: str, as_of: date | None = None, report: str | None = None, report_base_url: str | None = None
) -> Notice:
    """The notice of a run held for approval. `text`: the held run's summary in Japanese markdown (what looks
    suspicious and how to approve it); `as_of`: the held edition's date, for the title; `report`: its report
    folder, linked under `report_base_url` when given."""
    edition = f"{date_ja(as_of)}現在の版の" if as_of else ""
    body = text.rstrip() + "\n"
    if report:
        body += f"\nレポート: {_markdown_link(report_url(report, report_base_url))}\n"
    return Notice("held", f"renkei: {edition}取り込みを保留しました（承認待ち）", body)


def failed_notice(source: str, error: str) -> Notice:
    """The notice of a failed run: `source` is the folder or URL it read, `error` the error message (its first
    line is the headline; further lines, such as a traceback, follow in a code block)."""
    first, _, rest = error.strip().partition("\n")
    body = f"# renkei 更新: 失敗しました\n\n取得元: `{source}`\n\nエラー: {first or '（メッセージなし）'}\n"
    if rest.strip():
        body += f"\n```\n{rest.strip()}\n```\n"
    return Notice("failed", "renkei: 更新に失敗しました", body)


def send(notice: Notice, settings: NotifySettings, logger: logging.Logger | None = None) -> NotifyResult:
    """Send `notice` to every configured URL if its event is wanted; never raises.

    Each URL is sent on its own, so one broken channel neither blocks nor hides the others. Each failure is
    logged as one warning on `logger` (default: this module's) naming the masked URL.
    """
    if not settings.wants(notice.event):
        return NotifyResult()
    log = logger or _LOG
    sent: list[str] = []
    failed: list[str] = []
    for url in settings.urls:
        masked = mask_url(url)
        problem = _send_one(url, notice, settings.timeout_seconds)
        if problem is None:
            sent.append(masked)
        else:
            failed.append(masked)
            log.warning("notification (%s) not delivered to %s: %s", notice.event, masked, problem)
    return NotifyResult(tuple(sent), tuple(failed))


def _send_one(url: str, notice: Notice, timeout: float) -> str | None:
    """None when the channel took the notice, else why not (in words safe to log)."""
    plugin = _instantiate(url)
    if plugin is None:  # validated at load, but a plugin can become disabled (e.g. a missing optional package)
        return "Apprise cannot use this URL"
    # A URL's own cto=/rto= wins; otherwise no channel may hold the run longer than `timeout` per step.
    if not re.search(r"[?&]cto=", url):
        plugin.socket_connect_timeout = timeout
    if not re.search(r"[?&]rto=", url):
        plugin.socket_read_timeout = timeout
    import apprise

    kinds = {"stored": apprise.NotifyType.SUCCESS, "held": apprise.NotifyType.WARNING}
    try:
        delivered = apprise.Apprise(plugin, asset=_asset()).notify(
            body=notice.body,
            title=notice.title,
            notify_type=kinds.get(notice.event, apprise.NotifyType.FAILURE),
            body_format=apprise.NotifyFormat.MARKDOWN,
        )
    # Apprise reports a refused or unreachable channel by returning False; anything raised here is a
    # plugin's own bug. A notice is a side effect of the run, so it must not fail the run that it reports
    # on. Only the type is logged: the message of a network error can hold the full URL.
    except Exception as exc:
        return f"{type(exc).__name__} raised while sending"
    return None if delivered else "the service refused it or could not be reached (details in the apprise log)"


def _markdown_link(link: str) -> str:
    """A URL as an autolink (clickable once rendered), a folder path as code."""
    return f"<{link}>" if urlsplit(link).scheme in ("http", "https") else f"`{link}`"


def _from_config_file() -> dict[str, Any]:
    table = dict(config_table("notify"))
    path = config_file()
    unknown = set(table) - set(_TOML_TYPES)
    if unknown:
        raise SettingsError(f"{path}: unknown [notify] settings: {', '.join(sorted(unknown))}")
    for name, value in table.items():
        check, kind = _TOML_TYPES[name]
        if not check(value):
            # the value is not shown: `urls` may hold passwords
            raise SettingsError(f"{path}: [notify] {name} is not {kind}")
    return table


def _is_strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


_TOML_TYPES: dict[str, tuple[Any, str]] = {
    "urls": (_is_strings, "a list of Apprise URLs"),
    "on": (_is_strings, "a list of events (stored, held, failed)"),
    "timeout_seconds": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    "reports_base_url": (lambda v: isinstance(v, str), "a string"),
}


def _events(raw: str | list[str]) -> tuple[Any, ...]:
    """Event names from "stored,failed" / "stored failed" / a list; validated by NotifySettings."""
    names = re.split(r"[\s,]+", raw) if isinstance(raw, str) else raw
    return tuple(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
