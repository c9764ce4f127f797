"""Timelines of a ward and of a municipality over three editions (SQLite and PostgreSQL), and `renkei timeline`.

Expectations are computed here from each edition's parsed records and the generator's recorded changes, never
from the warehouse.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from db.ingest import ingest_file
from db.session import Database
from db.timeline import municipality_timeline, ward_timeline
from renkei.cli import app
from renkei.errors import UnknownEditionError
from renkei.normalise.text import text_key
from renkei.normalise.wards import ward_from_cell
from renkei.records import Record
from renkei.store import SnapshotStore
from renkei.timeline import CSV_COLUMNS
from tests.conftest import place_code

pytestmark = pytest.mark.slow
runner = CliRunner()
DATES = ("2024-03-31", "2025-03-31", "2026-03-31")


@pytest.fixture(scope="module")
def chain(three_editions):  # type: ignore[no-untyped-def]
    return three_editions


@pytest.fixture
def loaded(warehouse: Database, store: SnapshotStore, chain) -> Database:  # type: ignore[no-untyped-def]
    for path in (chain[2][0], chain[0][0], chain[1][0]):  # out of order on purpose
        ingest_file(warehouse, path, store)
    return warehouse


def _partnerships(records: tuple[Record, ...], ward: str) -> dict[str, set[str]]:
    """Place code → names of the ward's programs listing it."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if record.ward.code == ward:
            for partner in record.partners:
                if partner.code:
                    found[partner.code].add(record.name)
    return found


def _busiest_changed_ward(chain) -> str:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = defaultdict(int)
    for _, truth, _ in chain[:2]:
        for kind, ward, *_ in truth.expected():
            counts[ward] += kind in ("program_added", "program_removed", "municipality_linked", "municipality_unlinked")
    return max(counts, key=lambda w: (counts[w], w))


def test_ward_timeline_counts_and_changes_per_edition(loaded: Database, chain) -> None:  # type: ignore[no-untyped-def]
    ward = ward_from_cell(_busiest_changed_ward(chain))
    assert ward is not None
    with loaded.reading() as session:
        timeline = ward_timeline(session, ward)
    assert [row.edition for row in timeline.editions] == list(DATES)
    for row, (_, _, records) in zip(timeline.editions, chain, strict=True):
        own = [r for r in records if r.ward.code == ward.code]
        assert row.programs == len(own)
        assert row.partner_places == len(_partnerships(records, ward.code))
    # programs added and ended in 2025 and 2026 are the ones the generator recorded (none for the first edition)
    assert timeline.editions[0].programs_added == [] and timeline.editions[0].programs_ended == []
    for row, (_, truth, _) in zip(timeline.editions[1:], chain[:2], strict=True):
        expected = truth.expected()
        added = sorted(k[2] for k in expected if k[0] == "program_added" and k[1] == ward.code)
        ended = sorted(k[2] for k in expected if k[0] == "program_removed" and k[1] == ward.code)
        assert sorted(text_key(n) for n in row.programs_added) == added
        assert sorted(text_key(n) for n in row.programs_ended) == ended
    # each partner place: the editions it was a partner in
    observed = {row.place.code: row.editions for row in timeline.places}
    expected_places: dict[str, list[str]] = defaultdict(list)
    for as_of, (_, _, records) in zip(DATES, chain, strict=True):
        for code in _partnerships(records, ward.code):
            expected_places[code].append(as_of)
    assert observed == dict(expected_places)


def test_declared_history_reads_each_partnership_from_its_newest_listing(loaded: Database, chain) -> None:  # type: ignore[no-untyped-def]
    ward = ward_from_cell(_busiest_changed_ward(chain))
    assert ward is not None
    newest: dict[str, tuple[Record, ...]] = {}
    for _, _, records in chain:
        for code in _partnerships(records, ward.code):
            newest[code] = records
    expected: dict[int, set[str]] = defaultdict(set)
    for code, records in newest.items():
        for record in records:
            if record.ward.code != ward.code:
                continue
            for partner in record.partners:
                if partner.code == code:
                    start = partner.start_fiscal_year or min(record.start.fiscal_years, default=None)
                    if start is not None:
                        expected[start].add(code)
    with loaded.reading() as session:
        timeline = ward_timeline(session, ward)
    assert {year.fiscal_year: {p.code for p in year.places} for year in timeline.declared} == dict(expected)
    assert min(expected) < 2000  # the declared history reaches far before the observed editions


