"""The update and backfill flows, run in this process against Prefect's temporary server: the publication-day
scenario from a listing page, failing downloads (retried or not, nothing written), the parse cache, and a
backfill out of date order. The warehouse is an SQLite file per test; tests/test_integration.py runs the
served deployment against a real Prefect server and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_EDITION, tree
from tests.derive import derive
from tests.http_server import FixtureServer, Route, listing_page, zeros
from tests.prefect_support import summary_artifact
from tests.test_match_diff import _keys

prefect = pytest.importorskip("prefect")

import flows.update as update_flow  # noqa: E402
from db.events import stored_events  # noqa: E402
from db.ingest import ingest_file  # noqa: E402
from db.queries import editions  # noqa: E402
from db.session import database  # noqa: E402
from flows import stages  # noqa: E402
from renkei.cli import DIRECT_RUN_LINE  # noqa: E402
from renkei.parse.edition import edition_from_text  # noqa: E402
from renkei.store import SnapshotStore  # noqa: E402

# One xdist worker runs every Prefect test, so the temporary server starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

LISTING = "/kuchokai/renkei.html"
EDITION_2025 = "/files/renkei_r7.txt"
EDITION_2026 = "/files/renkei_r8.txt"


@pytest.fixture(scope="module")
def earlier() -> Any:
    """A 2025-03-31 edition derived from the real one with 12 known changes."""
    return derive(7, date(2025, 3, 31), changes=12)


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    return {
        "database_url": f"sqlite:///{tmp_path / 'warehouse.sqlite3'}",
        "snapshot_dir": str(tmp_path / "snapshots"),
        "reports_dir": str(tmp_path / "reports"),
    }


@pytest.fixture
def no_retry_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network tasks keep their retries but do not wait between attempts."""
    for name in ("download", "find_edition_link"):
        task = getattr(update_flow, name)
        monkeypatch.setattr(update_flow, name, task.with_options(retry_delay_seconds=0))


def _state(places: dict[str, str]) -> tuple[bytes, dict[str, bytes | None], dict[str, bytes | None]]:
    db_file = Path(places["database_url"].removeprefix("sqlite:///"))
    return db_file.read_bytes(), tree(Path(places["snapshot_dir"])), tree(Path(places["reports_dir"]))


def _artifact_markdown(flow_run_id: Any) -> str:
    artifact = summary_artifact(flow_run_id)
    assert artifact.key == update_flow.SUMMARY_ARTIFACT_KEY
    return str(artifact.data)


def test_publication_day_from_the_listing_page_then_nothing_new(
    places: dict[str, str], earlier: Any, tmp_path: Path
) -> None:
    with FixtureServer() as server:
        server.routes[EDITION_2025] = Route(body=earlier.text().encode(), etag='"r7"')
        server.routes[LISTING] = Route(
            body=listing_page((EDITION_2025, "各特別区と全国市町村等連携事業一覧（令和7年3月31日現在） TXT"))
        )
        listing = server.url(LISTING)

        first = update_flow.update(listing=listing, **places)
        assert [(o.as_of, o.status, o.previous) for o in first.outcomes] == [(date(2025, 3, 31), "ingested", None)]

        # Publication day: the page now links the 2026 edition first.
        server.routes[EDITION_2026] = Route(body=REAL_EDITION.read_bytes(), etag='"r8"')
        server.routes[LISTING] = Route(
            body=listing_page(
                (EDITION_2026, "各特別区と全国市町村等連携事業一覧（令和8年3月31日現在） TXT（約300KB）"),
                (EDITION_2025, "各特別区と全国市町村等連携事業一覧（令和7年3月31日現在） TXT"),
            )
        )
        state = update_flow.update(listing=listing, return_state=True, **places)
        assert state.is_completed()
        second = state.result()
        (outcome,) = second.outcomes
        assert (outcome.as_of, outcome.status, outcome.previous, outcome.programs) == (
            date(2026, 3, 31),
            "ingested",
            date(2025, 3, 31),
            842,
        )
        assert _keys(outcome.events) == earlier.expected()
        report = Path(outcome.report)
        assert report == Path(places["reports_dir"]) / "2026-03-31"
        assert (report / "index.html").is_file() and (report / "changes_programs.csv").is_file()
        assert len(list((report / "wards").glob("*.md"))) == 23
        # The downloaded file landed in the snapshot store's downloads folder before it was parsed.
        downloaded = Path(places["snapshot_dir"]) / "downloads"
        assert sorted(p.suffix for p in downloaded.glob("*.txt")) == [".txt", ".txt"]

        markdown = _artifact_markdown(state.state_details.flow_run_id)
        assert "# renkei 更新: 1 版を取り込みました" in markdown
        wards_with_changes = {e.ward.name for e in outcome.events}
        for ward in wards_with_changes:
            assert f"| {ward} |" in markdown
        assert f"{len(outcome.events)} 件の変更" in markdown

        before = _state(places)
        requests_before = len(server.hits(EDITION_2026))
        third = update_flow.update(listing=listing, return_state=True, **places)
        assert third.is_completed() and third.result().nothing_new
        conditional = server.hits(EDITION_2026)[requests_before:]
        assert [r.headers.get("if-none-match") for r in conditional] == ['"r8"']  # answered 304
        assert _state(places) == before
        assert "新しい版はありません" in _artifact_markdown(third.state_details.flow_run_id)


