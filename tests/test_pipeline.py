"""The update run driven directly (no Prefect): `renkei run` without a server, provenance stored and shown,
the review hold, notifications. The same pipeline driven by Prefect is tested in tests/test_flows.py and
tests/test_integration.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from db.queries import editions
from db.session import database
from flows.pipeline import DirectDriver, Places, run_backfill, run_update
from renkei.cli import DIRECT_RUN_LINE, app
from renkei.notify import NotifySettings
from renkei.parse.edition import PARSER_VERSION, edition_from_text
from renkei.review import ReviewHoldError
from renkei.sources.settings import SourceSettings
from renkei.store import SnapshotStore, sha256_of
from tests.conftest import PROJECT_ROOT, REAL_EDITION, tree
from tests.derive import derive
from tests.http_server import FixtureServer, Receiver, Route, listing_page

QUIET = NotifySettings()  # no channel


@pytest.fixture(scope="module")
def earlier() -> Any:
    """A 2025-03-31 edition derived from the real one with 12 known changes."""
    return derive(7, date(2025, 3, 31), changes=12)


@pytest.fixture
def places(tmp_path: Path) -> Places:
    return Places(f"sqlite:///{tmp_path / 'warehouse.sqlite3'}", str(tmp_path / "store"), str(tmp_path / "reports"))


def _state(places: Places) -> tuple[bytes | None, dict[str, bytes | None], dict[str, bytes | None]]:
    db_file = Path(places.db_url.removeprefix("sqlite:///"))
    return (
        db_file.read_bytes() if db_file.exists() else None,
        tree(Path(places.store)),
        tree(Path(places.reports)),
    )


def flooded_text() -> str:
    """The real edition with every second program's description reworded: a flood of (false) changes, as a
    new layout or a shifted column would produce."""
    lines, starts = [], 0
    for line in REAL_EDITION.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 7 and cells[0].strip() and cells[5].strip() and not cells[0].startswith("各特別"):
            starts += 1
            if starts % 2:
                cells[5] += "（改訂版）"
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def _run(folder: Path, places: Places, notify: NotifySettings = QUIET, **driver: Any) -> Any:
    return run_update(DirectDriver(**driver), SourceSettings(folder=str(folder)), places, notify=notify)


def test_a_folder_edition_is_stored_with_its_provenance_and_the_report_shows_it(places: Places, tmp_path: Path) -> None:
    folder = _folder(tmp_path, "bundled", REAL_EDITION.read_text(encoding="utf-8"))
    summary = _run(folder, places)
    (outcome,) = summary.outcomes
    source = outcome.provenance
    assert source is not None
    assert (source.kind, source.location, source.file_name) == ("folder", str(folder), "bundled.txt")
    assert (source.sha256, source.parser_version) == (sha256_of(folder / "bundled.txt"), PARSER_VERSION)
    with database(places.db_url).reading() as session:
        (stored,) = editions(session)
        assert stored.source == source.to_dict() and stored.supersedes is None
    (entry,) = SnapshotStore(Path(places.store)).entries()
    assert entry.provenance == source.to_dict()

    report = Path(outcome.report)
    markdown = (report / "index.md").read_text(encoding="utf-8").splitlines()
    assert markdown[2].startswith("出典: bundled.txt（取得 ") and markdown[2].endswith(" UTC）")
    assert f"- SHA-256: {source.sha256}" in markdown and "## 出典" in markdown
    ward_page = next((report / "wards").glob("131016_*.html")).read_text(encoding="utf-8")
    assert "出典: bundled.txt（取得 " in ward_page and "<h2>出典</h2>" in ward_page.split('<footer class="site">')[1]
    assert source.sha256 in ward_page

    before = _state(places)
    again = _run(folder, places)
    assert again.nothing_new and _state(places) == before


def test_a_flood_of_changes_is_held_and_nothing_is_written_unless_accepted(
    places: Places, tmp_path: Path, earlier: Any
) -> None:
    _run(_folder(tmp_path, "2025", earlier.text()), places)
    flooded = _folder(tmp_path, "2026", flooded_text())
    before = _state(places)
    with pytest.raises(ReviewHoldError) as raised:
        _run(flooded, places)
    message = str(raised.value)
    assert message.startswith("edition 2026-03-31 against 2025-03-31: ")
    assert "RENKEI_REVIEW_MAX_CHANGED_SHARE" in message and message.endswith("--accept-changes)")
    assert "\n" not in message
    assert _state(places) == before

    summary = _run(flooded, places, accept_changes=True)
    (outcome,) = summary.outcomes
    assert outcome.as_of == date(2026, 3, 31) and len(outcome.events) > 300


def test_a_realistic_year_is_not_held(places: Places, tmp_path: Path, earlier: Any) -> None:
    _run(_folder(tmp_path, "2025", earlier.text()), places)
    summary = _run(_folder(tmp_path, "2026", REAL_EDITION.read_text(encoding="utf-8")), places)
    assert [o.as_of for o in summary.outcomes] == [date(2026, 3, 31)] and not summary.held


def test_review_thresholds_come_from_the_environment(
    places: Places, tmp_path: Path, earlier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(_folder(tmp_path, "2025", earlier.text()), places)
    monkeypatch.setenv("RENKEI_REVIEW_MAX_CHANGED_SHARE", "0.001")  # the 12 known changes are too many now
    with pytest.raises(ReviewHoldError, match=r"of 84\d programs changed"):
        _run(_folder(tmp_path, "2026", REAL_EDITION.read_text(encoding="utf-8")), places)
    monkeypatch.setenv("RENKEI_REVIEW_MAX_CHANGED_SHARE", "2")
    with pytest.raises(Exception, match="max_changed_share must lie in"):
        _run(_folder(tmp_path, "other", REAL_EDITION.read_text(encoding="utf-8")), places)


def test_renkei_run_without_a_server_runs_the_stages_here_and_a_hold_is_one_line(
    tmp_path: Path, earlier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    runner = CliRunner()
    first = runner.invoke(app, ["run", "--editions", str(_folder(tmp_path, "2025", earlier.text()))])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == DIRECT_RUN_LINE
    assert first.stdout.splitlines()[-1].startswith("reports: ")

    db_file = Path(os.environ["RENKEI_HOME"]) / "renkei.sqlite3"
    before = db_file.read_bytes()
    flooded = _folder(tmp_path, "2026", flooded_text())
    held = runner.invoke(app, ["run", "--editions", str(flooded)])
    assert held.exit_code == 2
    assert held.stderr.count("\n") == 1 and held.stderr.startswith("Error: edition 2026-03-31 against 2025-03-31")
    assert db_file.read_bytes() == before

    accepted = runner.invoke(app, ["run", "--editions", str(flooded), "--accept-changes"])
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[1].startswith("2026-03-31 ingested: ")


def test_renkei_run_without_a_server_never_imports_prefect(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "editions", REAL_EDITION.read_text(encoding="utf-8"))
    script = (
        "import sys\n"
        "from renkei.cli import app\n"
        f"sys.argv = ['renkei', 'run', '--editions', {str(folder)!r}]\n"
        "try:\n    app()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        "print('prefect imported' if any(m.split('.')[0] == 'prefect' for m in sys.modules) else 'no prefect')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, check=True
    )
    assert done.stdout.splitlines()[-1] == "no prefect"
    assert "2026-03-31 ingested" in done.stdout


def test_renkei_serve_without_a_server_says_what_to_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))  # no profile names a server either
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "set PREFECT_API_URL" in result.stderr


def test_a_listing_download_keeps_where_it_came_from_and_a_link_date_that_disagrees_is_flagged(
    places: Places,
) -> None:
    with FixtureServer() as server:
        server.routes["/old/renkei.txt"] = Route(status=301, headers={"Location": "/files/r8.txt"})
        server.routes["/files/r8.txt"] = Route(
            body=REAL_EDITION.read_bytes(),
            etag='"r8"',
            headers={
                "Last-Modified": "Tue, 31 Mar 2026 01:00:00 GMT",
                "Content-Disposition": "attachment; filename*=UTF-8''%E9%80%A3%E6%90%BA%E4%BA%8B%E6%A5%AD.txt",
            },
        )
        link_text = "各特別区と全国市町村等連携事業一覧（令和5年8月1日現在） TXT（約300KB）"
        server.routes["/kuchokai/renkei.html"] = Route(body=listing_page(("/old/renkei.txt", link_text)))
        listing = server.url("/kuchokai/renkei.html")
        settings = SourceSettings(listing=listing)
        summary = run_update(DirectDriver(), settings, places, notify=QUIET)
    (outcome,) = summary.outcomes
    source = outcome.provenance
    assert source is not None
    assert (source.kind, source.location) == ("listing", listing)
    assert source.final_url == server.url("/files/r8.txt")
    assert source.link_text is not None and "令和5年8月1日現在" in source.link_text
    assert (source.file_name, source.etag) == ("連携事業.txt", '"r8"')
    assert source.last_modified == "Tue, 31 Mar 2026 01:00:00 GMT"
    assert source.fetched_at is not None and source.fetched_at.endswith("+00:00")
    (note,) = outcome.notes
    assert "2023-08-01" in note and "2026-03-31" in note
    from renkei.summary import summary_lines

    assert f"  warning: {note}" in summary_lines(summary)
    index = (Path(outcome.report) / "index.html").read_text(encoding="utf-8")
    assert "一致しません" in index and "連携事業.txt" in index and "Tue, 31 Mar 2026 01:00:00 GMT" in index


def test_a_corrected_edition_says_so_and_keeps_the_superseded_provenance(places: Places, tmp_path: Path) -> None:
    first = _folder(tmp_path, "first", REAL_EDITION.read_text(encoding="utf-8"))
    _run(first, places)
    corrected = _folder(tmp_path, "corrected", REAL_EDITION.read_text(encoding="utf-8").replace("嬭恋村", "嬬恋村"))
    summary = run_update(
        DirectDriver(), SourceSettings(folder=str(corrected)), places, replace_edition=True, notify=QUIET
    )
    (outcome,) = summary.outcomes
    assert outcome.status == "replaced"
    (old,) = outcome.supersedes
    assert (old.file_name, old.sha256) == ("first.txt", sha256_of(first / "first.txt"))
    with database(places.db_url).reading() as session:
        (stored,) = editions(session)
        assert stored.supersedes[0]["file_name"] == "first.txt" and stored.supersedes[0]["ingested_at"]
    index = (Path(outcome.report) / "index.md").read_text(encoding="utf-8")
    assert "**訂正版: first.txt（" in index and "corrected.txt" in index


def test_notifications_for_a_stored_edition_a_hold_and_a_failure(places: Places, tmp_path: Path, earlier: Any) -> None:
    receiver = Receiver()
    try:
        notify = NotifySettings(urls=(f"json://127.0.0.1:{receiver.port}/hook",))
        _run(_folder(tmp_path, "2025", earlier.text()), places, notify=notify)
        with pytest.raises(ReviewHoldError):
            _run(_folder(tmp_path, "2026", flooded_text()), places, notify=notify)
        with pytest.raises(Exception, match="not a folder"):
            _run(tmp_path / "missing", places, notify=notify)
        titles = [body["title"] for _, _, body in receiver.posts]
        assert titles == [
            "renkei: 令和7年3月31日現在の版を取り込みました（最初の版）",
            "renkei: 令和8年3月31日現在の版の取り込みを保留しました（承認待ち）",
            "renkei: 更新に失敗しました",
        ]
        held_body = receiver.posts[1][2]["message"]
        assert "RENKEI_REVIEW_MAX_CHANGED_SHARE" in held_body and "--accept-changes" in held_body
        assert "missing" in receiver.posts[2][2]["message"]
    finally:
        receiver.close()


def test_an_unreachable_channel_never_fails_the_run(places: Places, tmp_path: Path, earlier: Any) -> None:
    notify = NotifySettings(urls=("json://127.0.0.1:9/nowhere",), timeout_seconds=1)
    summary = _run(_folder(tmp_path, "2025", earlier.text()), places, notify=notify)
    assert [o.as_of for o in summary.outcomes] == [date(2025, 3, 31)]


def test_backfill_records_each_file_as_its_own_source(places: Places, tmp_path: Path, earlier: Any) -> None:
    path = tmp_path / "2025.txt"
    path.write_text(earlier.text(), encoding="utf-8")
    summary = run_backfill(DirectDriver(), [str(path)], None, places, notify=QUIET)
    (outcome,) = summary.outcomes
    assert outcome.provenance is not None
    assert (outcome.provenance.kind, outcome.provenance.location) == ("file", str(path.resolve()))
    assert json.loads(json.dumps(outcome.provenance.to_dict()))["sha256"] == sha256_of(path)
    assert edition_from_text(earlier.text()).as_of == outcome.as_of


@pytest.mark.parametrize("command", [["run"], ["serve"]])
def test_a_configured_server_that_does_not_answer_is_one_line(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.prefect_support import free_port

    url = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    monkeypatch.setenv("PREFECT_API_URL", url)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the Prefect server at PREFECT_API_URL={url} cannot be used: no answer (ConnectError); "
        "start it, or unset PREFECT_API_URL to run the stages in this process\n"
    )
    assert not (Path(os.environ["RENKEI_HOME"]) / "renkei.sqlite3").exists()
