"""Header rows recognised by meaning (issue 13): every synonym of every field, in any width, with wrap spaces, line
breaks and notes; extra columns ignored and named; missing fields read as empty; a table without a ward column
whose ward a sheet name or a title row names; files that are no edition refused in one line saying what was
looked for. Also the XLSX cell conversion rule and the as-of date in a title block's date cell."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from renkei.cli import app
from renkei.errors import EditionReadError
from renkei.parse.edition import edition_from_text, read_edition
from renkei.parse.header import (
    HEADER_LABELS,
    LABEL_SYNONYMS,
    LOOKED_FOR,
    Label,
    find_header,
    label_of,
    match_label,
    ward_named,
)
from renkei.parse.read.xlsx import cell_text
from renkei.records import Edition
from tests.conftest import HEADER, edition_text, row

runner = CliRunner()
WARD, CATEGORY, NAME, BODY, PARTNERS, CONTENT, START = range(7)
PROGRAM = ("千代田", "産業", "物産展", "区", "群馬県嬬恋村", "物産展を開く。", "令和元年度")


# -- labels -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("synonym", "field"), [(s, f) for f, synonyms in enumerate(LABEL_SYNONYMS) for s in synonyms], ids=str
)
def test_every_synonym_names_its_field(synonym: str, field: int) -> None:
    assert match_label(synonym) == Label(field)
    assert label_of(synonym) == field


def test_no_label_of_one_field_contains_a_label_of_another() -> None:
    """What makes "the longest contained label" safe: 事業名 is in no label of 事業内容 or 事業主体."""
    clashes = [
        (a, b)
        for fa, one in enumerate(LABEL_SYNONYMS)
        for fb, other in enumerate(LABEL_SYNONYMS)
        if fa != fb
        for a in one
        for b in other
        if b in a
    ]
    assert clashes == []


def test_the_publishers_labels_are_the_first_synonyms() -> None:
    assert tuple(synonyms[0] for synonyms in LABEL_SYNONYMS) == HEADER_LABELS


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        # wrap spaces, as in the 2026 text's page headers
        ("各特別 区名", WARD), ("連携カテ ゴリ", CATEGORY), ("事業 主体", BODY), ("事業開始 年度", START),
        # line breaks inside a label (an XLSX cell with Alt+Enter, a PDF cell of two lines)
        ("事業\n開始年度", START), ("連携相手方\r\n（自治体名）", PARTNERS), ("事業\n名称等", NAME),
        # full and half width, ideographic spaces
        ("ｶﾃｺﾞﾘ", CATEGORY), ("連携　相手方", PARTNERS), ("　区名　", WARD), ("事業名称等", NAME),
        # notes in brackets or after ※
        ("連携相手方（自治体名）", PARTNERS), ("連携相手方(自治体名)", PARTNERS), ("各特別区名【50音順】", WARD),
        ("事業開始年度※西暦", START), ("事業名称等：", NAME),
        # longer labels read by the longest label they contain
        ("主な事業内容", CONTENT), ("事業主体名", BODY), ("連携事業名", NAME), ("事業開始年度(和暦)", START),
        ("連携先自治体名", PARTNERS), ("事業の概要等", CONTENT), ("実施主体(担当課)", BODY),
    ],
)  # fmt: skip
def test_label_variants(cell: str, field: int) -> None:
    assert label_of(cell) == field


def test_name_never_matches_content_or_body() -> None:
    assert [label_of(c) for c in ("事業名", "事業内容", "事業主体", "事業名称等", "事業概要")] == [
        NAME, CONTENT, BODY, NAME, CONTENT,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "cell",
    ["No.", "ＮＯ．", "番号", "備考", "担当課", "連絡先", "項目", "金額", "群馬県嬬恋村", "千代田", "令和元年度",
     "区の連携自治体との交流事業の内容を紹介し、特産品を販売する。"],
)  # fmt: skip
def test_what_is_no_label(cell: str) -> None:
    assert label_of(cell) is None


def test_a_value_fused_into_the_publishers_label_only_in_extracted_text() -> None:
    assert match_label("連携カテ ゴリ 産業", fused=True) == Label(CATEGORY, rest="産業")
    assert match_label("連携カテ ゴリ 産業") == Label(CATEGORY, exact=False)  # XLSX, PDF: a cell is a cell
    assert match_label("連携相手方（自治体名）", fused=True) == Label(PARTNERS)  # a note is no value


# -- the header rule ----------------------------------------------------------------------------------------
def test_a_header_needs_four_fields_with_the_name_and_the_partners() -> None:
    assert find_header(["事業名", "連携先", "内容", "開始年度"]) is not None
    assert find_header(["事業名", "連携先", "内容"]) is None  # three fields
    assert find_header(["区名", "分野", "事業名", "内容", "開始年度"]) is None  # no partners
    assert find_header(["区名", "分野", "連携先", "内容", "開始年度"]) is None  # no name
    header = find_header(["No.", "区名", "事業名", "分野", "連携先", "開始年度", "主体", "概要", "備考"])
    assert header is not None
    assert header.columns == (1, 3, 2, 6, 4, 7, 5) and header.ignored == ((0, "No."), (8, "備考"))
    assert header.seven(["1", "千代田", "祭り", "文化", "群馬県嬬恋村", "平成元年度", "区", "参加。", "x"]) == (
        "千代田", "文化", "祭り", "区", "群馬県嬬恋村", "参加。", "平成元年度",
    )  # fmt: skip


def test_an_exact_label_wins_over_a_contained_one_and_a_second_column_is_ignored() -> None:
    header = find_header(["主な事業内容", "事業名", "連携先", "事業内容", "連携相手方", "開始年度"])
    assert header is not None
    assert header.columns[CONTENT] == 3 and header.columns[PARTNERS] == 2
    assert header.ignored == ((0, "主な事業内容"), (4, "連携相手方"))


def _edition(*lines: str) -> Edition:
    return edition_from_text("\n".join(lines) + "\n")


def _own(edition: Edition) -> list[tuple[str, str]]:
    return [(w.kind, w.message) for w in edition.warnings if w.kind.startswith("column_")]


def test_other_words_and_another_order_in_a_text_edition() -> None:
    header = "\t".join(("No.", "区名", "事業名", "分野", "連携先", "開始年度", "実施主体", "事業概要", "備考"))
    data = "\t".join(("1", "千代田", "物産展", "産業", "群馬県嬬恋村", "令和元年度", "区", "物産展を開く。", "継続"))
    edition = _edition("各特別区と全国市町村等連携事業一覧", "令和8年3月31日現在", header, data)
    (record,) = edition.records
    assert (record.ward.name, record.category, record.name, record.body, record.content) == (
        "千代田区", "産業", "物産展", "区", "物産展を開く。",
    )  # fmt: skip
    assert [p.code for p in record.partners] == ["104256"] and record.start.fiscal_years == (2019,)
    assert _own(edition) == [("column_ignored", "columns not read (not columns of 連携事業一覧): No., 備考")]


def test_a_second_column_for_a_field_is_named() -> None:
    header = "\t".join(("区名", "事業名", "連携先", "連携相手方", "内容"))
    edition = _edition(
        "一覧", "令和8年3月31日現在", header, "\t".join(("港", "祭り", "群馬県嬬恋村", "長野県", "参加。"))
    )
    assert [p.code for p in edition.records[0].partners] == ["104256"]
    assert _own(edition) == [
        ("column_ignored", "column 連携相手方 not read: 連携相手方 is read from column 連携先"),
        ("column_missing", "no 連携カテゴリ、事業主体、事業開始年度 column: read as empty"),
    ]


def test_a_missing_field_is_read_as_empty_with_a_warning() -> None:
    cells = [c for i, c in enumerate(PROGRAM) if i != BODY]
    header = "\t".join(c for i, c in enumerate(HEADER.split("\t")) if i != BODY)
    edition = _edition("一覧", "令和8年3月31日現在", header, "\t".join(cells))
    (record,) = edition.records
    assert (record.body, record.name, [p.code for p in record.partners]) == ("", "物産展", ["104256"])
    assert _own(edition) == [("column_missing", "no 事業主体 column: read as empty")]


def test_a_header_that_lost_a_label_over_full_rows_is_refused() -> None:
    """The header lacks 事業主体 but the rows still have seven cells: an extraction slip, not a missing column;
    reading on would put the body in the partners' place."""
    header = HEADER.replace("\t事業主体", "")
    with pytest.raises(EditionReadError) as refused:
        edition_from_text(edition_text(row(*PROGRAM), header=header), "x.txt")
    assert str(refused.value) == (
        "x.txt: line 5: header has 6 of 7 columns; missing 事業主体, but line 6 has 7 cells: a header label is lost, "
        "the columns cannot be told apart"
    )


