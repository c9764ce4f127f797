"""The warehouse commands through the CLI (embedded SQLite): exit statuses, one-line errors, no writes on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import DIRECT_RUN_LINE, app
from tests.conftest import REAL_EDITION

runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RENKEI_SNAPSHOT_DIR", str(tmp_path / "home" / "snapshots"))
    monkeypatch.setenv("RENKEI_REPORTS_DIR", str(tmp_path / "home" / "reports"))
    monkeypatch.delenv("RENKEI_DATABASE_URL", raising=False)
    return tmp_path / "home"


def _db_file(home: Path) -> Path:
    return home / "renkei.sqlite3"


def test_ingest_editions_export(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(REAL_EDITION)])
    assert result.exit_code == 0, result.output
    assert "ingested edition 2026-03-31: 842 programs" in result.stdout
    again = runner.invoke(app, ["ingest", str(REAL_EDITION)])
    assert again.exit_code == 0 and "already ingested" in again.stdout and "nothing written" in again.stdout

    listed = runner.invoke(app, ["editions", "--format", "jsonl"])
    assert listed.exit_code == 0
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["as_of"] == "2026-03-31" and row["records"] == 842 and row["format"] == "text"
    source = row["source"]  # the contract's edition `source`: every key present, absent values null
    assert set(source) == {
        "kind", "location", "final_url", "link_text", "file_name", "etag", "last_modified", "fetched_at",
        "sha256", "parser_version",
    }  # fmt: skip
    assert (source["kind"], source["location"], source["file_name"]) == ("file", str(REAL_EDITION), REAL_EDITION.name)
    assert source["sha256"] == row["sha256"] and source["final_url"] is None and "supersedes" not in row

    exported = runner.invoke(app, ["export", "--edition", "2026-03-31"])
    parsed = runner.invoke(app, ["parse", str(REAL_EDITION)])
    assert exported.exit_code == 0 and exported.stdout == parsed.stdout


def test_bad_file_exits_2_and_leaves_the_database_byte_identical(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["ingest", str(REAL_EDITION)]).exit_code == 0
    before = _db_file(home).read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    result = runner.invoke(app, ["ingest", str(truncated)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {truncated}: cannot read PDF")
    assert _db_file(home).read_bytes() == before


def test_one_bad_file_among_several_writes_nothing(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "other.csv"
    bad.write_text("code,name\n1,x\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(REAL_EDITION), str(bad)])
    assert result.exit_code == 2
    assert not _db_file(home).exists()


def test_same_date_different_content_is_refused_without_replace(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["ingest", str(REAL_EDITION)]).exit_code == 0
    changed = tmp_path / "corrected.txt"
    changed.write_text(REAL_EDITION.read_text(encoding="utf-8").replace("つまごい祭り", "つまごい祭"), encoding="utf-8")
    before = _db_file(home).read_bytes()
    refused = runner.invoke(app, ["ingest", str(changed)])
    assert refused.exit_code == 2
    assert "already ingested from another file" in refused.stderr and "--replace" in refused.stderr
    assert _db_file(home).read_bytes() == before
    replaced = runner.invoke(app, ["ingest", str(changed), "--replace"])
    assert replaced.exit_code == 0 and "replaced edition 2026-03-31" in replaced.stdout
    exported = runner.invoke(app, ["export", "--edition", "2026-03-31"])
    assert json.loads(exported.stdout.splitlines()[0])["name"] == "つまごい祭"


def test_export_of_an_unknown_or_malformed_date_exits_2(home: Path) -> None:
    assert runner.invoke(app, ["ingest", str(REAL_EDITION)]).exit_code == 0
    unknown = runner.invoke(app, ["export", "--edition", "2019-03-31"])
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "Error: no edition as of 2019-03-31 is ingested (ingested: 2026-03-31)"
    assert runner.invoke(app, ["export", "--edition", "31/03/2019"]).exit_code == 2


def test_db_upgrade(home: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and "schema at revision" in result.stdout


def test_run_ingests_the_bundled_edition_writes_reports_and_is_idempotent(home: Path) -> None:
    first = runner.invoke(app, ["run"])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    reports = home / "reports" / "2026-03-31"
    assert lines[0] == DIRECT_RUN_LINE  # no PREFECT_API_URL: the stages ran in this process
    assert lines[1] == f"2026-03-31 ingested: 842 programs, 0 change events first edition (overview); report {reports}"
    assert lines[-1] == f"reports: {reports}"  # the run ends with where the reports are
    assert (reports / "index.html").is_file() and len(list((reports / "wards").glob("*.html"))) == 23
    before = _db_file(home).read_bytes()
    written = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    second = runner.invoke(app, ["run"])
    assert second.exit_code == 0
    assert second.stdout.splitlines()[1].startswith("nothing new: ") and "nothing written" in second.stdout
    assert _db_file(home).read_bytes() == before
    assert {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()} == written


def test_reference_refresh_updates_file_and_table(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from renkei import reference

    bundled = reference.reference_path()
    copy = tmp_path / "package-data.csv"
    copy.write_bytes(bundled.read_bytes())
    monkeypatch.setattr(reference, "reference_path", lambda: copy)  # never rewrite the real package data here
    reference.load_reference.cache_clear()
    assert runner.invoke(app, ["ingest", str(REAL_EDITION)]).exit_code == 0
    lines = bundled.read_text(encoding="utf-8").splitlines()
    new_list = tmp_path / "new.csv"
    dropped = next(line for line in lines if ",北海道,夕張市," in line)
    new_list.write_text("\n".join(line for line in lines if line != dropped) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["reference", "refresh", str(new_list)])
    assert result.exit_code == 0, result.output
    assert "1740 municipalities" in result.stdout and "1 unlisted" in result.stdout
    broken = tmp_path / "broken.csv"
    broken.write_text("code,name\n", encoding="utf-8")
    refused = runner.invoke(app, ["reference", "refresh", str(broken)])
    assert refused.exit_code == 2 and "expected columns" in refused.stderr
    reference.load_reference.cache_clear()
