"""Notifications: notices of stored / held / failed runs reach an Apprise `json://` webhook on a local receiver;
a refused or unreachable channel is reported and logged (URL masked), never raised; settings are validated."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from renkei.diff import ChangeEvent
from renkei.errors import SettingsError
from renkei.normalise.wards import all_wards
from renkei.notify import (
    NotifyResult,
    NotifySettings,
    failed_notice,
    held_notice,
    send,
    split_urls,
    stored_notice,
)
from renkei.summary import EditionOutcome, RunSummary
from tests.http_server import Receiver

NOTIFY_VARIABLES = ("RENKEI_NOTIFY_URLS", "RENKEI_NOTIFY_ON", "RENKEI_NOTIFY_TIMEOUT", "RENKEI_REPORTS_BASE_URL")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_notify_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*NOTIFY_VARIABLES, "RENKEI_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _summary() -> RunSummary:
    chiyoda, minato = all_wards()[0], all_wards()[2]
    old, new = date(2025, 3, 31), date(2026, 3, 31)
    events = (
        ChangeEvent(old, new, chiyoda, "program_added"),
        ChangeEvent(old, new, chiyoda, "partner_removed"),
        ChangeEvent(old, new, minato, "program_changed"),
    )
    outcome = EditionOutcome(
        source="/data/editions/renkei_r8.pdf",
        as_of=new,
        status="ingested",
        programs=842,
        warnings=0,
        previous=old,
        events=events,
        report="/data/reports/2026-03-31",
    )
    return RunSummary("https://example.jp/renkei.html", (outcome,))


def test_a_stored_notice_reaches_the_webhook_with_its_title_body_and_report_link(receiver: Receiver) -> None:
    settings = NotifySettings(urls=(f"json://127.0.0.1:{receiver.port}/hook",))
    notice = stored_notice(_summary(), "http://reports.example/")

    result = send(notice, settings)

    assert result == NotifyResult(sent=(f"json://127.0.0.1:{receiver.port}/hook",))
    assert notice.title == "renkei: 令和8年3月31日現在の版を取り込みました（3 件の変更）"
    [(path, _headers, posted)] = receiver.posts
    assert path == "/hook"
    assert posted["title"] == notice.title
    assert posted["type"] == "success"
    message = posted["message"]
    assert "## 令和8年3月31日現在の版（renkei_r8.pdf、842 事業）" in message
    assert "令和7年3月31日現在の版との比較: 3 件の変更" in message
    assert "| 千代田区 | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 2 |" in message
    assert "レポート: <http://reports.example/2026-03-31/index.html>" in message
    assert "/data/reports" not in message


def test_without_a_base_url_the_stored_notice_names_the_report_folder() -> None:
    notice = stored_notice(_summary(), None)
    assert "レポート: `/data/reports/2026-03-31`" in notice.body
    only = EditionOutcome("a.pdf", date(2026, 3, 31), "ingested", 5, 0, None, (), "reports/2026-03-31")
    first = RunSummary("snapshots/bundled", (only,))
    assert stored_notice(first).title == "renkei: 令和8年3月31日現在の版を取り込みました（最初の版）"


def test_held_and_failed_notices_reach_the_webhook(receiver: Receiver) -> None:
    settings = NotifySettings(urls=(f"json://127.0.0.1:{receiver.port}/hook",))
    held = held_notice(
        "# renkei 更新: 承認待ち\n\n変更が 412 件あり、前回（37 件）より大幅に多いため保留しました。\n",
        as_of=date(2026, 3, 31),
        report="/data/reports/2026-03-31",
        report_base_url="http://reports.example",
    )
    failed = failed_notice("https://example.jp/renkei.html", "https://example.jp/r8.pdf: cannot read PDF (EOF)")

    assert send(held, settings).ok
    assert send(failed, settings).ok

    [(_, _, held_post), (_, _, failed_post)] = receiver.posts
    assert held_post["title"] == "renkei: 令和8年3月31日現在の版の取り込みを保留しました（承認待ち）"
    assert held_post["type"] == "warning"
    assert "変更が 412 件あり、前回（37 件）より大幅に多いため保留しました。" in held_post["message"]
    assert "レポート: <http://reports.example/2026-03-31/index.html>" in held_post["message"]
    assert failed_post["title"] == "renkei: 更新に失敗しました"
    assert failed_post["type"] == "failure"
    assert "取得元: `https://example.jp/renkei.html`" in failed_post["message"]
    assert "エラー: https://example.jp/r8.pdf: cannot read PDF (EOF)" in failed_post["message"]


def test_a_refusing_and_an_unreachable_channel_are_reported_and_logged_masked_never_raised(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    refusing, nobody = Receiver(status=500), _free_port()
    try:
        settings = NotifySettings(
            urls=(
                f"json://alice:secret@127.0.0.1:{refusing.port}/hook",
                f"json://bob:hunter2@127.0.0.1:{nobody}/hook?+X-Token=tok3n",
                f"json://127.0.0.1:{receiver.port}/hook",
            ),
            timeout_seconds=2,
        )
        logger = logging.getLogger("renkei.test_notify")
        with caplog.at_level(logging.WARNING):
            result = send(failed_notice("snapshots/bundled", "boom"), settings, logger=logger)
    finally:
        refusing.close()

    assert result.failed == (
        f"json://alice:****@127.0.0.1:{refusing.port}/hook",
        f"json://bob:****@127.0.0.1:{nobody}/hook?…",
    )
    assert result.sent == (f"json://127.0.0.1:{receiver.port}/hook",)  # the others still delivered
    assert len(refusing.posts) == 1
    assert len(receiver.posts) == 1
    ours = [r.getMessage() for r in caplog.records if r.name == "renkei.test_notify"]
    assert len(ours) == 2
    for line, url in zip(ours, result.failed, strict=True):
        assert line.startswith(f"notification (failed) not delivered to {url}: ")
    everything = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for secret in ("secret", "hunter2", "tok3n"):
        assert secret not in everything
    assert "secret" not in repr(settings)


def test_notify_on_failed_sends_only_failures(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "renkei.toml"
    config.write_text(f'[notify]\nurls = ["json://127.0.0.1:{receiver.port}/hook"]\n', encoding="utf-8")
    monkeypatch.setenv("RENKEI_CONFIG", str(config))
    monkeypatch.setenv("RENKEI_NOTIFY_ON", "failed")
    settings = NotifySettings.load()

    assert send(stored_notice(_summary()), settings) == NotifyResult()
    assert send(held_notice("保留"), settings) == NotifyResult()
    assert send(failed_notice("snapshots/bundled", "boom"), settings).sent
    assert [post["title"] for _, _, post in receiver.posts] == ["renkei: 更新に失敗しました"]


def test_the_environment_overrides_the_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "renkei.toml"
    config.write_text(
        '[notify]\nurls = ["json://file.example/hook"]\non = ["held"]\ntimeout_seconds = 3\n'
        'reports_base_url = "http://file.example/reports"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("RENKEI_CONFIG", str(config))
    from_file = NotifySettings.load()
    assert from_file.urls == ("json://file.example/hook",)
    assert from_file.on == ("held",)
    assert from_file.timeout_seconds == 3
    assert from_file.reports_base_url == "http://file.example/reports"

    monkeypatch.setenv("RENKEI_NOTIFY_URLS", "json://a.example/x?to=a,b, jsons://b.example/y\nform://c.example/z,")
    monkeypatch.setenv("RENKEI_NOTIFY_ON", "Stored, failed")
    monkeypatch.setenv("RENKEI_NOTIFY_TIMEOUT", "5")
    monkeypatch.setenv("RENKEI_REPORTS_BASE_URL", "http://reports.example")
    settings = NotifySettings.load()
    assert settings.urls == ("json://a.example/x?to=a,b", "jsons://b.example/y", "form://c.example/z")
    assert settings.on == ("stored", "failed")
    assert settings.timeout_seconds == 5.0
    assert settings.reports_base_url == "http://reports.example"


def test_split_urls_keeps_commas_inside_a_query_string() -> None:
    assert split_urls("mailtos://u:p@mail.example?to=a@x.jp,b@x.jp,slack://T1/B2/C3") == (
        "mailtos://u:p@mail.example?to=a@x.jp,b@x.jp",
        "slack://T1/B2/C3",
    )
    assert split_urls(["json://a.example", "json://a.example json://b.example"]) == (
        "json://a.example",
        "json://b.example",
    )


@pytest.mark.parametrize(
    ("urls", "named"),
    [
        ("json://user:secret@127.0.0.1:notaport/hook", "json://user:****@127.0.0.1:notaport/hook"),
        ("nosuchscheme://user:secret@example.jp/x?token=secret", "nosuchscheme://user:****@example.jp/x?…"),
        ("json://ok.example/hook, mailtos://user:secret@/", "mailtos://user:****@/"),
    ],
)
def test_a_url_apprise_cannot_use_is_a_settings_error_naming_it_masked(
    monkeypatch: pytest.MonkeyPatch, urls: str, named: str
) -> None:
    monkeypatch.setenv("RENKEI_NOTIFY_URLS", urls)
    with pytest.raises(SettingsError) as caught:
        NotifySettings.load()
    assert f"notification URL {named} cannot be used" in str(caught.value)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[notify]\nurl = "json://x.example"\n', "unknown [notify] settings: url"),
        ("[notify]\nurls = 3\n", "[notify] urls is not a list of Apprise URLs"),
        ('notify = "json://user:secret@x.example"\n', "notify must be a [notify] table"),
        ('[notify]\non = ["stored", "deleted"]\n', "notify on 'deleted': not an event"),
    ],
)
def test_a_bad_notify_table_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "renkei.toml"
    config.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("RENKEI_CONFIG", str(config))
    with pytest.raises(SettingsError, match=message.replace("[", r"\[")) as caught:
        NotifySettings.load()
    assert "secret" not in str(caught.value)


def test_no_urls_configured_sends_nothing_and_is_no_error(caplog: pytest.LogCaptureFixture) -> None:
    settings = NotifySettings.load()
    assert settings.urls == ()
    assert not settings.wants("failed")
    with caplog.at_level(logging.DEBUG):
        assert send(failed_notice("snapshots/bundled", "boom"), settings) == NotifyResult()
    assert not caplog.records
