"""The as-of date of an edition: read from its title, refused when the calendar has no such day or when it lies
in the future (beyond today in Tokyo plus a tolerance)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.errors import EditionReadError, SettingsError
from renkei.normalise.eras import find_as_of, parse_as_of
from renkei.parse import table
from renkei.parse.edition import edition_from_text
from renkei.parse.read.text import text_to_rows
from renkei.parse.source import SourceTable
from renkei.parse.table import classify_rows
from renkei.records import Edition
from tests.conftest import edition_text, row

ROW = row("千代田", "産業", "物産展", "区", "群馬県嬬恋村", "物産展を開く。", "令和元年度")
TODAY = date(2026, 12, 3)


def _as_of(printed: str, today: date = TODAY) -> date:
    source = SourceTable("x.txt", "text", text_to_rows(edition_text(ROW, as_of=printed)))
    return classify_rows(source, today=today).as_of


def _refusal(printed: str, today: date = TODAY) -> str:
    with pytest.raises(EditionReadError) as caught:
        _as_of(printed, today)
    return str(caught.value)


# -- dates that are no date ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed",
    ["令和8年2月30日現在", "令和8年4月31日現在", "令和8年13月1日現在", "令和8年0月1日現在", "令和0年3月31日現在",
     "令和7年2月29日現在", "2026年2月30日現在", "令和８年２月３０日現在"],
)  # fmt: skip
def test_a_day_the_calendar_lacks_is_refused_naming_it(printed: str) -> None:
    shown = printed.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    assert _refusal(printed) == f"x.txt: as-of date {shown} is not a date"


def test_a_leap_day_is_a_date() -> None:
    assert _as_of("令和6年2月29日現在") == date(2024, 2, 29)


# -- eras ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "day"),
    [
        ("令和8年3月31日現在", date(2026, 3, 31)),
        ("令和８年３月３１日現在", date(2026, 3, 31)),
        ("令和 8年 3月31日 現在", date(2026, 3, 31)),
        ("令和元年5月1日現在", date(2019, 5, 1)),  # the first day of 令和
        ("平成31年4月30日現在", date(2019, 4, 30)),  # the last day of 平成
        ("平成元年1月8日現在", date(1989, 1, 8)),
        ("2025年3月31日現在", date(2025, 3, 31)),
        # An era year past the era's end is read on: forms printed under 平成 kept 平成3x for years.
        ("平成32年3月31日現在", date(2020, 3, 31)),
        # 令和元年度 began on 2019-04-01, under 平成; documents of that fiscal year write it so.
        ("令和元年4月1日現在", date(2019, 4, 1)),
    ],
)
def test_era_dates(printed: str, day: date) -> None:
    assert _as_of(printed) == day
    assert parse_as_of(printed) == day


def test_find_as_of_keeps_the_date_as_printed() -> None:
    found = find_as_of("各特別区と全国市町村等連携事業一覧（令和８年３月３１日現在）")
    assert found is not None and (found.printed, found.day) == ("令和8年3月31日現在", date(2026, 3, 31))
    assert find_as_of("各特別区と全国市町村等連携事業一覧") is None
    assert parse_as_of("令和8年2月30日現在") is None


# -- the future ---------------------------------------------------------------------------------------------
def test_a_future_date_is_refused_naming_it_and_today() -> None:
    assert _refusal("令和20年3月31日現在") == (
        "x.txt: as-of date 令和20年3月31日現在 (2038-03-31) is in the future "
        "(today 2026-12-03 in Tokyo, tolerance 31 days, set by RENKEI_AS_OF_TOLERANCE_DAYS)"
    )


def test_the_tolerance_boundary() -> None:
    as_of = date(2026, 3, 31)
    assert _as_of("令和8年3月31日現在", today=as_of - timedelta(days=31)) == as_of
    assert "is in the future" in _refusal("令和8年3月31日現在", today=as_of - timedelta(days=32))
    assert _as_of("令和8年3月31日現在", today=as_of) == as_of
    assert _as_of("令和8年3月31日現在", today=as_of + timedelta(days=400)) == as_of  # the past is never refused


def test_the_tolerance_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_AS_OF_TOLERANCE_DAYS", "0")
    assert _as_of("令和8年3月31日現在", today=date(2026, 3, 31)) == date(2026, 3, 31)
    assert "tolerance 0 days" in _refusal("令和8年3月31日現在", today=date(2026, 3, 30))
    monkeypatch.setenv("RENKEI_AS_OF_TOLERANCE_DAYS", "400")
    assert _as_of("令和9年3月31日現在") == date(2027, 3, 31)
    for bad, why in (("soon", "is not a whole number of days"), ("-1", "must be 0 or more days")):
        monkeypatch.setenv("RENKEI_AS_OF_TOLERANCE_DAYS", bad)
        with pytest.raises(SettingsError, match=f"RENKEI_AS_OF_TOLERANCE_DAYS='{bad}' {why}"):
            _as_of("令和8年3月31日現在")


def test_today_is_tokyo_s_date_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    tokyo = datetime.now(timezone(timedelta(hours=9))).date()
    assert table.tokyo_today() in (tokyo, tokyo + timedelta(days=1))  # the test may straddle midnight
    monkeypatch.setattr(table, "tokyo_today", lambda: date(2038, 3, 1))  # the module's clock, nothing global
    assert edition_from_text(edition_text(ROW, as_of="令和20年3月31日現在")).as_of == date(2038, 3, 31)
    monkeypatch.setattr(table, "tokyo_today", lambda: date(2026, 12, 3))
    with pytest.raises(EditionReadError, match="is in the future"):
        edition_from_text(edition_text(ROW, as_of="令和20年3月31日現在"))


def test_parse_refuses_a_future_or_impossible_date_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "tokyo_today", lambda: TODAY)
    runner = CliRunner()
    for printed, problem in (
        ("令和20年3月31日現在", "令和20年3月31日現在 (2038-03-31) is in the future (today 2026-12-03 in Tokyo, "
                               "tolerance 31 days, set by RENKEI_AS_OF_TOLERANCE_DAYS)"),
        ("令和8年2月30日現在", "令和8年2月30日現在 is not a date"),
    ):  # fmt: skip
        path = tmp_path / "x.txt"
        path.write_text(edition_text(ROW, as_of=printed), encoding="utf-8")
        result = runner.invoke(app, ["parse", str(path)])
        assert result.exit_code == 2
        assert result.stderr == f"Error: {path}: as-of date {problem}\n"
        assert result.stdout == ""


# -- the real edition ---------------------------------------------------------------------------------------
def test_the_real_edition_keeps_its_date(real_edition: Edition) -> None:
    assert real_edition.as_of == date(2026, 3, 31)
    assert not [w for w in real_edition.warnings if w.kind == "invisible_removed"]  # it holds none
