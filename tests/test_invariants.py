"""Whole-edition invariants on the real 2026 edition."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter

from renkei.normalise.wards import all_wards
from renkei.records import Edition


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("ヶ", "ケ")


def test_all_23_wards_present(real_edition: Edition) -> None:
    assert {r.ward.code for r in real_edition.records} == {w.code for w in all_wards()}
    assert len(all_wards()) == 23


def test_every_table_line_is_in_exactly_one_entry(real_edition: Edition, real_lines: list[str]) -> None:
    data_lines = [
        number
        for number, line in enumerate(real_lines, start=1)
        if line.strip() and "\t" in line and "事業名称等" not in line
    ]
    owners = Counter(n for r in real_edition.records for n in r.provenance.lines)
    assert set(owners) == set(data_lines)
    assert [n for n, count in owners.items() if count != 1] == []


def test_seq_numbers_each_ward_from_one(real_edition: Edition) -> None:
    by_ward: dict[str, list[int]] = {}
    for record in real_edition.records:
        by_ward.setdefault(record.ward.code, []).append(record.seq)
    for seqs in by_ward.values():
        assert seqs == list(range(1, len(seqs) + 1))


def test_records_are_in_document_order(real_edition: Edition) -> None:
    firsts = [min(r.provenance.lines) for r in real_edition.records]
    # An entry opened by orphan rows from the previous page starts before the previous entry ends, but
    # never before it starts.
    assert all(a < b for a, b in itertools.pairwise(firsts))


def test_no_partner_text_is_silently_dropped(real_edition: Edition, real_lines: list[str]) -> None:
    """Each whitespace-separated token of a partner cell is in a partner, is a recognised 等, or is warned about."""
    by_line = {n: r for r in real_edition.records for n in r.provenance.lines}
    missing: list[tuple[int, str]] = []
    for number, record in by_line.items():
        cells = (real_lines[number - 1].split("\t") + [""] * 7)[:7]
        partner_cell = cells[4] if cells[0].strip() == "" or cells[2].strip() else ""
        if not cells[1].strip() and not cells[2].strip() and cells[0].strip() and not any(cells[3:]):
            partner_cell = cells[0]  # a partner that lost its left cells
        covered = "".join(_key(p.text) for p in record.partners) + "".join(_key(w.message) for w in record.warnings)
        for token in re.split(r"[\s、・,]+", partner_cell.strip()):
            if not token:
                continue
            key = _key(token)
            if key in ("等", "など") or key in covered:
                continue
            if record.ward.name.startswith(key) or _is_start_year(key):
                continue
            missing.append((number, token))
    assert missing == []


def _is_start_year(key: str) -> bool:
    return key.endswith(("年度", "年")) and key[:2] in ("昭和", "平成", "令和")


def test_a_place_appears_once_per_entry(real_edition: Edition) -> None:
    for record in real_edition.records:
        codes = [p.code for p in record.partners if p.code]
        assert len(codes) == len(set(codes)), record.name


def test_every_code_is_in_the_reference_list(real_edition: Edition) -> None:
    from renkei.normalise.places import gazetteer

    known = gazetteer().by_code
    for record in real_edition.records:
        for partner in record.partners:
            assert partner.code is None or partner.code in known
            if partner.kind == "group":
                assert partner.code is None


def test_name_key_is_nfkc_without_spaces(real_edition: Edition) -> None:
    for record in real_edition.records:
        assert record.name_key == "".join(unicodedata.normalize("NFKC", record.name).split())
        assert "  " not in record.name


def test_every_entry_has_a_name_and_a_category(real_edition: Edition) -> None:
    # A partner cell such as "東京都板橋区" alone in column 1 once passed for a ward and opened an empty entry.
    assert [r.provenance.describe() for r in real_edition.records if not r.name or not r.category] == []


def _partner_signature(edition: Edition) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(
        (r.ward.code, r.name_key, tuple(sorted(p.code or p.name for p in r.partners))) for r in edition.records
    )


def test_page_breaks_elsewhere_do_not_move_partners_between_programs(
    real_edition: Edition, real_lines: list[str]
) -> None:
    """Another edition may break its pages elsewhere: that alone must not change who a row belongs to.

    Here every page header is removed (but the first, and the one fused with a category), and a header is
    added before each program that follows a program of several rows.
    """
    from renkei.parse.edition import edition_from_text

    headers = [i for i, line in enumerate(real_lines) if "事業名称等" in line]
    keep = {headers[0]} | {i for i in headers if "産業" in real_lines[i]}
    starts_after_blocks = {
        min(r.provenance.lines) - 1
        for before, r in itertools.pairwise(real_edition.records)
        if len(before.provenance.lines) > 1 and r.ward == before.ward and not r.warnings
    }
    lines: list[str] = []
    for index, line in enumerate(real_lines):
        if index in headers and index not in keep:
            continue
        if index in starts_after_blocks:
            lines += ["", real_lines[headers[1]]]
        lines.append(line)
    moved = edition_from_text("\n".join(lines) + "\n")
    assert _partner_signature(moved) == _partner_signature(real_edition)
