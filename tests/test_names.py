"""Names a user gives on the command line: every ward in every accepted spelling (its readings included), near
misses answered with "did you mean", prefectures, and unknown names refused in one line (exit 2).

Expected spellings are built here from the reference CSV itself (csv module, not renkei.reference).
"""

from __future__ import annotations

import csv
import unicodedata

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.errors import UnknownNameError
from renkei.normalise.places import place_named
from renkei.normalise.wards import all_wards, ward_named
from renkei.timeline import prefecture_named, suggest_place
from tests.conftest import PROJECT_ROOT

runner = CliRunner()


def _reference_rows() -> list[dict[str, str]]:
    path = PROJECT_ROOT / "renkei" / "data" / "municipalities.csv"
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _wards() -> list[dict[str, str]]:
    return [r for r in _reference_rows() if r["code"].startswith("131") and r["city"].endswith("区")]


_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def _spellings(row: dict[str, str]) -> list[str]:
    name = row["city"]
    reading = unicodedata.normalize("NFKC", row["city_kana"])  # ﾁﾖﾀﾞｸ → チヨダク
    assert reading.endswith("ク"), reading
    short_reading = reading.removesuffix("ク")
    return [
        name,
        name.removesuffix("区"),
        "東京都" + name,
        row["code"],
        f" {name} ",
        reading,
        short_reading,
        _hiragana(reading),
        _hiragana(short_reading),
        row["city_kana"],  # half-width, as the reference list prints it
    ]


def test_there_are_23_wards_with_readings() -> None:
    rows = _wards()
    assert len(rows) == 23 and all(r["city_kana"] for r in rows)
    assert [w.code for w in all_wards()] == [r["code"] for r in rows]


@pytest.mark.parametrize("row", _wards(), ids=lambda r: r["city"])
def test_every_ward_in_every_spelling(row: dict[str, str]) -> None:
    for spelling in _spellings(row):
        ward = ward_named(spelling)
        assert (ward.code, ward.name) == (row["code"], row["city"]), spelling


def test_readings_are_given_as_in_the_brief() -> None:
    for spelling in ("千代田", "千代田区", "東京都千代田区", "ちよだ", "チヨダ", "131016"):
        assert ward_named(spelling).name == "千代田区"


@pytest.mark.parametrize(
    ("given", "suggested"),
    [
        ("港ku", "港区"),
        ("千代田く", "千代田区"),
        ("世田ヶ谷", "世田谷区"),
        ("中野区区", "中野区"),
        ("めぐろ区", "目黒区"),
    ],
)
def test_a_near_miss_suggests_the_ward(given: str, suggested: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        ward_named(given)
    assert str(caught.value) == f"{given!r} is not one of the 23 special wards; did you mean {suggested}?"


@pytest.mark.parametrize("given", ["府中", "xyz", "東京都府中市", ""])
def test_an_unknown_ward_has_no_suggestion(given: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        ward_named(given)
    assert str(caught.value) == f"{given!r} is not one of the 23 special wards"


def test_prefectures_by_name_short_name_and_code() -> None:
    for row in _reference_rows():
        if row["city"]:
            continue
        name = row["prefecture"]
        spellings = [name, row["code"]] + ([] if name == "北海道" else [name[:-1]])
        for spelling in spellings:
            assert prefecture_named(spelling).code == row["code"], spelling
    with pytest.raises(UnknownNameError, match=r"'群馬ken' is not one of the 47 prefectures; did you mean 群馬県\?"):
        prefecture_named("群馬ken")


def _municipalities() -> list[dict[str, str]]:
    return [r for r in _reference_rows() if r["city"]]


def test_every_municipality_by_name_code_and_reading_when_it_names_one_place() -> None:
    """Written name, code, reading (katakana / hiragana / half-width, with and without its final シ/マチ/チョウ/
    ムラ/ソン/ク) and name without 市町村: each resolves to the place unless another place shares that spelling."""
    rows = _municipalities()
    spellings: dict[str, set[str]] = {}
    for row in rows:
        reading = unicodedata.normalize("NFKC", row["city_kana"])
        bare = next(
            (reading[: -len(s)] for s in ("シ", "マチ", "チョウ", "ムラ", "ソン", "ク") if reading.endswith(s)), reading
        )
        name = row["city"]
        for spelling in {reading, _hiragana(reading), row["city_kana"], bare, _hiragana(bare), name[:-1]}:
            spellings.setdefault(unicodedata.normalize("NFKC", spelling).translate(_TO_KATAKANA), set()).add(
                row["code"]
            )
    checked = 0
    for row in rows:
        assert place_named(row["prefecture"] + row["city"]).code == row["code"]
        assert place_named(row["code"]).code == row["code"]
        reading = unicodedata.normalize("NFKC", row["city_kana"])
        for spelling in (reading, _hiragana(reading), row["city_kana"], row["city"][:-1]):
            key = unicodedata.normalize("NFKC", spelling).translate(_TO_KATAKANA)
            if len(spellings[key]) == 1 and row["city"][:-1] not in {r["prefecture"].removesuffix("県") for r in rows}:
                try:
                    found = place_named(spelling)
                except UnknownNameError:
                    continue  # a written name of another place, or a prefecture, comes first
                if found.code == row["code"]:
                    checked += 1
                else:
                    assert found.name.startswith(spelling) or found.city == spelling, (spelling, found.name)
    assert checked > 3 * len(rows)
    assert place_named("ぐんまけんつまごいむら").name == "群馬県嬬恋村"
    with pytest.raises(UnknownNameError, match=r"several places \(東京都府中市、広島県府中市、広島県府中町\)"):
        place_named("ふちゅう")


def test_a_near_miss_municipality_is_suggested() -> None:
    assert suggest_place("嬬恋町") == "群馬県嬬恋村"
    assert suggest_place("ナントカ村") is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--ward", "港ku"], "'港ku' is not one of the 23 special wards; did you mean 港区?"),
        (["--ward", "ナントカ"], "'ナントカ' is not one of the 23 special wards"),
        (["--prefecture", "群馬ken"], "did you mean 群馬県?"),
        (["--municipality", "嬬恋町"], "did you mean 群馬県嬬恋村?"),
    ],
)
def test_the_command_refuses_in_one_line(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["timeline", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_changes_accepts_a_reading_too() -> None:
    """`--ward` of every command goes through the same names (here refused only for want of editions)."""
    result = runner.invoke(app, ["changes", "--ward", "みなと"])
    assert "special wards" not in result.stderr
