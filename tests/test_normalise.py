"""Unit and property tests of the normalisation rules: text forms, eras, places, partner cells."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkei.normalise.eras import (
    display_start_text,
    era_to_year,
    format_era_year,
    parse_as_of,
    parse_start_cell,
    year_to_era,
)
from renkei.normalise.partners import read_partner_cell
from renkei.normalise.places import match_place
from renkei.normalise.text import display_text, merge_fragment, text_key
from renkei.normalise.wards import all_wards, ward_from_cell
from tests.conftest import place_code

japanese_text = st.text(
    alphabet=st.sampled_from(
        list("東京都千代田区群馬県嬬恋村市町　 （）()、・等-—0123456789ABCabc年度令和平成昭和<>/\n\t※")
    ),
    max_size=40,
)


# -- text ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("友好都市交流研 修", "友好都市交流研修"),
        ("Sky View Lounge BAR", "Sky View Lounge BAR"),
        ("全国交流物産展 in 新橋", "全国交流物産展in新橋"),
        ("CO ₂ 吸収量", "CO₂吸収量"),
        ('<ul style="list-style-type: none"> ・応急物資の供給。 ', "・応急物資の供給。"),
        ("  二重  空白  ", "二重空白"),
    ],
)
def test_display_text(raw: str, display: str) -> None:
    assert display_text(raw) == display


def test_text_key_folds_width_and_spaces() -> None:
    assert text_key("スポーツ交流 （少年野球）") == text_key("スポーツ交流(少年野球)") == "スポーツ交流(少年野球)"


def test_merge_fragment() -> None:
    assert (
        merge_fragment("相互の繁栄を築くための交流を行う", "ための交流を行う。") == "相互の繁栄を築くための交流を行う。"
    )
    assert merge_fragment("全文です。", "全文") == "全文です。"
    assert merge_fragment("前半", "前半と後半") == "前半と後半"
    assert merge_fragment("一つ目。", "二つ目。") == "一つ目。\n二つ目。"
    assert merge_fragment("作", "品を募集する。", separator="") == "作品を募集する。"


@given(japanese_text)
def test_display_text_is_idempotent_and_total(text: str) -> None:
    once = display_text(text)
    assert display_text(once) == once


@given(japanese_text)
def test_text_key_is_idempotent(text: str) -> None:
    assert text_key(text_key(text)) == text_key(text)


# -- eras and start cells -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("era", "number", "year"),
    [
        ("昭和", "元", 1926),
        ("昭和", 64, 1989),
        ("平成", "元", 1989),
        ("平成", 31, 2019),
        ("令和", "元", 2019),
        ("令和", 8, 2026),
    ],
)
def test_era_to_year(era: str, number: str | int, year: int) -> None:
    assert era_to_year(era, number) == year


@given(st.integers(min_value=1926, max_value=2100))
def test_era_round_trip(year: int) -> None:
    era, number = year_to_era(year)
    assert era_to_year(era, number) == year
    assert parse_start_cell(format_era_year(year)).years == (year,)


@pytest.mark.parametrize(
    ("cell", "items", "cut", "unreadable"),
    [
        ("平成25年度 平成18年度 -", (2013, 2006, None), False, False),
        ("令和元年度", (2019,), False, False),
        ("平成２５年度", (2013,), False, False),
        ("昭和63年", (1988,), False, False),
        ("平成5年度 ※開始年度は相手方により異なる。", (1993,), False, False),
        ("平成25年度 （大田区は平成27年度より参加）", (2013,), False, False),
        ("昭和56年 (学務課) 昭和61年 (生涯学習 課)", (1981, 1986), False, False),
        ("不明 （44回目）", (None,), False, False),
        ("—", (None,), False, False),
        ("", (), False, False),
        ("令", (), True, False),
        ("各自自治体協 定締結後", (), False, True),
        ("平成99年度", (), False, True),
    ],
)
def test_parse_start_cell(cell: str, items: tuple[int | None, ...], cut: bool, unreadable: bool) -> None:
    parsed = parse_start_cell(cell)
    assert parsed.items == items
    assert parsed.cut is cut
    assert (parsed.unreadable is not None) is unreadable


@given(japanese_text)
def test_parse_start_cell_never_raises(text: str) -> None:
    parsed = parse_start_cell(text)
    assert all(1926 <= y <= 2200 for y in parsed.years)


def test_display_start_text_keeps_spaces_between_years() -> None:
    assert display_start_text("平成6年度 昭和54年度") == "平成6年度 昭和54年度"
    assert display_start_text("平成27年度 (区事業に 変更)") == "平成27年度 (区事業に変更)"
    # notes are prose: a wrap after 年度 inside them is no separator
    note = display_start_text("平成5年度 ※開始年度 は相手方により異なる。")
    assert note == "平成5年度 ※開始年度は相手方により異なる。"
    bracketed = display_start_text("平成25年度 （大田区は平成27年度 より参加）")
    assert bracketed == "平成25年度 （大田区は平成27年度より参加）"


@pytest.mark.parametrize(
    ("text", "as_of"),
    [
        ("令和8年3月31日現在", date(2026, 3, 31)),
        ("（令和5年8月1日現在）", date(2023, 8, 1)),
        ("2019年4月1日現在", date(2019, 4, 1)),
    ],
)
def test_parse_as_of(text: str, as_of: date) -> None:
    assert parse_as_of(text) == as_of


def test_parse_as_of_needs_genzai() -> None:
    assert parse_as_of("令和8年3月31日") is None
    assert parse_as_of("令和8年2月30日現在") is None


# -- wards and places ---------------------------------------------------------------------------------
def test_ward_cells() -> None:
    assert ward_from_cell("千代田").code == "131016"
    assert ward_from_cell("千代田区").name == "千代田区"
    assert ward_from_cell("江戸 川").name == "江戸川区"
    assert ward_from_cell("東京都板橋区") is None
    assert len({ward_from_cell(w.name.removesuffix("区")) for w in all_wards()}) == 23


@pytest.mark.parametrize(
    ("text", "name", "correction"),
    [
        ("群馬県嬭恋村", "群馬県嬬恋村", "嬭恋村→嬬恋村"),
        ("鳥根県隠岐の島町", "島根県隠岐の島町", "鳥根県→島根県"),
        ("高知県梶原町", "高知県梼原町", "梶原町→梼原町"),
        ("宮城県登米市市", "宮城県登米市", "登米市市→登米市"),
        ("北海道二セコ町", "北海道ニセコ町", "二セコ町→ニセコ町"),
        ("福島県東白川郡塙町", "福島県塙町", None),
        ("京都府京都市山科区", "京都府京都市", None),
        ("北海道十勝清水町", "北海道清水町", None),
        ("茨城県龍ヶ崎市", "茨城県龍ケ崎市", None),
    ],
)
def test_place_resolution(text: str, name: str, correction: str | None) -> None:
    match = match_place(text)
    assert match is not None
    assert [p.code for p in match.places] == [place_code(name)]
    assert (match.corrections[0] if match.corrections else None) == correction


def test_equally_close_places_are_not_guessed() -> None:
    match = match_place("福島県楡葉町")  # 楢葉町 and 双葉町 are both one edit away
    assert match is not None and not match.places
    assert {p.city for p in match.candidates} == {"楢葉町", "双葉町"}


def test_bare_name_in_several_prefectures_is_not_guessed_but_hinted() -> None:
    assert match_place("府中市教育委員会").likely is None
    hinted = match_place("府中市教育委員会", "広島県")
    assert hinted.places == () and len(hinted.candidates) == 2
    assert hinted.likely.code == place_code("広島県府中市")
    cell = read_partner_cell("広島県呉市 府中市教育委員会")
    assert [p.code for p in cell.partners] == [place_code("広島県呉市"), None]
    assert "suggest 広島県府中市" in cell.problems[0].message


# -- partner cells --------------------------------------------------------------------------------------
def _codes(cell: str) -> list[str | None]:
    return [p.code for p in read_partner_cell(cell).partners]


def test_partner_cell_splits_places_and_rejoins_wraps() -> None:
    assert _codes("群馬県嬭恋村 秋田県五城目町") == [place_code("群馬県嬬恋村"), place_code("秋田県五城目町")]
    cell = read_partner_cell("静岡県伊豆市教育委 員会")
    assert [(p.text, p.kind) for p in cell.partners] == [("静岡県伊豆市教育委員会", "organisation")]
    assert _codes("長野県茅野市・宮城県石巻市・福島県郡山市") == [
        place_code("長野県茅野市"), place_code("宮城県石巻市"), place_code("福島県郡山市"),
    ]  # fmt: skip
    assert _codes("品川区、目黒区") == [place_code("東京都品川区"), place_code("東京都目黒区")]


@pytest.mark.parametrize(
    ("cell", "places"),
    [
        # a place name wrapped inside, in a list of places written with their prefecture
        ("岩手県一関市 岐阜 県関市 群馬県神流町", ["岩手県一関市", "岐阜県関市", "群馬県神流町"]),
        ("石川県金沢市 福 島県郡山市", ["石川県金沢市", "福島県郡山市"]),
        ("山形県鶴岡市 新潟県南 魚沼市 茨城県城里町", ["山形県鶴岡市", "新潟県南魚沼市", "茨城県城里町"]),
        ("東京都足立区 東京都 江戸川区 東京都北区", ["東京都足立区", "東京都江戸川区", "東京都北区"]),
        # …but a prefecture before a list of bare names is a partner of its own
        ("東京都 中央区 千代田区", ["東京都", "東京都中央区", "東京都千代田区"]),
    ],
)
def test_wrapped_place_names_are_rejoined_on_the_right_side(cell: str, places: list[str]) -> None:
    assert _codes(cell) == [place_code(p) for p in places]


def test_a_place_then_a_group_or_an_organisation_are_two_partners() -> None:
    cell = read_partner_cell("茨城県水戸市 (一社)日本わさび協会")
    assert [(p.text, p.kind) for p in cell.partners] == [
        ("茨城県水戸市", "municipality"), ("(一社)日本わさび協会", "organisation"),
    ]  # fmt: skip
    cell = read_partner_cell("長野県上田市 東京23区（特別区）")
    kinds = [(p.text, p.kind) for p in cell.partners]
    assert kinds == [("長野県上田市", "municipality"), ("東京23区（特別区）", "group")]


def test_a_note_belongs_to_the_partner_before_it_and_the_list_goes_on() -> None:
    cell = read_partner_cell("北海道渡島地域協議会 ※令和元年度より北海道木古内 町として参加 岡山県浅口市 千葉県匝瑳市")
    assert [p.text for p in cell.partners] == [
        "北海道渡島地域協議会 ※令和元年度より北海道木古内町として参加",
        "北海道木古内町",  # the note names the current partner, added after the council (issue 13)
        "岡山県浅口市",
        "千葉県匝瑳市",
    ]


def test_partner_cell_markers_and_collectives() -> None:
    cell = read_partner_cell("広島県広島市 福岡県八女市 長崎県長崎市 等")
    assert cell.etc_markers == 1 and len(cell.partners) == 3
    group = read_partner_cell("東京都、都内23特別区、都内26市、都内13町村")
    assert [(p.kind, p.code) for p in group.partners] == [("group", None)]


def test_partner_cell_organisations() -> None:
    kinds = {
        p.text: (p.kind, p.code)
        for p in read_partner_cell("美郷町立千畑小学校 （秋田県仙北郡美郷 町） 日光市観光協会").partners
    }
    assert kinds == {
        "美郷町立千畑小学校（秋田県仙北郡美郷町）": ("organisation", place_code("秋田県美郷町")),
        "日光市観光協会": ("organisation", place_code("栃木県日光市")),
    }
    two = read_partner_cell("東京都青梅市 NPO法人 青梅林業研究グループ")
    assert [p.kind for p in two.partners] == ["municipality", "organisation"]
    also_two = read_partner_cell("石川県金沢市 湯湧温泉観光協会")
    assert [(p.kind, p.code) for p in also_two.partners] == [
        ("municipality", place_code("石川県金沢市")),
        ("organisation", None),
    ]
    one = read_partner_cell("岩手県 公益財団法人 釜石・大槌地域産 業育成センター")
    assert [(p.kind, p.code) for p in one.partners] == [("organisation", place_code("岩手県"))]


def test_glued_places_are_split() -> None:
    assert _codes("佐賀県武雄市太良町") == [place_code("佐賀県武雄市"), place_code("佐賀県太良町")]


def test_unknown_municipality_is_warned_not_guessed() -> None:
    cell = read_partner_cell("鹿児島県隠岐の島町")
    assert [(p.kind, p.code) for p in cell.partners] == [("unknown", None)]
    assert cell.problems[0].kind == "unresolved_partner" and "島根県隠岐の島町" in cell.problems[0].message


@given(japanese_text)
def test_read_partner_cell_never_raises(text: str) -> None:
    cell = read_partner_cell(text)
    assert all(p.code is None or len(p.code) == 6 for p in cell.partners)