def _seed_warehouse(places: dict[str, str], earlier: Any, tmp_path: Path) -> None:
    """A warehouse holding the 2025 edition (stored directly, without Prefect)."""
    path = tmp_path / "2025.txt"
    path.write_text(earlier.text(), encoding="utf-8")
    ingest_file(database(places["database_url"]), path, SnapshotStore(Path(places["snapshot_dir"])))


@pytest.mark.parametrize(
    ("route", "attempts", "message"),
    [
        (Route(status=500, body=b"Internal Server Error"), 4, "the server answered 500"),
        (Route(delay=3.0, body=b"late"), 4, "no answer within 1 s"),
        (
            Route(headers={"Content-Length": str(2 * 1024**3)}, stream=zeros(2 * 1024**3)),
            1,
            "announces 2147483648 bytes",
        ),
        (Route(stream=zeros(2 * 1024**3)), 1, "the body passed the 5242880-byte cap"),
        (Route(status=302, headers={"Location": "http://localhost:{port}/elsewhere.pdf"}), 1, "outside the allowed"),
    ],
    ids=[
        "server-error-retried",
        "timeout-retried",
        "2GB-body-announced-refused",
        "2GB-body-unannounced-stopped-at-the-cap",
        "foreign-redirect-refused",
    ],
)
def test_a_failing_download_fails_the_run_and_writes_nothing(
    places: dict[str, str],
    earlier: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_retry_delay: None,
    route: Route,
    attempts: int,
    message: str,
) -> None:
    _seed_warehouse(places, earlier, tmp_path)
    before = _state(places)
    monkeypatch.setenv("RENKEI_DOWNLOAD_TIMEOUT", "1")
    monkeypatch.setenv("RENKEI_DOWNLOAD_MAX_BYTES", str(5 * 1024 * 1024))
    with FixtureServer() as server:
        if "Location" in route.headers:
            route.headers["Location"] = route.headers["Location"].format(port=server.port)
        server.routes[EDITION_2026] = route
        url = server.url(EDITION_2026)
        state = update_flow.update(url=url, return_state=True, **places)
        assert state.is_failed()
        with pytest.raises(Exception, match=message) as raised:
            state.result()
        assert url in str(raised.value)
        assert len(server.hits(EDITION_2026)) == attempts  # transient failures retried, the others not
    assert _state(places) == before