def test_the_2026_header_variants_read_as_before() -> None:
    wrapped = "各特別 区名\t連携カテ ゴリ 産業\t事業名称等\t事業 主体\t連携相手方\t事業内容\t事業開始 年度"
    edition = edition_from_text(edition_text(row("千代田", "", *PROGRAM[2:]), header=wrapped))
    (record,) = edition.records
    assert record.category == "産業"
    assert [w.kind for w in record.warnings] == ["fused_header"] and _own(edition) == []


# -- the ward of a table without a ward column ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ward"),
    [("千代田区", "千代田区"), ("千代田", "千代田区"), ("01千代田区", "千代田区"), ("1.千代田区", "千代田区"),
     ("02中央", "中央区"), ("3.港区", "港区"), ("３．港区", "港区"), ("05\u3000文京区", "文京区"), ("【港区】", "港区"),
     ("千代田区(令和5年度)", "千代田区"), ("北", "北区"), ("23_江戸川区", "江戸川区"),
     ("千代田区の連携事業", "千代田区"), ("Sheet1", None), ("表紙", None), ("各特別区と全国市町村等連携事業一覧", None),
     ("東京都港区", None), ("令和8年3月31日現在", None)],
)  # fmt: skip
def test_ward_named_by_a_sheet_or_a_title(text: str, ward: str | None) -> None:
    found = ward_named(text)
    assert (found.name if found else None) == ward


