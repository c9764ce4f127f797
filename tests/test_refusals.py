"""Every refusal is one line on stderr with exit status 2 (usage errors included), a refused download leaves
nothing behind and names its URL, and all state lives under one home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei import config
from renkei.cli import app
from tests.conftest import PROJECT_ROOT, REAL_EDITION, tree
from tests.http_server import FixtureServer, Route

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["changes", "--bogus"], "Error: renkei changes: No such option: --bogus (see renkei changes --help)"),
        (
            ["changes", "--from", "2025-3-31"],
            "Error: renkei changes: Invalid value for --from: '2025-3-31' is not a date (YYYY-MM-DD) "
            "(see renkei changes --help)",
        ),
        (
            ["changes", "--ward", "港ku"],
            "Error: renkei changes: Invalid value for --ward: '港ku' is not one of the 23 special wards; "
            "did you mean 港区? (see renkei changes --help)",
        ),
        (["parse"], "Error: renkei parse: Missing argument 'path'. (see renkei parse --help)"),
        (["reference", "nothing"], "Error: renkei reference: No such command 'nothing'. (see renkei reference --help)"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], line: str) -> None:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, line + "\n", "")


def test_a_misspelt_command_is_one_line_with_the_close_ones() -> None:
    result = runner.invoke(app, ["chnges"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: renkei: No such command 'chnges'. Did you mean 'changes'")
    assert result.stderr.count("\n") == 1


def test_the_installed_command_gives_the_same_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "renkei", "export", "--edition"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr == "Error: Option '--edition' requires an argument.\n"  # found before a command context


@pytest.mark.parametrize("command", ["parse", "ingest"])
def test_missing_and_directory_paths_are_one_line(command: str, tmp_path: Path) -> None:
    missing = runner.invoke(app, [command, str(tmp_path / "nowhere.pdf")])
    assert (missing.exit_code, missing.stderr) == (
        2,
        f"Error: {tmp_path / 'nowhere.pdf'}: cannot read (No such file or directory)\n",
    )
    folder = runner.invoke(app, [command, str(tmp_path)])
    assert (folder.exit_code, folder.stderr) == (2, f"Error: {tmp_path}: is a directory, not an edition file\n")
    assert not (Path(os.environ["RENKEI_HOME"]) / "renkei.sqlite3").exists()


def test_a_downloaded_file_that_is_no_edition_is_removed_and_named_by_its_url(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.routes["/files/r8.txt"] = Route(body="各特別区と全国市町村等連携事業一覧\n\nただの文書です\n".encode())
        url = server.url("/files/r8.txt")
        result = runner.invoke(app, ["run", "--url", url])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {url}: ") and "downloads" not in line
    downloads = config.snapshot_dir() / "downloads"
    assert [p.name for p in downloads.iterdir() if p.name != "state.json"] == []
    listed = runner.invoke(app, ["editions", "--format", "jsonl"])
    assert (listed.exit_code, listed.stdout) == (0, "")  # nothing stored


def test_a_sqlite_url_in_a_folder_that_does_not_exist_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'typo' / 'renkei.sqlite3'}"
    monkeypatch.setenv("RENKEI_DATABASE_URL", url)
    result = runner.invoke(app, ["editions"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {url}: the folder {tmp_path / 'typo'} does not exist; create it, or correct RENKEI_DATABASE_URL\n"
    )
    assert not (tmp_path / "typo").exists()


def test_renkei_home_holds_all_state_unless_a_place_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    for variable in ("RENKEI_SNAPSHOT_DIR", "RENKEI_REPORTS_DIR", "RENKEI_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RENKEI_HOME", str(home))
    folder = tmp_path / "editions"
    folder.mkdir()
    (folder / "2026.txt").write_bytes(REAL_EDITION.read_bytes())
    result = runner.invoke(app, ["run", "--editions", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in home.iterdir()) == [
        "renkei.sqlite3",
        "renkei.sqlite3.migrate.lock",
        "reports",
        "snapshots",
    ]
    assert (home / "snapshots" / "manifest.json").is_file() and (home / "reports" / "2026-03-31").is_dir()

    monkeypatch.setenv("RENKEI_REPORTS_DIR", str(tmp_path / "elsewhere"))
    assert config.reports_dir() == tmp_path / "elsewhere" and config.snapshot_dir() == home / "snapshots"


def test_without_renkei_home_a_checkout_keeps_the_project_layout_and_a_package_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("RENKEI_HOME", "RENKEI_SNAPSHOT_DIR", "RENKEI_REPORTS_DIR", "RENKEI_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    assert config.from_checkout()
    assert (config.home_dir(), config.snapshot_dir(), config.reports_dir()) == (
        PROJECT_ROOT / "var",
        PROJECT_ROOT / "snapshots" / "store",
        PROJECT_ROOT / "reports",
    )
    installed = tmp_path / "lib" / "python3.11" / "site-packages"
    monkeypatch.setattr(config, "PROJECT_ROOT", installed)
    monkeypatch.chdir(tmp_path)
    assert not config.from_checkout()
    assert (config.home_dir(), config.snapshot_dir(), config.reports_dir()) == (
        tmp_path / "var",
        tmp_path / "snapshots" / "store",
        tmp_path / "reports",
    )
    assert config.database_url() == f"sqlite:///{tmp_path / 'var' / 'renkei.sqlite3'}"
    assert "site-packages" not in str(config.snapshot_dir())
    assert tree(tmp_path) == {}  # resolving places writes nothing