def test_a_failed_gate_writes_nothing_and_the_rerun_reuses_the_cached_parse(
    places: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shorter = derive(8, date(2025, 3, 31), changes=11)  # two programs fewer, one more: 841 against 842
    assert len(edition_from_text(shorter.text()).records) == 841
    _seed_warehouse(places, shorter, tmp_path)
    folder = tmp_path / "editions"
    folder.mkdir()
    # Bytes no other test uses (trailing blank lines parse the same): the cache starts cold for this file.
    (folder / "2026.txt").write_bytes(REAL_EDITION.read_bytes() + b"\n\n")
    reads: list[Path] = []
    real_read = stages.read_source
    monkeypatch.setattr(stages, "read_source", lambda path: reads.append(path) or real_read(path))

    before = _state(places)
    monkeypatch.setenv("RENKEI_GATE_MIN_RATIO", "1.0")  # any change in the program count fails the gate
    monkeypatch.setenv("RENKEI_GATE_MAX_RATIO", "1.0")
    state = update_flow.update(folder=str(folder), return_state=True, **places)
    assert state.is_failed()
    with pytest.raises(Exception, match="failed the validation gate"):
        state.result()
    assert _state(places) == before
    assert reads == [folder / "2026.txt"]

    monkeypatch.delenv("RENKEI_GATE_MIN_RATIO")
    monkeypatch.delenv("RENKEI_GATE_MAX_RATIO")
    summary = update_flow.update(folder=str(folder), **places)
    assert [o.as_of for o in summary.outcomes] == [date(2026, 3, 31)]
    assert reads == [folder / "2026.txt"]  # read once: the second run took the parse from the cache


def test_backfill_in_any_order_relinks_the_editions_after_an_inserted_one(
    places: dict[str, str], three_editions: list[Any], tmp_path: Path
) -> None:
    (oldest, first_truth, _), (middle, middle_truth, _), (newest, _, _) = three_editions
    summary = update_flow.backfill(paths=[str(newest), str(oldest)], **places)
    assert [(o.as_of, o.previous) for o in summary.outcomes] == [
        (date(2024, 3, 31), None),
        (date(2026, 3, 31), date(2024, 3, 31)),
    ]

    summary = update_flow.backfill(paths=[str(middle), str(newest)], **places)
    assert [(o.as_of, o.status, o.previous) for o in summary.outcomes] == [
        (date(2025, 3, 31), "ingested", date(2024, 3, 31)),
        (date(2026, 3, 31), "relinked", date(2025, 3, 31)),  # its predecessor changed: new diff, new report
    ]
    assert summary.unchanged == (newest.name,)
    assert _keys(summary.outcomes[1].events) == middle_truth.expected()
    with database(places["database_url"]).reading() as session:
        assert [e.as_of for e in editions(session)] == [date(2024, 3, 31), date(2025, 3, 31), date(2026, 3, 31)]
        assert _keys(stored_events(session, date(2024, 3, 31), date(2025, 3, 31))) == first_truth.expected()
    index = (Path(places["reports_dir"]) / "2026-03-31" / "index.md").read_text(encoding="utf-8")
    assert "（令和7年3月31日 → 令和8年3月31日）" in index  # the 2026 report was rewritten against its new predecessor

    # An edition before all others: only the one right after it has a new predecessor.
    earliest = derive(44, date(2023, 3, 31), changes=10, base=oldest.read_text(encoding="utf-8"))
    (tmp_path / "2023.txt").write_text(earliest.text(), encoding="utf-8")
    later_report = (Path(places["reports_dir"]) / "2026-03-31" / "index.md").stat().st_mtime_ns
    summary = update_flow.backfill(paths=[str(tmp_path / "2023.txt")], **places)
    assert [(o.as_of, o.status, o.previous) for o in summary.outcomes] == [
        (date(2023, 3, 31), "ingested", None),
        (date(2024, 3, 31), "relinked", date(2023, 3, 31)),
    ]
    assert _keys(summary.outcomes[1].events) == earliest.expected()
    assert (Path(places["reports_dir"]) / "2026-03-31" / "index.md").stat().st_mtime_ns == later_report


def test_every_new_edition_passes_the_gate_before_any_is_written(
    places: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shorter = derive(8, date(2025, 3, 31), changes=11)  # 841 programs; the real 2026 edition has 842
    folder = tmp_path / "editions"
    folder.mkdir()
    (folder / "2025.txt").write_text(shorter.text(), encoding="utf-8")
    (folder / "2026.txt").write_bytes(REAL_EDITION.read_bytes())
    monkeypatch.setenv("RENKEI_GATE_MIN_RATIO", "1.0")
    monkeypatch.setenv("RENKEI_GATE_MAX_RATIO", "1.0")
    state = update_flow.backfill(folder=str(folder), return_state=True, **places)
    assert state.is_failed()
    with pytest.raises(Exception, match=r"2026.txt: edition 2026-03-31 failed the validation gate: 842 programs "):
        state.result()
    with database(places["database_url"]).reading() as session:
        assert editions(session) == []  # 2025 passed its gate but was not written either
    assert not Path(places["snapshot_dir"]).exists() and not Path(places["reports_dir"]).exists()


def test_a_corrected_edition_republished_replaces_the_stored_one_only_when_asked(
    places: dict[str, str], tmp_path: Path
) -> None:
    first, corrected = tmp_path / "first", tmp_path / "corrected"
    first.mkdir()
    corrected.mkdir()
    (first / "2026.txt").write_bytes(REAL_EDITION.read_bytes())
    (corrected / "2026.txt").write_text(derive(9, date(2026, 3, 31), changes=3).text(), encoding="utf-8")
    update_flow.update(folder=str(first), **places)

    state = update_flow.update(folder=str(corrected), return_state=True, **places)
    assert state.is_failed()
    with pytest.raises(Exception, match=r"already ingested from another file .*; use --replace"):
        state.result()

    summary = update_flow.update(folder=str(corrected), replace_edition=True, **places)
    assert [(o.as_of, o.status) for o in summary.outcomes] == [(date(2026, 3, 31), "replaced")]
    with database(places["database_url"]).reading() as session:
        assert [e.source_name for e in editions(session)] == ["2026.txt"] and len(editions(session)) == 1


def test_renkei_run_reports_a_refused_download_in_one_line_and_exits_1(places: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from renkei.cli import app

    with FixtureServer() as server:
        server.routes["/files/gone.pdf"] = Route(status=404, body=b"Not Found")
        url = server.url("/files/gone.pdf")
        result = CliRunner().invoke(app, ["run", "--url", url])
        assert len(server.hits("/files/gone.pdf")) == 1  # a 4xx is not retried
    assert result.exit_code == 1
    assert result.stderr == f"Error: {url}: the server answered 404 Not Found\n"
    assert result.stdout == f"{DIRECT_RUN_LINE}\n"  # no server configured: the stages ran in this process


def test_renkei_run_with_flow_runs_as_a_flow_run_on_a_temporary_server(places: dict[str, str], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from renkei.cli import app

    folder = tmp_path / "editions"
    folder.mkdir()
    (folder / "2026.txt").write_bytes(REAL_EDITION.read_bytes())
    result = CliRunner().invoke(app, ["run", "--flow", "--editions", str(folder)])
    assert result.exit_code == 0, result.output
    assert DIRECT_RUN_LINE not in result.stdout
    assert result.stdout.splitlines()[0].startswith("2026-03-31 ingested: 842 programs")
