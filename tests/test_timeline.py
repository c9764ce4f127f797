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
from db.timeline import municipality_timeline, pair_timeline, prefecture_timeline, ward_timeline
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
    expected: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for code, records in newest.items():
        for record in records:
            if record.ward.code != ward.code:
                continue
            for partner in record.partners:
                if partner.code == code:
                    if partner.start_fiscal_year is not None:
                        expected[(partner.start_fiscal_year, "partner", record.name)].add(code)
                    elif record.start.fiscal_years:
                        expected[(min(record.start.fiscal_years), "program", record.name)].add(code)
    with loaded.reading() as session:
        timeline = ward_timeline(session, ward)
    observed = {(y.fiscal_year, y.basis, y.program): {p.code for p in y.places} for y in timeline.declared}
    assert observed == dict(expected)
    assert min(year for year, _, _ in expected) < 2000  # the declared history reaches far before the observed editions


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


def _csv_rows(output: str) -> list[dict[str, str]]:
    """CSV rows keyed by CSV_COLUMNS, by position (the header line may be Japanese or the keys)."""
    header, *rows = csv.reader(io.StringIO(output.removeprefix("\ufeff")))
    assert len(header) == len(CSV_COLUMNS)
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows]


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
    declared_rows = [r for r in rows if r["section"] == "declared"]
    assert {r["basis"] for r in declared_rows} == {"partner", "program"}  # 千代田区 has both kinds of year
    assert all(r["program"] and r["program_names"] == [r["program"]] for r in declared_rows)
    assert {r["basis"] for r in rows if r["section"] != "declared"} == {"observed"}

    output = runner.invoke(app, ["timeline", "--municipality", "群馬県嬬恋村", "--format", "csv"]).stdout
    assert output.startswith("\ufeff")
    csv_rows = _csv_rows(output)
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
        (["--ward", "港ku"], "'港ku' is not one of the 23 special wards; did you mean 港区?"),
        (["--municipality", "嬬恋町"], "did you mean 群馬県嬬恋村?"),
        (["--prefecture", "群馬", "--ward", "港"], "give --prefecture alone"),
        (["--prefecture", "グンマ県"], "not one of the 47 prefectures"),
        ([], "give --ward, --municipality, both"),
    ],
)
def test_bad_names_exit_2_with_one_line(cli_home: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["timeline", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_place_that_was_never_a_partner_is_said_so(cli_home: Path) -> None:
    result = runner.invoke(app, ["timeline", "--municipality", "北海道夕張市"])
    assert result.exit_code == 0 and "どの版でも連携相手方ではありません" in result.stdout


# -- a ward × place pair, a prefecture, and whose start year it is ------------------------------------------------
def _declared_starts(records: tuple[Record, ...], ward: str, code: str) -> set[tuple[int, str, str]]:
    """(year, basis, program) for every program of `ward` listing the place `code`, read from the records."""
    found = set()
    for record in records:
        if record.ward.code != ward:
            continue
        for partner in record.partners:
            if partner.code != code:
                continue
            if partner.start_fiscal_year is not None:
                found.add((partner.start_fiscal_year, "partner", record.name))
            elif record.start.fiscal_years:
                found.add((min(record.start.fiscal_years), "program", record.name))
    return found


def _observed(chain, ward: str, code: str) -> list[tuple[str, set[str]]]:  # type: ignore[no-untyped-def]
    return [
        (as_of, names)
        for as_of, (_, _, records) in zip(DATES, chain, strict=True)
        if (names := _partnerships(records, ward).get(code))
    ]


def _mixed_pair(records: tuple[Record, ...]) -> tuple[str, str]:
    """The first (ward, place) of the edition whose earliest declared year is a program's year given to every
    partner while a year of the partner's own is declared in another program (as 世田谷区 × 群馬県川場村)."""
    pairs = dict.fromkeys((r.ward.code, p.code) for r in records for p in r.partners if p.code)
    for ward, code in pairs:
        starts = _declared_starts(records, ward, code)
        partner_years = [y for y, basis, _ in starts if basis == "partner"]
        program_years = [y for y, basis, _ in starts if basis == "program"]
        if partner_years and program_years and min(program_years) < min(partner_years):
            return ward, code
    raise AssertionError("no pair with both kinds of declared year")


def test_pair_timeline_says_whose_each_start_year_is(loaded: Database, chain) -> None:  # type: ignore[no-untyped-def]
    newest = chain[-1][2]
    ward_code, code = _mixed_pair(newest)
    ward = ward_from_cell(ward_code)
    assert ward is not None
    with loaded.reading() as session:
        pair = pair_timeline(session, ward, code)
    assert [(link.edition, set(link.programs)) for link in pair.links] == _observed(chain, ward_code, code)
    declared = {(d.fiscal_year, d.basis, d.program) for d in pair.declared}
    assert declared == _declared_starts(newest, ward_code, code)
    first = pair.declared[0]
    assert first.basis == "program" and first.fiscal_year == min(y for y, _, _ in declared)
    # the example of the brief, read from the 2026 source by hand: a festival's 1978 and the 1981 agreement
    setagaya = ward_from_cell("世田谷")
    assert setagaya is not None
    with loaded.reading() as session:
        kawaba = pair_timeline(session, setagaya, place_code("群馬県川場村"))
    starts = {(d.fiscal_year, d.basis, d.program) for d in kawaba.declared}
    assert (1978, "program", "せたがやふるさと区民まつり") in starts
    assert (1981, "program", "川場村との縁組協定") in starts
    assert kawaba.declared[0].fiscal_year == 1978


def test_a_pair_that_never_partnered_is_empty(loaded: Database) -> None:
    ward = ward_from_cell("千代田")
    assert ward is not None
    with loaded.reading() as session:
        pair = pair_timeline(session, ward, place_code("北海道夕張市"))
    assert pair.links == [] and pair.declared == []


@pytest.mark.parametrize("name", ["群馬県", "高知県"])  # 高知県 is itself a partner of 15 programs in 2026
def test_prefecture_rolls_up_every_place_and_ward(loaded: Database, chain, name: str) -> None:  # type: ignore[no-untyped-def]
    prefecture = place_code(name)
    with loaded.reading() as session:
        timeline = prefecture_timeline(session, prefecture)
    assert timeline.prefecture.name == name
    pairs = set()
    for _, _, records in chain:
        for record in records:
            for partner in record.partners:
                if partner.code and partner.code[:2] == prefecture[:2]:
                    pairs.add((partner.code, record.ward.code))
    assert [(p.place.code, p.ward.code) for p in timeline.pairs] == sorted(pairs)
    assert len({ward for _, ward in pairs}) >= 2
    if name == "高知県":  # the prefecture as a partner is one of its own places
        assert prefecture in {code for code, _ in pairs}
    newest = chain[-1][2]
    for pair in timeline.pairs:
        assert [(link.edition, set(link.programs)) for link in pair.links] == _observed(
            chain, pair.ward.code, pair.place.code
        )
        if pair.links[-1].edition == DATES[-1]:
            assert {(d.fiscal_year, d.basis, d.program) for d in pair.declared} == _declared_starts(
                newest, pair.ward.code, pair.place.code
            )


def test_timeline_pair_and_prefecture_commands(cli_home: Path, chain) -> None:  # type: ignore[no-untyped-def]
    kawaba = place_code("群馬県川場村")
    lines = runner.invoke(
        app, ["timeline", "--ward", "せたがや", "--municipality", "川場村", "--format", "jsonl"]
    ).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert {r["section"] for r in rows} == {"link", "declared"}
    assert all(r["ward"]["name"] == "世田谷区" and r["place"]["code"] == kawaba for r in rows)
    declared = {(r["fiscal_year"], r["basis"], r["program"]) for r in rows if r["section"] == "declared"}
    assert declared == _declared_starts(chain[-1][2], "131121", kawaba)

    table = runner.invoke(app, ["timeline", "--ward", "世田谷区", "--municipality", "群馬県川場村"])
    assert table.exit_code == 0, table.output
    assert "世田谷区 × 群馬県川場村" in table.stdout and "事業の開始年度" in table.stdout

    for spelling in ("群馬県", "群馬", "100005"):
        output = runner.invoke(app, ["timeline", "--prefecture", spelling, "--format", "csv"])
        assert output.exit_code == 0, output.output
        csv_rows = _csv_rows(output.stdout)
        assert {r["place_code"][:2] for r in csv_rows} == {"10"}
        assert {r["basis"] for r in csv_rows} == {"observed", "partner", "program"}
        assert all(r["program"] for r in csv_rows if r["section"] == "declared")
    table = runner.invoke(app, ["timeline", "--prefecture", "群馬"])
    assert table.exit_code == 0 and "群馬県（100005）の自治体と区の連携" in table.stdout