def test_a_text_table_without_a_ward_column_takes_the_ward_of_its_title_row() -> None:
    header = "\t".join(HEADER.split("\t")[1:])
    edition = _edition("連携事業一覧", "世田谷区", "令和8年3月31日現在", header, "\t".join(PROGRAM[1:]))
    assert [r.ward.name for r in edition.records] == ["世田谷区"]
    assert _own(edition) == []


def test_a_table_without_a_ward_column_nor_a_ward_named_is_refused() -> None:
    header = "\t".join(HEADER.split("\t")[1:])
    with pytest.raises(EditionReadError) as refused:
        edition_from_text("\n".join(["連携事業一覧", "令和8年3月31日現在", header, "\t".join(PROGRAM[1:])]), "x.txt")
    assert str(refused.value) == (
        "x.txt: line 3: the header has no ward column (各特別区名) and neither the sheet name nor a title row above "
        "it names a ward"
    )


def _workbook(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for values in rows:
            sheet.append(values)
        if name in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


TITLE = ["各特別区と全国市町村等連携事業一覧（令和5年8月1日現在）"]
NO_WARD = list(HEADER_LABELS[1:])


def test_sheets_per_ward_named_or_titled(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "wards.xlsx",
        {
            "01千代田区": [TITLE, NO_WARD, list(PROGRAM[1:])],
            "Sheet2": [["中央区"], NO_WARD, ["文化", "祭り", "区", "長野県松本市", "参加。", "平成27年度"]],
        },
    )
    edition = read_edition(path)
    assert edition.as_of == date(2023, 8, 1)
    assert [(r.ward.name, r.name, r.provenance.sheet) for r in edition.records] == [
        ("千代田区", "物産展", "01千代田区"), ("中央区", "祭り", "Sheet2"),
    ]  # fmt: skip


def test_a_table_anywhere_in_its_sheet(tmp_path: Path) -> None:
    blank = [None] * 3
    rows = [[None], *[[] for _ in range(25)], [*blank, *TITLE], [], [*blank, *HEADER_LABELS], [*blank, *PROGRAM]]
    edition = read_edition(_workbook(tmp_path / "far.xlsx", {"一覧": rows}))
    assert [(r.name, r.provenance.rows) for r in edition.records] == [("物産展", (30,))]


# -- the as-of date in a title block --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title_rows", "as_of"),
    [
        ([["連携事業一覧"], ["基準日", datetime(2023, 8, 1)]], date(2023, 8, 1)),
        ([["連携事業一覧"], [datetime(2023, 8, 1), "現在"]], date(2023, 8, 1)),
        ([["連携事業一覧"], ["2023/8/1 時点"]], date(2023, 8, 1)),
        ([["連携事業一覧（令和5年8月1日現在）"]], date(2023, 8, 1)),
        ([["連携事業一覧"], [None, None, None, "令和5年8月1日現在"]], date(2023, 8, 1)),
    ],
)
def test_the_as_of_date_in_any_title_cell(tmp_path: Path, title_rows: list[list[Any]], as_of: date) -> None:
    path = _workbook(tmp_path / "dated.xlsx", {"一覧": [*title_rows, list(HEADER_LABELS), list(PROGRAM)]})
    assert read_edition(path).as_of == as_of


def test_a_date_cell_whose_format_prints_the_word(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["連携事業一覧"])
    sheet.append([datetime(2023, 8, 1)])
    sheet["A2"].number_format = '[$-ja-JP]ggge"年"m"月"d"日現在"'
    sheet.append(list(HEADER_LABELS))
    sheet.append(list(PROGRAM))
    workbook.save(tmp_path / "format.xlsx")
    assert read_edition(tmp_path / "format.xlsx").as_of == date(2023, 8, 1)


