"""Change events in the warehouse (SQLite and PostgreSQL) and `renkei changes`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from db.events import changes_between, stored_events
from db.ingest import ingest_file
from db.models import EditionEntry, Program
from db.session import Database
from renkei.cli import app
from renkei.diff import diff_editions
from renkei.parse.edition import read_edition
from renkei.store import SnapshotStore
from tests.conftest import REAL_EDITION
from tests.derive import derive
from tests.test_match_diff import _keys

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, object]]:
    """2024 → 2025 → 2026 (real): each earlier edition derived from the next with known changes."""
    folder = tmp_path_factory.mktemp("chain")
    middle = derive(11, date(2025, 3, 31), changes=26)
    middle_file = folder / "2025.txt"
    middle_file.write_text(middle.text(), encoding="utf-8")
    first = derive(12, date(2024, 3, 31), changes=10, base=middle.text())
    first_file = folder / "2024.txt"
    first_file.write_text(first.text(), encoding="utf-8")
    return [(first_file, first), (middle_file, middle), (REAL_EDITION, None)]


def _load(db: Database, store: SnapshotStore, paths: list[Path]) -> None:
    for path in paths:
        ingest_file(db, path, store)


def test_stored_events_are_exactly_the_recorded_changes(warehouse: Database, store: SnapshotStore, chain) -> None:  # type: ignore[no-untyped-def]
    _load(warehouse, store, [p for p, _ in chain])
    (_first, first_truth), (_middle, middle_truth), _ = chain
    with warehouse.reading() as session:
        assert _keys(stored_events(session, date(2025, 3, 31), date(2026, 3, 31))) == middle_truth.expected()
        assert _keys(stored_events(session, date(2024, 3, 31), date(2025, 3, 31))) == first_truth.expected()


def test_a_middle_edition_ingested_last_gives_the_same_events(
    warehouse: Database,
    tmp_path: Path,
    chain,  # type: ignore[no-untyped-def]
) -> None:
    paths = [p for p, _ in chain]
    _load(warehouse, SnapshotStore(tmp_path / "a"), [paths[0], paths[2], paths[1]])
    with warehouse.reading() as session:
        out_of_order = [
            changes_between(session, date(2024, 3, 31), date(2025, 3, 31)),
            changes_between(session, date(2025, 3, 31), date(2026, 3, 31)),
        ]
    expected = [
        diff_editions(read_edition(paths[0]).records, read_edition(paths[1]).records),
        diff_editions(read_edition(paths[1]).records, read_edition(paths[2]).records),
    ]
    assert [_keys(e) for e in out_of_order] == [_keys(e) for e in expected]
    assert [[e.kind for e in events] for events in out_of_order] == [[e.kind for e in events] for events in expected]


def test_a_renamed_program_keeps_its_identity(warehouse: Database, store: SnapshotStore, chain) -> None:  # type: ignore[no-untyped-def]
    _load(warehouse, store, [p for p, _ in chain][1:])
    (_, middle_truth) = chain[1]
    renamed = [t for t in middle_truth.truths if t.kind == "program_renamed"]
    assert renamed
    with warehouse.reading() as session:
        for truth in renamed:
            events = [e for e in stored_events(session, date(2025, 3, 31), date(2026, 3, 31))
                      if e.kind == "program_renamed" and e.program.name_key == truth.name_key]  # fmt: skip
            assert len(events) == 1
            programs = session.scalars(
                select(EditionEntry.program_id).join(Program).where(Program.ward_code == truth.ward)
            ).all()
            by_program: dict[int, int] = {}
            for program_id in programs:
                by_program[program_id] = by_program.get(program_id, 0) + 1
            assert 2 in by_program.values()  # the renamed program's one identity spans both editions


def test_changes_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chain) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RENKEI_SNAPSHOT_DIR", str(tmp_path / "home" / "snapshots"))
    only_one = runner.invoke(app, ["ingest", str(REAL_EDITION)])
    assert only_one.exit_code == 0
    alone = runner.invoke(app, ["changes"])
    assert alone.exit_code == 2 and "no edition before 2026-03-31" in alone.stderr
    assert runner.invoke(app, ["ingest", *(str(p) for p, _ in chain[:2])]).exit_code == 0

    jsonl = runner.invoke(app, ["changes", "--format", "jsonl"])
    assert jsonl.exit_code == 0
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert events and all(e["from"] == "2025-03-31" and e["to"] == "2026-03-31" for e in events)
    assert {"from", "to", "ward", "kind"} <= set(events[0])
    for event in events:
        if event["kind"] in ("program_renamed", "program_changed", "partner_added", "partner_removed"):
            assert 0 <= event["confidence"] <= 1 and event["reason"]
        if event["kind"] == "program_renamed":
            assert event["previous_name"]
        if event["kind"] == "program_changed":
            assert event["field"] in ("category_tags", "body", "content", "start") and "old" in event and "new" in event

    ward = events[0]["ward"]["name"]
    for spelling in (ward, ward.removesuffix("区"), events[0]["ward"]["code"]):
        only = runner.invoke(app, ["changes", "--ward", spelling, "--format", "jsonl"])
        assert {json.loads(line)["ward"]["name"] for line in only.stdout.splitlines()} == {ward}

    markdown = runner.invoke(app, ["changes", "--format", "md"])
    assert markdown.exit_code == 0 and markdown.stdout.startswith("# 2025-03-31 → 2026-03-31 の変更")
    table = runner.invoke(app, ["changes"])
    assert table.exit_code == 0 and "新規事業" in table.stdout

    skipping = runner.invoke(app, ["changes", "--from", "2024-03-31", "--to", "2026-03-31", "--format", "jsonl"])
    assert skipping.exit_code == 0
    assert all(json.loads(line)["from"] == "2024-03-31" for line in skipping.stdout.splitlines())

    assert runner.invoke(app, ["changes", "--ward", "横浜"]).exit_code == 2
    unknown = runner.invoke(app, ["changes", "--to", "2019-03-31"])
    assert unknown.exit_code == 2 and "no edition as of 2019-03-31" in unknown.stderr