def test_municipality_timeline_lists_wards_and_programs_per_edition(loaded: Database, chain) -> None:  # type: ignore[no-untyped-def]
    code = place_code("群馬県嬬恋村")
    with loaded.reading() as session:
        timeline = municipality_timeline(session, code)
    assert timeline.place.name == "群馬県嬬恋村"
    observed = {(link.edition, link.ward.code): set(link.programs) for link in timeline.links}
    expected = {}
    for as_of, (_, _, records) in zip(DATES, chain, strict=True):
        for ward in {r.ward.code for r in records}:
            names = _partnerships(records, ward).get(code)
            if names:
                expected[(as_of, ward)] = names
    assert observed == expected
    assert {(as_of, ward) for as_of, ward in expected if as_of == "2026-03-31"} == {
        ("2026-03-31", "131016"),  # 千代田区 and 港区, read from the source by hand (test_real_edition)
        ("2026-03-31", "131032"),
    }


def test_a_partnership_that_ended_keeps_its_declared_start(loaded: Database, chain) -> None:  # type: ignore[no-untyped-def]
    ended = [k for _, truth, _ in chain[:2] for k in truth.expected() if k[0] == "municipality_unlinked"]
    assert ended, "the generator's changes should end at least one partnership"
    _kind, ward, _name, code, *_ = ended[0]
    with loaded.reading() as session:
        timeline = municipality_timeline(session, code)
    assert ward in {d.ward.code for d in timeline.declared}


def test_timeline_on_an_empty_warehouse_is_refused(warehouse: Database) -> None:
    ward = ward_from_cell("港区")
    assert ward is not None
    with warehouse.reading() as session, pytest.raises(UnknownEditionError, match="no edition is ingested"):
        ward_timeline(session, ward)


# -- the command ----------------------------------------------------------------------------------------
@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chain) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RENKEI_SNAPSHOT_DIR", str(tmp_path / "home" / "snapshots"))
    result = runner.invoke(app, ["ingest", *(str(path) for path, _, _ in chain)])
    assert result.exit_code == 0, result.output
    return tmp_path / "home"


def test_timeline_formats(cli_home: Path, chain) -> None:  # type: ignore[no-untyped-def]
    table = runner.invoke(app, ["timeline", "--ward", "千代田"])
    assert table.exit_code == 0, table.output
    assert "千代田区: 版ごとの連携（観測）" in table.stdout and "2024-03-31" in table.stdout
    assert "申告" in table.stdout

    lines = runner.invoke(app, ["timeline", "--ward", "131016", "--format", "jsonl"]).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    editions = [r for r in rows if r["section"] == "edition"]
    assert [r["edition"] for r in editions] == list(DATES)
    assert [r["programs"] for r in editions] == [
        sum(r.ward.code == "131016" for r in records) for _, _, records in chain
    ]
    assert {r["basis"] for r in rows if r["section"] == "declared"} == {"declared"}
    assert {r["basis"] for r in rows if r["section"] != "declared"} == {"observed"}

    output = runner.invoke(app, ["timeline", "--municipality", "群馬県嬬恋村", "--format", "csv"]).stdout
    assert output.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(output.removeprefix("\ufeff")))
    csv_rows = list(reader)
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    links = [r for r in csv_rows if r["section"] == "link"]
    assert {(r["edition"], r["ward_name"]) for r in links} >= {("2026-03-31", "千代田区"), ("2026-03-31", "港区")}
    assert all(r["place_code"] == place_code("群馬県嬬恋村") for r in csv_rows)
    assert all(r["program_names"] for r in csv_rows)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--ward", "府中"], "not one of the 23 special wards"),
        (["--municipality", "府中市"], "東京都府中市、広島県府中市"),
        (["--municipality", "ナントカ村"], "not a prefecture or municipality"),
        (["--ward", "港", "--municipality", "嬬恋村"], "exactly one of"),
        ([], "exactly one of"),
    ],
)
def test_bad_names_exit_2_with_one_line(cli_home: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["timeline", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_place_that_was_never_a_partner_is_said_so(cli_home: Path) -> None:
    result = runner.invoke(app, ["timeline", "--municipality", "北海道夕張市"])
    assert result.exit_code == 0 and "どの版でも連携相手方ではありません" in result.stdout
