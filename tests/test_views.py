"""The analysts' SQL views: the README's example queries, run as written on SQLite and PostgreSQL, against
answers computed here from the parsed editions and the generator's recorded changes."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise

import pytest
from sqlalchemy import inspect, text

from db.ingest import ingest_file
from db.session import Database
from renkei.normalise.text import text_key
from renkei.records import Record
from renkei.store import SnapshotStore
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
DATES = ("2024-03-31", "2025-03-31", "2026-03-31")
VIEWS = {
    "v_partnership",
    "v_program_history",
    "v_ward_municipality_timeline",
    "v_program_category",
    "v_change_event",
    "v_ward_prefecture",
}


def _readme_queries() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## SQL views", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture
def loaded(warehouse: Database, store: SnapshotStore, three_editions) -> Database:  # type: ignore[no-untyped-def]
    for path, _, _ in three_editions:
        ingest_file(warehouse, path, store)
    return warehouse


def _run(db: Database, query: str) -> list[tuple]:  # type: ignore[type-arg]
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def _plain(value):  # type: ignore[no-untyped-def]
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_the_readme_has_six_queries() -> None:
    queries = _readme_queries()
    assert len(queries) == 6
    assert all(any(view in q for view in VIEWS) for q in queries)


def test_views_exist_after_migration(warehouse: Database) -> None:
    assert set(inspect(warehouse.engine).get_view_names()) >= VIEWS


def test_partners_of_a_municipality_in_the_newest_edition(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    newest: tuple[Record, ...] = three_editions[-1][2]
    expected = []
    for record in sorted(newest, key=lambda r: (r.ward.code, r.seq)):
        for partner in record.partners:
            if partner.name == "群馬県嬬恋村":
                start = partner.start_fiscal_year or min(record.start.fiscal_years, default=None)
                expected.append((record.ward.name, record.name, start))
    assert len(expected) >= 2
    assert _run(loaded, _readme_queries()[0]) == expected


def test_renamed_programs_and_their_names(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    rows = _run(loaded, _readme_queries()[1])
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)  # program → (valid_from, name) in version order
    for _ward, program_id, version_no, valid_from, _last_seen, name in rows:
        assert version_no == len(names[program_id]) + 1
        names[program_id].append((_plain(valid_from), name))
    observed = set()
    for versions in names.values():
        keys = [text_key(name) for _, name in versions]
        observed |= {(a, b) for a, b in pairwise(keys) if a != b}
    truths = [key for _, truth, _ in three_editions[:2] for key in truth.expected()]
    expected = {(key[5], key[2]) for key in truths if key[0] == "program_renamed"}
    assert expected and observed == expected


def test_partner_places_per_ward_and_edition(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, set[str]] = defaultdict(set)
    expected = []
    per_edition = []
    for as_of, (_, _, records) in zip(DATES, three_editions, strict=True):
        places: dict[tuple[str, str], set[str]] = defaultdict(set)
        for record in records:
            places[(record.ward.code, record.ward.name)] |= {p.code for p in record.partners if p.code}
        per_edition.append((as_of, places))
    for ward_code, ward_name in sorted({ward for _, places in per_edition for ward in places}):
        for as_of, places in per_edition:
            codes = places.get((ward_code, ward_name), set())
            if codes:
                expected.append((as_of, ward_name, len(codes), len(codes - seen[ward_code])))
                seen[ward_code] |= codes
    rows = [(_plain(e), w, int(n), int(new)) for e, w, n, new in _run(loaded, _readme_queries()[2])]
    assert rows == expected
    assert any(new for as_of, _, _, new in rows if as_of != DATES[0])  # the changes linked new places


def test_programs_per_category_tag_in_the_newest_edition(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    """README query 4: programs per category tag, counted from the parsed records' tags."""
    newest: tuple[Record, ...] = three_editions[-1][2]
    counts: dict[str, int] = defaultdict(int)
    for record in newest:
        for tag in record.category_tags:
            counts[tag] += 1
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    assert _run(loaded, _readme_queries()[3]) == expected


def test_change_events_per_ward_and_kind(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    """README query 5: events per edition pair, ward and kind, counted from the generator's recorded changes."""
    names = {r.ward.code: r.ward.name for _, _, records in three_editions for r in records}
    counts: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for (before, after), (_, truth, _) in zip(pairwise(DATES), three_editions[:2], strict=True):
        for kind, ward, *_ in truth.expected():
            counts[(before, after, ward, names[ward], kind)] += 1
    ordered = sorted(counts.items(), key=lambda item: (item[0][1], item[0][2], item[0][4]))
    expected = [(before, after, ward_name, kind, n) for (before, after, _, ward_name, kind), n in ordered]
    rows = [(_plain(a), _plain(b), w, k, int(n)) for a, b, w, k, n in _run(loaded, _readme_queries()[4])]
    assert rows == expected
    assert {kind for *_, kind, _ in expected} >= {"program_added", "program_removed", "program_renamed"}


def test_change_event_view_has_ward_program_and_values(loaded: Database) -> None:
    rows = _run(
        loaded,
        "SELECT ward_name, from_edition, to_edition, kind, program_name, field, old, new FROM v_change_event",
    )
    assert rows and all(ward for ward, *_ in rows)
    assert all(program for _, _, _, kind, program, *_ in rows if not kind.startswith("municipality_"))
    assert all(_plain(a) < _plain(b) for _, a, b, *_ in rows)
    changed = [row for row in rows if row[3] == "program_changed"]
    assert changed and all(row[5] and (row[6] is not None or row[7] is not None) for row in changed)


def test_wards_partnering_with_a_prefecture(loaded: Database, three_editions) -> None:  # type: ignore[no-untyped-def]
    """README query 6: per ward, the places of 群馬県 (the prefecture itself included) and the programs listing
    them in the newest edition, from the parsed records."""
    newest: tuple[Record, ...] = three_editions[-1][2]
    places: dict[tuple[str, str], set[str]] = defaultdict(set)
    programs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for record in newest:
        for partner in record.partners:
            if partner.code and partner.code.startswith("10"):  # 群馬県 is 100005, its places 10xxxx
                places[(record.ward.code, record.ward.name)].add(partner.code)
                programs[(record.ward.code, record.ward.name)].add(record.seq)
    expected = sorted(
        ((ward, len(places[ward]), len(programs[ward])) for ward in places),
        key=lambda item: (-item[1], -item[2], item[0][0]),
    )
    assert len(expected) >= 3
    assert [tuple(int(v) if i else v for i, v in enumerate(row)) for row in _run(loaded, _readme_queries()[5])] == [
        (ward_name, n, p) for (_, ward_name), n, p in expected
    ]
