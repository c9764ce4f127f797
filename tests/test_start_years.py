"""Start years in every style a compiler types (issue 13): eras and their abbreviations, Western years, dates,
ranges and notes, several years per cell, and what is no year at all."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.normalise.eras import (
    ERA_READ_ON_YEARS,
    FIRST_START_YEAR,
    LAST_START_YEAR,
    display_start_text,
    era_to_year,
    parse_start_cell,
)
from renkei.parse.edition import edition_from_text, read_edition
from renkei.parse.read.xlsx import cell_text
from tests.conftest import HEADER, edition_text, place_code, row


def _years(cell: str) -> tuple[int | None, ...]:
    parsed = parse_start_cell(cell)
    assert parsed.unreadable is None, parsed
    return parsed.items


# -- one style each ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "fiscal_year"),
    [
        # today's styles, read exactly as before
        ("昭和56年度", 1981),
        ("昭和56年", 1981),
        ("平成元年度", 1989),
        ("平成元年", 1989),
        ("令和元年度", 2019),
        ("平成２７年度", 2015),  # full-width digits
        ("平成 27 年 度", 2015),
        ("平 成27年度", 2015),  # a wrap inside the era name
        ("平成2 7年度", 2015),  # a wrap inside the digits
        ("H27年度", 2015),
        ("㍻27年", 2015),  # the one-character era sign
        ("㋿2年度", 2020),
        # abbreviations
        ("S56", 1981),
        ("H27", 2015),
        ("R1", 2019),
        ("H.27", 2015),
        ("Ｈ２７", 2015),
        ("Ｈ．２７", 2015),
        ("h27", 2015),
        ("r2", 2020),
        ("R元", 2019),
        ("R元年度", 2019),
        ("H 27", 2015),
        ("平成27", 2015),  # the full name without 年
        # Western years
        ("2015", 2015),
        ("2015年", 2015),
        ("2015年度", 2015),
        ("２０１５年度", 2015),
        ("西暦2015年", 2015),
        ("2015頃", 2015),
        # dates name the fiscal year they fall in (1 April to 31 March)
        ("2015-04-01", 2015),  # an Excel date cell
        ("2016-03-31", 2015),
        ("2015-04-01 00:00:00", 2015),  # a time after the date is left as text
        ("2015/4/1", 2015),
        ("2015.4", 2015),
        ("2015年4月", 2015),
        ("2016年3月", 2015),
        ("2015年4月1日", 2015),
        ("平成27年4月", 2015),
        ("平成28年1月", 2015),
        ("平成28年3月31日", 2015),
        ("令和元年5月1日", 2019),
        ("平成31年4月", 2019),
        ("H27.4.1", 2015),
        ("H28.1", 2015),
        ("R2/4/1", 2020),
        ("平成27年度4月", 2015),  # 年度 is the fiscal year already; the month changes nothing
        # an era year past its era is read on for a while (forms printed under 平成 kept it)
        ("平成32年度", 2020),
        (f"平成{31 + ERA_READ_ON_YEARS}年度", 2019 + ERA_READ_ON_YEARS),
        ("昭和65年", 1990),
        # the limits of the accepted years
        ("1926", FIRST_START_YEAR),
        ("2100年度", LAST_START_YEAR),
        ("令和82年度", LAST_START_YEAR),
    ],
)
def test_each_style_names_its_fiscal_year(cell: str, fiscal_year: int) -> None:
    assert _years(cell) == (fiscal_year,)


def test_an_integer_and_a_date_cell_arrive_as_text_the_start_reader_reads() -> None:
    assert _years(cell_text(2015)) == (2015,)
    assert _years(cell_text(2015.0)) == (2015,)
    assert _years(cell_text(datetime(2015, 4, 1))) == (2015,)
    assert _years(cell_text(date(2016, 3, 31))) == (2015,)


def test_era_to_year_reads_abbreviations_and_reads_on_only_when_asked() -> None:
    assert era_to_year("H", 27) == era_to_year("h", "27") == era_to_year("H.", 27) == 2015
    assert era_to_year("R", "元") == 2019
    assert era_to_year("平成", 32) is None
    assert era_to_year("平成", 32, read_on=1) == 2020


# -- ranges and notes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("H27～", (2015,)),
        ("平成27年4月～", (2015,)),
        ("H27（再開）", (2015,)),
        ("H27(再開)", (2015,)),
        ("H27～R2", (2015,)),
        ("H27〜R2", (2015,)),
        ("H27 ～ R2", (2015,)),
        ("H27-R2", (2015,)),
        ("平成27年度—令和2年度", (2015,)),
        ("平成27年度から令和2年度まで", (2015,)),
        ("2015～2020", (2015,)),
        ("2015-2020", (2015,)),
        ("2015–2020", (2015,)),
        ("2015-04-01～2020-03-31", (2015,)),
        ("H27～R2～R5", (2015,)),
        ("H27～H99", (2015,)),  # the end of a range is not read, so not refused either
        ("平成20年度 頃", (2008,)),
        ("平成5年度 ※開始年度は相手方により異なる。", (1993,)),
        ("平成25年度 （大田区は平成27年度より参加）", (2013,)),
        ("H27 ※R2に再開", (2015,)),
        # several years: one per partner, a spaced dash a "none" of the list, not a range
        ("平成25年度 平成18年度 -", (2013, 2006, None)),
        ("平成25年度 - 平成25年度 - - 平成25年度", (2013, None, 2013, None, None, 2013)),
        ("平成21年度から参加 平成25年度から参加", (2009, 2013)),
        ("H27 R2", (2015, 2020)),
        ("2015 2016", (2015, 2016)),
        ("2015、2016", (2015, 2016)),
        ("2015 - 2020", (2015, None, 2020)),
        ("H27～R2 H30", (2015, 2018)),
        ("不明 2015年度", (None, 2015)),
    ],
)
def test_ranges_keep_their_first_year_and_lists_keep_every_year(cell: str, items: tuple[int | None, ...]) -> None:
    assert _years(cell) == items


def test_a_range_counts_as_one_start_for_the_partners(write_edition) -> None:
    text = edition_text(
        row("港", "観光", "交流", "区", "北海道砂川市", "交流する。", "H27～R2"),
        row("", "", "", "", "岩手県一関市", "", "2018-04-01"),
    )
    (record,) = read_edition(write_edition(text)).records
    assert record.start.fiscal_years == (2015, 2018)
    assert [p.start_fiscal_year for p in record.partners] == [2015, 2018]
    assert record.warnings == ()


def test_years_line_up_with_partners_as_before(write_edition) -> None:
    text = edition_text(
        row(
            "港",
            "観光",
            "交流",
            "区",
            "北海道砂川市 岩手県一関市 広島県三次市",
            "交流する。",
            "平成25年度 平成18年度 -",
        ),
        row("港", "観光", "別の事業", "区", "北海道砂川市 岩手県一関市 広島県三次市", "別に交流。", "H25 2006 -"),
        row("港", "観光", "三つ目", "区", "北海道砂川市 岩手県一関市", "交流する。", "H27～R2"),
    )
    first, second, third = read_edition(write_edition(text)).records
    for record in (first, second):
        assert [p.code for p in record.partners] == [
            place_code("北海道砂川市"), place_code("岩手県一関市"), place_code("広島県三次市"),
        ]  # fmt: skip
        assert [p.start_fiscal_year for p in record.partners] == [2013, 2006, None]
        assert record.start.fiscal_years == (2006, 2013)
    assert first.start.text == "平成25年度 平成18年度 -"
    assert second.start.text == "H25 2006 -"
    # one start (a range) for two partners: the entry's start year, given to none of them
    assert [p.start_fiscal_year for p in third.partners] == [None, None]
    assert third.start.fiscal_years == (2015,)


# -- unreadable cells and false positives ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "unreadable"),
    [
        ("平成0年度", "平成0年度"),
        ("令和0年", "令和0年"),
        ("H0", "H0"),
        ("H99", "H99"),
        ("平成99年度", "平成99年度"),
        (f"平成{32 + ERA_READ_ON_YEARS}年度", f"平成{32 + ERA_READ_ON_YEARS}年度"),
        ("令和83年度", "令和83年度"),  # 2101, past the accepted years
        ("平成27年13月", "平成27年13月"),
        ("2015年2月30日", "2015年2月30日"),
        ("2015-13-01", "2015-13-01"),
        ("1900年", "1900年"),
        ("2101年度", "2101年度"),
        ("平成25年度 平成0年度", "平成0年度"),
    ],
)
def test_a_year_no_calendar_has_is_reported(cell: str, unreadable: str) -> None:
    parsed = parse_start_cell(cell)
    assert parsed.unreadable == unreadable
    assert None not in parsed.years


@pytest.mark.parametrize(
    "cell",
    [
        "1234",
        "9999",
        "0120",
        "2101",
        "12345",
        "20150",
        "No.27",
        "No.2015",
        "No2015",
        "ISO2015",
        "03-2015-5678",
        "(03)2015-5678",
        "2015-5678",
        "2015,000",
        "2015番地",
        "2015人",
        "H2O",
        "R2D2",
        "第27回",
        "27年",  # a year in no era
        "各自自治体協定締結後",
        "٢٠١٥",  # digits of another script
    ],
)
def test_what_is_no_year_reads_as_none(cell: str) -> None:
    parsed = parse_start_cell(cell)
    assert parsed.items == ()
    assert parsed.unreadable is not None


def test_an_unreadable_cell_is_named_in_its_warning(write_edition) -> None:
    text = edition_text(
        row("港", "観光", "交流", "区", "北海道砂川市", "交流する。", "2015番地"),
        row("港", "観光", "別の事業", "区", "岩手県一関市", "交流する。", "H99"),
        row("港", "観光", "三つ目", "区", "広島県三次市", "交流する。", "平成27年度"),
    )
    first, second, third = read_edition(write_edition(text)).records
    assert [(w.kind, w.message) for w in first.warnings] == [
        ("unreadable_year", "start cell '2015番地' names no readable year")
    ]
    assert [(w.kind, w.message) for w in second.warnings] == [
        ("unreadable_year", "start cell 'H99' names no readable year")
    ]
    assert first.start.fiscal_years == second.start.fiscal_years == ()
    assert first.start.text == "2015番地"
    assert third.warnings == ()


def test_a_cut_era_stays_a_cut_cell_not_an_unreadable_one() -> None:
    for cell in ("令", "平成", "平 成"):
        parsed = parse_start_cell(cell)
        assert parsed.items == ()
        assert parsed.cut and parsed.unreadable is None


# -- display ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("2015 2016", "2015 2016"),
        ("h27 r2", "h27 r2"),
        ("H27 R2", "H27 R2"),
        ("平成2 8年度", "平成28年度"),
        ("平成27年度 (区事業に 変更)", "平成27年度 (区事業に変更)"),
    ],
)
def test_display_keeps_the_space_between_years(cell: str, shown: str) -> None:
    assert display_start_text(cell) == shown
    assert parse_start_cell(shown).items == parse_start_cell(cell).items


# -- properties ------------------------------------------------------------------------------------------------
start_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list(
                "0123456789０１２３４５６７８９٢٠١٥²元年度月日平成令和昭和㍻㋿SHRshrNo.,:/-‐–—―−ー～〜~ 　（）()"
                "※不明頃から番地第回ABCabc\t\n"
            )
        ),
        st.characters(),
    ),
    max_size=60,
)
huge_numbers = st.integers(min_value=0, max_value=10**40).map(str)
start_cells = st.one_of(
    start_text,
    st.tuples(start_text, huge_numbers, start_text).map("".join),
    st.tuples(
        st.sampled_from(["平成", "H", "令和", "R", "昭和", "S", ""]), huge_numbers, st.sampled_from(["年", "年度", ""])
    ).map("".join),
)


@settings(max_examples=500)
@given(start_cells)
def test_the_year_reader_never_raises_and_stays_in_the_accepted_years(text: str) -> None:
    parsed = parse_start_cell(text)
    assert all(FIRST_START_YEAR <= year <= LAST_START_YEAR for year in parsed.years)
    assert parsed.items or parsed.cut or parsed.unreadable is not None or not text.strip()


@settings(max_examples=500)
@given(start_cells)
def test_display_start_text_is_idempotent(text: str) -> None:
    shown = display_start_text(text)
    assert display_start_text(shown) == shown


@given(st.dates(min_value=date(FIRST_START_YEAR, 4, 1), max_value=date(LAST_START_YEAR + 1, 3, 31)))
def test_a_date_names_the_fiscal_year_starting_1_april(day: date) -> None:
    fiscal_year = day.year if day.month >= 4 else day.year - 1
    assert _years(day.isoformat()) == (fiscal_year,)
    assert _years(f"{day.year}年{day.month}月{day.day}日") == (fiscal_year,)


# -- the real edition ------------------------------------------------------------------------------------------
def test_a_western_start_cell_in_an_extracted_edition() -> None:
    edition = edition_from_text(
        edition_text(row("千代田", "産業", "物産展", "区", "群馬県嬬恋村", "開く。", "2015"), header=HEADER)
    )
    (record,) = edition.records
    assert record.start.text == "2015" and record.start.fiscal_years == (2015,)


def test_an_xlsx_edition_with_an_integer_and_a_date_start_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["各特別区と全国市町村等連携事業一覧"])
    sheet.append(["令和8年3月31日現在"])
    sheet.append(HEADER.split("\t"))
    sheet.append(["千代田", "産業", "物産展", "区", "群馬県嬬恋村", "開く。", 2015])
    sheet.append(["千代田", "観光", "観光展", "区", "群馬県嬬恋村", "開く。", datetime(2016, 3, 31)])
    workbook.save(tmp_path / "edition.xlsx")
    first, second = read_edition(tmp_path / "edition.xlsx").records
    assert (first.start.text, first.start.fiscal_years) == ("2015", (2015,))
    assert (second.start.text, second.start.fiscal_years) == ("2016-03-31", (2015,))