def test_the_as_of_checks_apply_to_a_date_cell(tmp_path: Path) -> None:
    future = _workbook(tmp_path / "future.xlsx", {"一覧": [["基準日", datetime(2099, 3, 31)], HEADER_LABELS, PROGRAM]})
    result = runner.invoke(app, ["parse", str(future)])
    assert result.exit_code == 2 and "as-of date 2099-03-31 (2099-03-31) is in the future" in result.stderr
    impossible = _workbook(tmp_path / "bad.xlsx", {"一覧": [["2023-02-30 現在"], HEADER_LABELS, PROGRAM]})
    result = runner.invoke(app, ["parse", str(impossible)])
    assert result.stderr == f"Error: {impossible}: as-of date 2023-02-30 is not a date\n"


# -- cells read as what they mean ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2015, "2015"), (2015.0, "2015"), (3, "3"), (2.5, "2.5"), (0.1, "0.1"), (1e16, "10000000000000000"),
        (datetime(2015, 4, 1), "2015-04-01"), (datetime(2015, 4, 1, 9, 30), "2015-04-01"),
        (date(2015, 4, 1), "2015-04-01"), (time(9, 30), "09:30:00"), (True, "TRUE"), (False, "FALSE"), (None, ""),
        ("平成27年度\n(学務課)", "平成27年度 (学務課)"),
    ],
)  # fmt: skip
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_number_and_date_start_cells_reach_the_start_reader_as_text(tmp_path: Path) -> None:
    second = ("千代田", "文化", "祭り", "区", "長野県松本市", "参加。", datetime(2016, 4, 1))
    path = _workbook(tmp_path / "years.xlsx", {"一覧": [TITLE, HEADER_LABELS, [*PROGRAM[:6], 2015], second]})
    assert [r.start.text for r in read_edition(path).records] == ["2015", "2016-04-01"]


# -- sheets that are no table ------------------------------------------------------------------------------------
def test_cover_notes_and_hidden_sheets_are_skipped_and_named(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "book.xlsx",
        {
            "表紙": [TITLE, ["特別区長会"]],
            "作業用": [HEADER_LABELS, ["港", "文化", "作業", "区", "長野県", "x", "-"]],
            "一覧": [HEADER_LABELS, PROGRAM],
            "注記": [["※ 各区の回答による。"]],
        },
        hidden=("作業用",),
    )
    edition = read_edition(path)
    assert edition.as_of == date(2023, 8, 1) and [r.name for r in edition.records] == ["物産展"]
    assert [(w.kind, w.message) for w in edition.warnings] == [
        ("sheet_skipped", "sheet 表紙 has no table header: read for its title and as-of date only"),
        ("sheet_skipped", "sheet 作業用 is hidden: not read"),
        ("sheet_skipped", "sheet 注記 has no table header: not read"),
    ]


def _refusal(path: Path) -> str:
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    return line


def test_a_budget_sheet_is_refused_saying_what_was_looked_for(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "x.xlsx", {"予算": [["項目", "金額"], ["人件費", 1000]]})
    assert _refusal(path) == (
        f"Error: {path}: no sheet has the table header ({LOOKED_FOR}); sheet 予算 row 1: 項目, 金額 — no name, "
        "partners columns; not an edition of 連携事業一覧"
    )
    assert LOOKED_FOR == (
        "looked for 各特別区名 … 事業開始年度: 4 of the 7 columns, 事業名称等 and 連携相手方 among them"
    )


def test_a_list_of_names_is_refused_naming_its_closest_rows(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "names.xlsx",
        {
            "名簿": [["職員名簿"], ["区名", "氏名", "電話番号"], ["千代田区", "山田太郎", "03-0000-0000"]],
            "集計": [["区名", "事業名", "件数", "内容"], ["港区", "祭り", 3, "x"]],
            "秘": [HEADER_LABELS],
        },
        hidden=("秘",),
    )
    assert _refusal(path) == (
        f"Error: {path}: no sheet has the table header ({LOOKED_FOR}); sheet 名簿 row 2: 区名, 氏名, 電話番号 — no "
        "name, partners columns; recognised ward (4 needed); sheet 集計 row 1: 区名, 事業名, 件数, 内容 — no partners "
        "column; recognised ward, name, content (4 needed); hidden sheets not read: 秘; not an edition of 連携事業一覧"
    )


def test_a_text_that_is_no_edition_is_refused_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "budget.txt"
    path.write_text("予算書\n項目\t金額\n人件費\t1000\n", encoding="utf-8")
    assert _refusal(path) == (
        f"Error: {path}: no table header found ({LOOKED_FOR}); line 1: 予算書 — no name, partners columns; "
        "not an edition of 連携事業一覧"
    )


def test_the_refusal_stays_short(tmp_path: Path) -> None:
    wide = [f"列{i}の見出しとしてはかなり長い文字列" for i in range(40)]
    sheets = {f"シート{i}": [["区名", "事業名", *wide]] for i in range(30)}
    line = _refusal(_workbook(tmp_path / "wide.xlsx", sheets))
    assert len(line) < 700 and line.count("sheet シート") == 3
