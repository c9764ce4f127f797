"""Partner notes that change the partner, and former municipalities inside organisation names (issue 13, part 5).

A note such as "※令和元年度より北海道木古内町として参加" names the place that now takes part: it becomes a partner of
its own, with the note's year. A municipality merged away (宮城県志波姫町, now 栗原市) gives an organisation named
after it the code of the municipality it is part of today, from renkei/data/former_municipalities.csv.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from renkei import reference
from renkei.errors import ReferenceDataError
from renkei.normalise.partners import note_partner, read_partner_cell
from renkei.normalise.places import gazetteer, match_place
from renkei.parse.edition import edition_from_text
from renkei.records import Edition, Record
from renkei.reference import (
    FORMER_COLUMNS,
    former_municipalities_path,
    load_former_municipalities,
    load_reference,
    parse_former_municipalities,
)
from tests.conftest import REFERENCE_CSV, edition_text, place_code, row

COUNCIL = "北海道渡島地域・東京特別区交流推進協議会"
KIKONAI_NOTE = "※令和元年度より北海道木古内町として参加"


def _partners(cell: str) -> list[tuple[str, str | None, str, int | None]]:
    return [(p.name, p.code, p.kind, p.start_year(None)) for p in read_partner_cell(cell).partners]


def _problems(cell: str) -> list[str]:
    return [p.kind for p in read_partner_cell(cell).problems]


def _entry(edition: Edition, line: int) -> Record:
    (record,) = [r for r in edition.records if line in r.provenance.lines]
    return record


# -- the 木古内町 note -----------------------------------------------------------------------------------------
def test_the_kikonai_note_adds_the_town_beside_the_council_with_the_notes_year() -> None:
    text = edition_text(
        row("江戸川", "文化交流", "江戸川区民まつり", "区・実行委員会", "長野県安曇野市", "物産展。", "昭和53年度"),
        row("", "", "", "", f"{COUNCIL} {KIKONAI_NOTE}", "", "平成28年度"),
        row("", "", "", "", "岡山県浅口市", "", "令和元年度"),
    )  # fmt: skip
    (record,) = edition_from_text(text).records
    assert [(p.name, p.code, p.kind, p.start_fiscal_year) for p in record.partners] == [
        ("長野県安曇野市", place_code("長野県安曇野市"), "municipality", 1978),
        (COUNCIL, place_code("北海道"), "organisation", 2016),  # the council keeps its own row's year
        ("北海道木古内町", place_code("北海道木古内町"), "municipality", 2019),  # 令和元年度, from the note
        ("岡山県浅口市", place_code("岡山県浅口市"), "municipality", 2019),
    ]
    council, kikonai = record.partners[1:3]
    assert council.text == f"{COUNCIL} {KIKONAI_NOTE}"  # the note stays where it was printed
    assert kikonai.text == "北海道木古内町" and kikonai.correction is None
    (warning,) = [w for w in record.warnings if w.kind == "partner_from_note"]
    assert KIKONAI_NOTE in warning.message and "北海道木古内町" in warning.message and "2019" in warning.message
    assert warning.provenance.lines == (7,)  # the council's row: title, blank, as-of, blank, header, row 1, row 2


def test_a_note_partner_takes_the_notes_year_not_the_cells() -> None:
    # one partner, one year in the row: the year is the program's start, and the note's own year still wins
    text = edition_text(row("江戸川", "文化交流", "交流事業", "区", f"{COUNCIL} {KIKONAI_NOTE}", "交流", "平成28年度"))
    (record,) = edition_from_text(text).records
    assert [(p.name, p.start_fiscal_year) for p in record.partners] == [(COUNCIL, None), ("北海道木古内町", 2019)]
    assert record.start.fiscal_years == (2016,)


def test_the_kikonai_note_in_the_real_edition(real_edition: Edition, real_lines: list[str]) -> None:
    assert KIKONAI_NOTE in real_lines[1819 - 1]
    record = _entry(real_edition, 1819)
    assert (record.ward.name, record.name) == ("江戸川区", "江戸川区民まつり")
    names = [p.name for p in record.partners]
    assert names[names.index(COUNCIL) + 1] == "北海道木古内町"  # right after the council it was noted on
    (kikonai,) = [p for p in record.partners if p.code == place_code("北海道木古内町")]
    assert (kikonai.kind, kikonai.start_fiscal_year) == ("municipality", 2019)
    assert len(record.partners) == 15  # 14 listed places and the council's note
    # the only partner note of the edition, and the only partner any note adds
    notes = [r.ward.name for r in real_edition.records for w in r.warnings if w.kind == "partner_from_note"]
    assert notes == ["江戸川区"]


# -- other note shapes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "added", "year"),
    [
        ("X協議会 ※令和2年度から山形県遊佐町が参加", "山形県遊佐町", 2020),
        ("X協議会 ※山形県遊佐町は令和2年度から参加", "山形県遊佐町", 2020),
        ("X協議会 ※令和2年度より山形県遊佐町も加盟。", "山形県遊佐町", 2020),
        ("X協議会 ※R1より木古内町として参加", "北海道木古内町", 2019),  # a unique bare name, an abbreviated era
        ("X協議会 ※2019年度から北海道木古 内町として参加", "北海道木古内町", 2019),  # Western year, wrapped name
        ("X協議会 ※北海道木古内町として参加", "北海道木古内町", None),  # no year: the partner, no start year
        ("北海道X協議会（令和元年度～ 北海道木古内町）", "北海道木古内町", 2019),  # "(year～ place)", nothing else
        ("北海道X協議会（令和元年度から、北海道木古内町と連携）", "北海道木古内町", 2019),
        ("X協議会 ※令和元年度より北海道として参加", "北海道", 2019),  # a prefecture is a place too
    ],
)
def test_notes_that_name_the_place_taking_part(cell: str, added: str, year: int | None) -> None:
    partners = _partners(cell)
    assert len(partners) == 2 and "X協議会" in partners[0][0]
    kind = "prefecture" if added == "北海道" else "municipality"
    assert partners[1] == (added, place_code(added), kind, year)
    assert "partner_from_note" in _problems(cell)


def test_a_note_in_the_middle_of_a_list_and_a_misprint_in_the_note() -> None:
    cell = f"{COUNCIL} ※令和元年度より北海道木古内 村として参加 岡山県浅口市 千葉県匝瑳市"
    assert [name for name, *_ in _partners(cell)] == [COUNCIL, "北海道木古内町", "岡山県浅口市", "千葉県匝瑳市"]
    (kikonai,) = [p for p in read_partner_cell(cell).partners if p.from_note]
    assert (kikonai.text, kikonai.correction) == ("北海道木古内村", "木古内村→木古内町")  # the usual misprint rule
    assert sorted(_problems(cell)) == ["correction_applied", "partner_from_note"]


@pytest.mark.parametrize(
    "cell",
    [
        "X協議会 ※開始年度は相手方により異なる。",  # about the program, not a partner (2026 start cells)
        "X協議会 ※連携相手方は、年度により異なる。",
        "X協議会 ※令和元年度より区民も参加",  # a note in the shape, but no place
        "X協議会（令和元年度～ 休止）",
        "X協議会（H27～R2）",
        "X協議会（令和元年度～ 木古内町観光協会）",  # "(year～ …)" is read only when the rest is one place
        "美郷町立千畑小学校 （秋田県仙北郡美郷 町）",  # a place in brackets is where an organisation is, no note
    ],
)
def test_notes_that_name_no_partner_add_nothing_and_say_nothing(cell: str) -> None:
    assert len(read_partner_cell(cell).partners) == 1
    assert "partner_from_note" not in _problems(cell)
    assert not any("the note" in p.message for p in read_partner_cell(cell).problems)


def test_a_note_about_the_partner_it_follows_adds_nothing() -> None:
    # 2026 edition, 新宿区: the note repeats the partner's own name
    cell = "群馬県沼田市（平成30年度から、群馬県沼田市と連携）"
    assert _partners(cell) == [("群馬県沼田市", place_code("群馬県沼田市"), "municipality", None)]
    assert _problems(cell) == []
    # a place both noted and listed in the cell is listed once, as listed
    listed = _partners(f"X協議会 {KIKONAI_NOTE} 北海道木古内町")
    assert [name for name, *_ in listed] == ["X協議会", "北海道木古内町"] and listed[1][3] is None


@pytest.mark.parametrize(
    ("cell", "kind", "evidence"),
    [
        ("X協議会 ※令和元年度より府中市として参加", "ambiguous_partner", "東京都府中市、広島県府中市"),
        ("X協議会（令和元年度～ 府中市）", "ambiguous_partner", "東京都府中市、広島県府中市"),
        ("X協議会 ※令和元年度より栲原町として参加", "unresolved_partner", "栲原町: not a known municipality"),
        ("X協議会 ※令和元年度より木古内町観光協会として参加", "unresolved_partner", "not one known place"),
        ("X協議会 ※令和元年度より木古内町・知内町として参加", "unresolved_partner", "not one known place"),
        ("X協議会 ※令和元年度より宮城県志波姫町として参加", "unresolved_partner", "merged into 宮城県栗原市"),
    ],
)
def test_a_note_whose_place_does_not_resolve_is_not_read_and_says_why(cell: str, kind: str, evidence: str) -> None:
    cell_partners = read_partner_cell(cell)
    assert len(cell_partners.partners) == 1  # the noted partner only: never a guess
    (problem,) = cell_partners.problems
    assert problem.kind == kind and evidence in problem.message and problem.message.endswith("not read")


def test_a_note_with_an_unreadable_year_gives_the_partner_without_a_year() -> None:
    cell = "X協議会 ※平成99年度より北海道木古内町として参加"
    assert _partners(cell)[1] == ("北海道木古内町", place_code("北海道木古内町"), "municipality", None)
    assert sorted(_problems(cell)) == ["partner_from_note", "unreadable_year"]


def test_note_partner_alone() -> None:
    partner, problems = note_partner(KIKONAI_NOTE)
    assert partner is not None
    assert (partner.name, partner.noted_year, partner.from_note) == ("北海道木古内町", 2019, True)
    assert [p.kind for p in problems] == ["partner_from_note"]
    assert note_partner("※令和2、3、4年度はオンライン授業") == (None, [])


# -- former municipalities ----------------------------------------------------------------------------------------
def test_shiwahime_belongs_to_kurihara(real_edition: Edition) -> None:
    assert _partners("宮城県志波姫物産振興協会") == [
        ("宮城県志波姫物産振興協会", place_code("宮城県栗原市"), "organisation", None)  # name kept as printed
    ]
    assert _problems("宮城県志波姫物産振興協会") == []
    record = _entry(real_edition, 1861)  # 江戸川区: 葛西「四季の道」・新田地域ふれあいフェスティバル
    assert [(p.name, p.code, p.kind) for p in record.partners] == [
        ("山形県鶴岡市", place_code("山形県鶴岡市"), "municipality"),
        ("宮城県志波姫物産振興協会", place_code("宮城県栗原市"), "organisation"),
    ]


@pytest.mark.parametrize(
    ("cell", "current"),
    [
        ("宮城県志波姫町観光協会", "宮城県栗原市"),  # the full former name
        ("宮城県栗原郡志波姫町商工会", "宮城県栗原市"),  # with its old 郡
        ("宮城県登米町観光協会", "宮城県登米市"),  # one edit from 登米市, but a former town is no misprint
        ("新潟県山古志村観光協会", "新潟県長岡市"),
        ("長野県穂高町商工会", "長野県安曇野市"),
        ("岩手県花泉町商工会", "岩手県一関市"),
        ("物産振興協会（宮城県志波姫町）", "宮城県栗原市"),  # alone in brackets, with its prefecture
        ("物産振興協会（旧宮城県志波姫町）", "宮城県栗原市"),
    ],
)
def test_organisations_named_after_a_former_municipality(cell: str, current: str) -> None:
    ((name, code, kind, _),) = _partners(cell)
    assert (code, kind) == (place_code(current), "organisation")
    assert name.replace(" ", "") == cell  # the name is never rewritten
    assert _problems(cell) == []


def test_a_former_municipality_alone_is_not_renamed_into_its_successor() -> None:
    for cell in ("宮城県志波姫町", "宮城県栗原郡志波姫町"):
        assert _partners(cell) == [(cell, None, "unknown", None)]
        (problem,) = read_partner_cell(cell).problems
        assert problem.kind == "unresolved_partner"
        assert "宮城県志波姫町 is a former municipality, merged into 宮城県栗原市 on 2005-04-01" in problem.message
    # without its prefecture a former name is not looked up (the table is no list of every former name), but the
    # warning names what the table knows
    (problem,) = read_partner_cell("志波姫町観光協会").problems
    assert read_partner_cell("志波姫町観光協会").partners[0].code is None
    assert "merged into 宮城県栗原市" in problem.message


def test_short_forms_only_where_the_table_allows_them() -> None:
    # 志波姫 (no 町) is listed for 志波姫町; 登米 is not listed for 登米町, so "宮城県登米物産協会" is the
    # prefecture's organisation as before, not guessed
    assert _partners("宮城県登米物産協会")[0][1] == place_code("宮城県")
    assert match_place("宮城県志波姫").former is None  # a short form alone names nothing


@pytest.mark.parametrize(
    ("cell", "place"),
    [
        ("宮城県栗原市", "宮城県栗原市"),
        ("宮城県栗原市（旧志波姫町）", "宮城県栗原市"),  # a former name in brackets after a current one: ignored
        ("山形県河北町", "山形県河北町"),  # a current town; 宮城県河北町 is a former one (now 石巻市)
        ("福島県三島町", "福島県三島町"),  # current; 新潟県三島町 merged into 長岡市
        ("新潟県長岡市", "新潟県長岡市"),
    ],
)
def test_a_current_name_is_never_rewritten(cell: str, place: str) -> None:
    assert _partners(cell) == [(place, place_code(place), "municipality", None)]


def test_no_former_name_is_a_current_municipality_of_its_prefecture() -> None:
    current = {p.name for p in load_reference()}
    for row_ in load_former_municipalities():
        assert row_.prefecture + row_.name not in current
        # wherever the name is a current municipality (another prefecture), that municipality is what it reads as
        for place in gazetteer().cities_named.get(row_.name, []):
            match = match_place(place.name)
            assert match is not None and match.places == (place,) and match.former is None


def test_the_real_editions_former_names(real_edition: Edition) -> None:
    """Only 宮城県志波姫物産振興協会 names a former municipality in 2026; the partners left without a code name none."""
    former = [p.name for r in real_edition.records for p in r.partners if (m := match_place(p.name)) and m.former]
    assert former == ["宮城県志波姫物産振興協会"]


# -- the table and its validation ---------------------------------------------------------------------------------
def test_every_rows_current_code_is_in_the_reference_list() -> None:
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        names = {r["code"]: r["prefecture"] + r["city"] for r in csv.DictReader(handle) if r["city"]}
    with former_municipalities_path().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and tuple(rows[0]) == FORMER_COLUMNS
    for r in rows:
        assert names.get(r["current_code"]) == r["current"], r
        assert date.fromisoformat(r["merged"]) <= date(2026, 3, 31) and r["source"], r
    assert {(r["prefecture"], r["former"], r["current"]) for r in rows} >= {("宮城県", "志波姫町", "宮城県栗原市")}


def _table(*rows: str) -> str:
    return ",".join(FORMER_COLUMNS) + "\n" + "".join(f"{r}\n" for r in rows)


GOOD = "宮城県,志波姫町,志波姫,042137,宮城県栗原市,2005-04-01,栗原市"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("宮城県,志波姫町,,999999,宮城県栗原市,2005-04-01,x", "line 3: current_code '999999' (宮城県栗原市) is not a"),
        ("宮城県,志波姫町,,040002,宮城県,2005-04-01,x", "line 3: current_code '040002' (宮城県) is not a"),
        ("宮城県,志波姫町,,042129,宮城県栗原市,2005-04-01,x", "line 3: current_code 042129 is 宮城県登米市"),
        ("宮城県,栗原市,,042137,宮城県栗原市,2005-04-01,x", "line 3: 宮城県栗原市 is a current municipality"),
        ("宮城県,志波姫,,042137,宮城県栗原市,2005-04-01,x", "line 3: former name '志波姫' does not end in"),
        ("宮城縣,志波姫町,,042137,宮城県栗原市,2005-04-01,x", "line 3: '宮城縣' is not a prefecture"),
        ("宮城県,志波姫町,,042137,宮城県栗原市,平成17年4月1日,x", "line 3: merged '平成17年4月1日' is not a date"),
        ("宮城県,志波姫町,,042137,宮城県栗原市,2005-04-01,", "line 3: no source"),
        ("宮城県,築館町,栗原,042137,宮城県栗原市,2005-04-01,x", "line 3: short_name '栗原' must begin 築館町"),
        ("宮城県,登米町,登米,042137,宮城県栗原市,2005-04-01,x", "(it begins 登米市)"),
        (GOOD, "line 3: 宮城県志波姫町 is listed twice"),
    ],
)
def test_the_table_validation_names_the_row(line: str, message: str) -> None:
    with pytest.raises(ReferenceDataError, match=re.escape(message)):
        parse_former_municipalities(_table(GOOD, line), "new.csv", load_reference())


def test_the_table_validation_checks_the_columns() -> None:
    with pytest.raises(ReferenceDataError, match=r"new\.csv: expected columns prefecture,former,short_name"):
        parse_former_municipalities("prefecture,former\n", "new.csv", load_reference())
    (parsed,) = parse_former_municipalities(_table(GOOD), "new.csv", load_reference())
    assert (parsed.name, parsed.short_name, parsed.current.code, parsed.merged) == (
        "志波姫町", "志波姫", "042137", date(2005, 4, 1),
    )  # fmt: skip


def test_refreshing_the_table_validates_then_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "former_municipalities.csv"
    copy.write_bytes(former_municipalities_path().read_bytes())
    monkeypatch.setattr(reference, "former_municipalities_path", lambda: copy)  # never rewrite the package data
    load_former_municipalities.cache_clear()
    try:
        bad = tmp_path / "bad.csv"
        bad.write_text(_table("宮城県,志波姫町,,999999,宮城県栗原市,2005-04-01,x"), encoding="utf-8")
        before = copy.read_bytes()
        with pytest.raises(ReferenceDataError, match=r"bad\.csv: line 2: current_code '999999'"):
            reference.refresh_former_municipalities(bad)
        assert copy.read_bytes() == before
        good = tmp_path / "good.csv"
        good.write_text(_table(GOOD), encoding="utf-8")
        assert reference.refresh_former_municipalities(good) == 1
        assert copy.read_text(encoding="utf-8") == _table(GOOD)
        assert len(load_former_municipalities()) == 1
    finally:
        load_former_municipalities.cache_clear()


def test_a_municipality_list_without_a_tables_current_code_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = reference.reference_path()
    copy = tmp_path / "municipalities.csv"
    copy.write_bytes(bundled.read_bytes())
    monkeypatch.setattr(reference, "reference_path", lambda: copy)  # never rewrite the package data
    lines = copy.read_text(encoding="utf-8").splitlines()
    new_list = tmp_path / "new.csv"
    new_list.write_text("\n".join(line for line in lines if ",宮城県,栗原市," not in line) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"former_municipalities.csv: line \d+: current_code '042137'"):
        reference.refresh_reference(new_list)
    assert copy.read_bytes() == bundled.read_bytes()
    reference.load_reference.cache_clear()


def test_the_reference_fingerprint_covers_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = reference.reference_fingerprint()
    copy = tmp_path / "former_municipalities.csv"
    copy.write_text(_table(GOOD), encoding="utf-8")
    monkeypatch.setattr(reference, "former_municipalities_path", lambda: copy)
    assert reference.reference_fingerprint() != before
