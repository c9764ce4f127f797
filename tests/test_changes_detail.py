"""`renkei changes --format md|table` in full: new and ended programs with category tags, partners, description
and start year; edits marked <del>/<ins> in Markdown and with Rich styles (never tags) in the terminal; a ward
without changes stated with its dates and program counts. Golden files on a derived pair ingested via the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from renkei.cli import app
from renkei.console import DELETED, INSERTED, changes_table
from renkei.diff import diff_editions
from renkei.parse.edition import edition_from_text, read_edition
from renkei.records import Record, Ward
from renkei.report.changes import changes_view
from renkei.report.markdown import escape
from renkei.report.view import ReportInput
from tests.conftest import REAL_EDITION
from tests.derive import DerivedEdition, derive

GOLDEN = Path(__file__).parent / "golden" / "changes"
runner = CliRunner()
# name of the golden file → `renkei changes` arguments
CASES = {
    "all.md": ["--format", "md"],
    "all.txt": ["--format", "table"],
    "131024_中央区.md": ["--ward", "中央", "--format", "md"],
    "131024_中央区.txt": ["--ward", "中央区", "--format", "table"],
    "131016_千代田区.md": ["--ward", "131016", "--format", "md"],  # no change
    "131016_千代田区.txt": ["--ward", "千代田"],
}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[DerivedEdition, Path]:
    """2025 (derived with ten known changes and noise) → 2026 (real), ingested into a warehouse of its own."""
    home = tmp_path_factory.mktemp("changes-home")
    previous = derive(31, date(2025, 3, 31), changes=10)
    (home / "2025.txt").write_text(previous.text(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RENKEI_HOME", str(home))
        patch.setenv("RENKEI_SNAPSHOT_DIR", str(home / "snapshots"))
        result = runner.invoke(app, ["ingest", str(home / "2025.txt"), str(REAL_EDITION)])
    assert result.exit_code == 0, result.output
    return previous, home


@pytest.fixture
def changes(pair, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Runs `renkei changes ARGS` against the pair's warehouse; returns stdout."""
    monkeypatch.setenv("RENKEI_HOME", str(pair[1]))
    monkeypatch.setenv("RENKEI_SNAPSHOT_DIR", str(pair[1] / "snapshots"))
    monkeypatch.setenv("COLUMNS", "80")  # the table is printed 160 columns wide whatever the terminal

    def run(*args: str) -> str:
        result = runner.invoke(app, ["changes", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


@pytest.fixture(scope="module")
def editions(pair) -> tuple[tuple[Record, ...], tuple[Record, ...]]:  # type: ignore[no-untyped-def]
    """Both editions as parsed (not read back from the warehouse)."""
    return edition_from_text(pair[0].text()).records, read_edition(REAL_EDITION).records


def test_output_matches_the_reviewed_golden_files(changes, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    outputs = {name: changes(*args) for name, args in CASES.items()}
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in GOLDEN.iterdir():
            stale.unlink()
        for name, text in outputs.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES), "run pytest --update-golden and review"
    for name, text in outputs.items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_the_table_marks_edits_with_styles_not_tags(changes, editions) -> None:  # type: ignore[no-untyped-def]
    for args in (["--format", "table"], ["--ward", "品川"]):
        out = changes(*args)
        assert "<del>" not in out and "<ins>" not in out and "</" not in out
    assert "<del>" in changes("--format", "md") and "<ins>" in changes("--format", "md")

    old, new = editions
    data = ReportInput(
        title="", edition=new[0].edition, records=new, previous=old[0].edition, previous_records=old,
        events=tuple(diff_editions(old, new)),
    )  # fmt: skip
    table = changes_table(changes_view(data)).renderables[1]
    assert isinstance(table, Table)
    cells = [c for c in table.columns[2]._cells if isinstance(c, Text)]
    renamed = next(c for c in cells if c.plain.startswith("リバーサイドフェスティバル・アラカワ2022 → "))
    styled = {(renamed.plain[s.start : s.end], str(s.style)) for s in renamed.spans}
    assert ("2", DELETED) in styled and ("3", INSERTED) in styled


@pytest.mark.parametrize("output_format", ["md", "table"])
def test_a_ward_without_changes_states_the_ward_dates_and_counts(changes, editions, output_format: str) -> None:  # type: ignore[no-untyped-def]
    old, new = editions
    before = sum(r.ward.code == "131016" for r in old)
    after = sum(r.ward.code == "131016" for r in new)
    out = changes("--ward", "千代田", "--format", output_format)
    assert f"千代田区: 令和7年3月31日 → 令和8年3月31日、事業数 {before} → {after}、変更なし" in out
    assert "┏" not in out  # no empty table


def _program(records: tuple[Record, ...], ward: str, name_key: str) -> Record:
    (record,) = [r for r in records if r.ward.code == ward and r.name_key == name_key]
    return record


def test_new_and_ended_programs_carry_their_detail(pair, changes, editions) -> None:  # type: ignore[no-untyped-def]
    previous, _ = pair
    old, new = editions
    truths = [t for t in previous.truths if t.kind in ("program_added", "program_removed")]
    assert {t.kind for t in truths} == {"program_added", "program_removed"}
    for truth in truths:
        record = _program(new if truth.kind == "program_added" else old, truth.ward, truth.name_key)
        assert record.category_tags and record.partners and record.content and record.start.fiscal_years
        ward = record.ward.name
        md = changes("--ward", ward, "--format", "md")
        table = changes("--ward", ward, "--format", "table")
        block = md[md.index(f"- **{escape(record.name)}**") :].split("\n\n")[0]
        assert f"連携カテゴリ: {'、'.join(record.category_tags)}" in block
        assert f"連携相手方（{len(record.partners)}）: {'、'.join(p.name for p in record.partners)}" in block
        assert f"事業内容: {escape(record.content)}\n" in block + "\n"
        assert record.start.text in block
        assert all(f"{y}年度" in block for y in record.start.fiscal_years)
        for text in (*record.category_tags, *(p.name for p in record.partners[:6]), record.start.text):
            assert text in table
        assert record.content[:20] in table


def test_partners_beyond_six_are_counted_in_the_table(editions) -> None:  # type: ignore[no-untyped-def]
    _, new = editions
    many = next(r for r in new if len(r.partners) > 6)
    data = ReportInput(
        title="", edition=new[0].edition, records=new, previous=date(2025, 3, 31), previous_records=(),
        events=tuple(e for e in diff_editions((), new) if e.program and e.program.name == many.name
                     and e.ward.code == many.ward.code),
    )  # fmt: skip
    view = changes_view(data, Ward(many.ward.code, many.ward.name))
    (line,) = view.wards[0].sections[0][1]
    assert line.detail is not None
    assert line.detail.partners_text(6).endswith(f" ほか{len(many.partners) - 6}")
    assert line.detail.partners_text() == "、".join(p.name for p in many.partners)
