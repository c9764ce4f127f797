"""The validation gate: every ward present, none dropped to zero, the program count within a ratio of the
previous edition's — and `renkei run` writes nothing of an edition that fails it."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.errors import SettingsError
from renkei.parse.edition import edition_from_text
from renkei.records import Edition
from renkei.validate import GateSettings, gate_problems
from tests.conftest import REAL_EDITION
from tests.derive import DerivedEdition

runner = CliRunner()
MINATO = "131032"


def _counts(edition: Edition) -> dict[str, int]:
    return dict(Counter(r.ward.code for r in edition.records))


def _without_ward(ward_code: str, as_of: date) -> str:
    """The real edition's text without any row of one ward, dated `as_of`."""
    derived = DerivedEdition.real()
    derived.set_as_of(as_of)
    dropped = {i for i, r in enumerate(derived.records) if r.ward.code == ward_code}
    derived.lines = [line for line in derived.lines if line.entry not in dropped]
    return derived.text()


def test_the_real_edition_passes(real_edition: Edition) -> None:
    assert gate_problems(real_edition, None, GateSettings()) == []
    assert gate_problems(real_edition, _counts(real_edition), GateSettings()) == []


def test_a_ward_dropping_to_zero_fails(real_edition: Edition) -> None:
    edition = edition_from_text(_without_ward(MINATO, date(2026, 9, 30)))
    assert MINATO not in _counts(edition)
    assert len(edition.records) == len(real_edition.records) - _counts(real_edition)[MINATO]
    problems = gate_problems(edition, _counts(real_edition), GateSettings())
    assert problems == ["1 of 23 wards have no program (港区); 港区 had programs in the previous edition"]


def test_a_count_far_from_the_previous_edition_fails(real_edition: Edition) -> None:
    half = replace(real_edition, records=real_edition.records[::2])
    (problem,) = [p for p in gate_problems(half, _counts(real_edition), GateSettings()) if "ratio" in p]
    assert problem == "421 programs against 842 in the previous edition (ratio 0.50, allowed 0.7–1.5)"
    assert not [p for p in gate_problems(half, _counts(real_edition), GateSettings(min_ratio=0.4)) if "ratio" in p]


def test_gate_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_GATE_MIN_RATIO", "0.9")
    assert GateSettings.from_env() == GateSettings(min_ratio=0.9)
    monkeypatch.setenv("RENKEI_GATE_MIN_RATIO", "1.2")
    with pytest.raises(SettingsError, match="0 < RENKEI_GATE_MIN_RATIO ≤ 1"):
        GateSettings.from_env()


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
def test_run_stops_at_the_gate_and_writes_nothing_of_that_edition(tmp_path: Path) -> None:
    folder = tmp_path / "editions"
    folder.mkdir()
    (folder / "2026.txt").write_bytes(REAL_EDITION.read_bytes())
    assert runner.invoke(app, ["run", "--editions", str(folder)]).exit_code == 0
    (folder / "2027.txt").write_text(_without_ward(MINATO, date(2026, 9, 30)), encoding="utf-8")
    result = runner.invoke(app, ["run", "--editions", str(folder)])
    assert result.exit_code == 2
    assert result.stderr == (  # one line: Prefect's console logs are off when stderr is no terminal
        f"Error: {folder / '2027.txt'}: edition 2026-09-30 failed the validation gate: 1 of 23 wards have no "
        "program (港区); 港区 had programs in the previous edition\n"
    )
    listed = runner.invoke(app, ["editions", "--format", "jsonl"]).stdout.splitlines()
    assert len(listed) == 1 and '"2026-03-31"' in listed[0]
