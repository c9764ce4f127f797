"""Workbooks laid out as other years' compilers might: the 2026 edition rendered into four other layouts reads back
as the same programs, partner places and start years as the text (issue 13).

Each layout is the full edition (842 programs, all 23 wards) written by tests/render/xlsx.py `render_workbook`:
(a) one sheet per ward, without a ward column, the sheets named in mixed styles; (b) other header words, extra
columns (No., 担当課, 備考) and another column order; (c) labels with wrap spaces, line breaks and half-width
katakana, and start years in mixed styles, among them number and date cells; (d) a cover sheet, a title block
with the as-of date in a date cell, the table from row 6 column B, a hidden sheet and a notes sheet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from renkei.normalise.eras import parse_start_cell
from renkei.normalise.wards import all_wards
from renkei.parse.edition import read_edition
from renkei.records import Edition, Record, Start, Ward
from tests.conftest import REAL_EDITION
from tests.render.xlsx import WorkbookLayout, render_workbook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("full-renderings")]


# -- the comparison -------------------------------------------------------------------------------------------
def entry(record: Record) -> tuple[str, str, str, str, str]:
    """What identifies a program entry and what it says: ward, name key, category, body, description."""
    return record.ward.code, record.name_key, record.category, record.body, record.content


def places(record: Record) -> tuple[str, ...]:
    return tuple(sorted({p.code for p in record.partners if p.code}))


def differences(got: Edition, want: Edition, *, years: Callable[[Record], bool] = lambda record: True) -> list[str]:
    """How a reading of an edition differs from the reference reading, entry by entry in document order: the
    entries (ward, name key, category, body, description), their partner places (codes) and their start fiscal
    years — the latter only for the reference records `years` accepts. Provenance and warnings may differ."""
    if len(got.records) != len(want.records):
        counts = {w.name: (0, 0) for w in all_wards()}
        for index, edition in enumerate((got, want)):
            for record in edition.records:
                pair = list(counts[record.ward.name])
                pair[index] += 1
                counts[record.ward.name] = (pair[0], pair[1])
        wards = [f"{ward} {a}≠{b}" for ward, (a, b) in counts.items() if a != b]
        return [f"{len(got.records)} programs, expected {len(want.records)}: {', '.join(wards)}"]
    found: list[str] = []
    for a, b in zip(got.records, want.records, strict=True):
        where = f"{b.ward.name} #{b.seq} {b.name}"
        if entry(a) != entry(b):
            found.append(f"{where}: entry {entry(a)} ≠ {entry(b)}")
        if places(a) != places(b):
            found.append(f"{where}: places {places(a)} ≠ {places(b)}")
        if years(b) and a.start.fiscal_years != b.start.fiscal_years:
            found.append(f"{where}: fiscal years {a.start.fiscal_years} ≠ {b.start.fiscal_years}")
    return found


def test_differences_names_what_differs(text_edition: Edition) -> None:
    """The helper itself: an edition equals itself; a lost partner, another year, a missing program are named."""
    assert differences(text_edition, text_edition) == []
    first, *rest = text_edition.records
    changed_first = replace(first, partners=(), start=Start("2020年度", (2020,)))
    changed = replace(text_edition, records=(changed_first, *rest))
    found = differences(changed, text_edition)
    assert [line.split(": ")[1].split(" ")[0] for line in found] == ["places", "fiscal"]
    assert differences(changed, text_edition, years=lambda record: record is not first) == found[:1]
    shorter = replace(text_edition, records=tuple(rest))
    assert differences(shorter, text_edition)[0].startswith("841 programs, expected 842: 千代田区 ")


# -- the layouts ------------------------------------------------------------------------------------------------
def sheet_name(index: int, ward: Ward) -> str:
    """Sheet names in the styles compilers use: 千代田区, 02中央, 3.港区, 新宿, 05　文京区 (a full-width space)."""
    short = ward.name.removesuffix("区") or ward.name
    number = index + 1
    return [ward.name, f"{number:02d}{short}", f"{number}.{ward.name}", short, f"{number:02d}\u3000{ward.name}"][
        index % 5
    ]


def extra_value(label: str, record: Record, number: int, offset: int) -> Any:
    """No. on a program's first row, the department in charge, and a remark now and then."""
    if offset:
        return None
    return {"No.": number, "担当課": "政策経営課", "備考": "継続" if number % 7 == 0 else None}[label]


_ERA_TOKEN = re.compile(r"(昭和|平成|令和)(元|\d{1,2})年度?")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FIGURE_STYLES = ("number", "date")


@dataclass
class StartStyles:
    """Writes each start cell holding one era year in one of six styles, in turn by program: as printed
    (平成27年度), abbreviated (H27年度), Western (2015年度), full-width digits (平成２７年度), a number cell (2015),
    a date cell (2015-04-01). Remembers which programs got a number or a date cell."""

    figures: set[tuple[str, int]] = field(default_factory=set)
    used: dict[str, int] = field(default_factory=dict)

    def __call__(self, record: Record, text: str) -> Any:
        match = _ERA_TOKEN.fullmatch(text)
        if match is None:
            return text
        (year,) = parse_start_cell(text).years
        style = ("printed", "abbreviated", "western", "full-width", "number", "date")[record.seq % 6]
        self.used[style] = self.used.get(style, 0) + 1
        if style in FIGURE_STYLES:
            self.figures.add((record.ward.code, record.seq))
        era, number = match.group(1), match.group(2)
        return {
            "printed": text,
            "abbreviated": f"{'SHR'['昭平令'.index(era[0])]}{1 if number == '元' else number}年度",
            "western": f"{year}年度",
            "full-width": text.translate(_FULL_WIDTH),
            "number": year,
            "date": datetime(year, 4, 1),
        }[style]


def figures_read() -> bool:
    """Whether the start-year reader reads a cell of figures alone ("2015", "2015-04-01") as that fiscal year."""
    return parse_start_cell("2015").years == (2015,) and parse_start_cell("2015-04-01").years == (2015,)


LAYOUTS: dict[str, WorkbookLayout] = {
    "a-sheet-per-ward": WorkbookLayout(
        per_ward=True, order=(1, 2, 3, 4, 5, 6), sheet_name=sheet_name, as_of="inline", header_row=3
    ),
    "b-other-words-and-columns": WorkbookLayout(
        labels=("区名", "分野", "事業名", "実施主体", "連携先\n自治体", "事業概要", "開始年度"),
        order=("No.", 0, 2, 1, 4, 6, 3, 5, "担当課", "備考"),
        extra_value=extra_value,
    ),
    "c-start-styles": WorkbookLayout(
        labels=("各特別 区名", "ｶﾃｺﾞﾘ", "事業名称", "事業\n主体", "連携相手方（自治体名）", "内容", "事業開始\n年度"),
        as_of="inline",
        header_row=2,
    ),
    "d-cover-and-title-block": WorkbookLayout(
        title_row=2, header_row=6, first_column=2, as_of="date", cover=True, hidden=True, notes=True
    ),
}


@dataclass(frozen=True)
class Rendered:
    path: Path
    edition: Edition
    styles: StartStyles | None = None


@pytest.fixture(scope="module")
def text_edition() -> Edition:
    return read_edition(REAL_EDITION)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, text_edition: Edition) -> Callable[[str], Rendered]:
    folder = tmp_path_factory.mktemp("layouts")
    done: dict[str, Rendered] = {}

    def render(name: str) -> Rendered:
        if name not in done:
            layout, styles = LAYOUTS[name], None
            if name == "c-start-styles":
                styles = StartStyles()
                layout = WorkbookLayout(**{**layout.__dict__, "start_value": styles})
            path = render_workbook(
                text_edition.records, folder / f"{name}.xlsx", title=text_edition.title, as_of=date(2026, 3, 31),
                layout=layout,
            )  # fmt: skip
            done[name] = Rendered(path, read_edition(path), styles)
        return done[name]

    return render


# -- each layout read back --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["a-sheet-per-ward", "b-other-words-and-columns", "d-cover-and-title-block"])
def test_each_layout_gives_the_entries_places_and_years_of_the_text(
    name: str, rendered: Callable[[str], Rendered], text_edition: Edition
) -> None:
    workbook = rendered(name).edition
    assert (workbook.as_of, workbook.source_format) == (text_edition.as_of, "xlsx")
    assert len({r.ward.code for r in workbook.records}) == 23
    assert differences(workbook, text_edition) == []


def test_one_sheet_per_ward_takes_each_ward_from_its_sheet_name(rendered: Callable[[str], Rendered]) -> None:
    workbook = rendered("a-sheet-per-ward").edition
    sheets = {r.ward.name: r.provenance.sheet for r in workbook.records}
    assert [sheets[w.name] for w in all_wards()][:6] == [
        "千代田区",
        "02中央",
        "3.港区",
        "新宿",
        "05\u3000文京区",
        "台東区",
    ]
    assert workbook.title == "各特別区と全国市町村等連携事業一覧（令和8年3月31日現在）"
    assert [
        w for w in workbook.warnings if w.kind.startswith(("column_", "sheet_"))
    ] == []  # no ward column: no warning


def test_extra_columns_are_named_once_and_their_text_goes_nowhere(rendered: Callable[[str], Rendered]) -> None:
    workbook = rendered("b-other-words-and-columns").edition
    notes = [(w.kind, w.message) for w in workbook.warnings if w.kind.startswith("column_")]
    assert notes == [("column_ignored", "columns not read (not columns of 連携事業一覧): No., 担当課, 備考")]
    texts = {t for r in workbook.records for t in (r.category, r.name, r.body, r.content, r.start.text)}
    assert not {"政策経営課", "継続"} & texts
    assert not any(p.text in ("政策経営課", "継続") or p.text.isdigit() for r in workbook.records for p in r.partners)


def test_start_years_in_mixed_styles_number_and_date_cells(
    rendered: Callable[[str], Rendered], text_edition: Edition
) -> None:
    """Every style was used; number and date cells reach the start-year reader as "2015" and "2015-04-01". Fiscal
    years are compared wherever the reader reads the cell: everywhere once it reads figures alone, otherwise for
    the programs whose cells were all written in the other styles (the others are checked for their text)."""
    result = rendered("c-start-styles")
    styles = result.styles
    assert styles is not None and set(styles.used) == {
        "printed",
        "abbreviated",
        "western",
        "full-width",
        *FIGURE_STYLES,
    }
    workbook = result.edition
    assert len({r.ward.code for r in workbook.records}) == 23
    if figures_read():
        assert differences(workbook, text_edition) == []
        return
    figured = styles.figures
    assert differences(workbook, text_edition, years=lambda r: (r.ward.code, r.seq) not in figured) == []
    by_key = {(r.ward.code, r.seq): r for r in workbook.records}
    for key in figured:
        want = next(r for r in text_edition.records if (r.ward.code, r.seq) == key)
        text = by_key[key].start.text
        assert all(str(year) in text for year in want.start.fiscal_years), (want.name, text)
    assert len(figured) > 100  # a third of the programs with a year: the exemption is no formality


def test_cover_hidden_and_notes_sheets_are_skipped_and_named(rendered: Callable[[str], Rendered]) -> None:
    workbook = rendered("d-cover-and-title-block").edition
    assert workbook.as_of == date(2026, 3, 31)  # from the date cell beside 基準日
    assert workbook.title == "各特別区と全国市町村等連携事業一覧"
    skipped = [(w.message, w.provenance.sheet) for w in workbook.warnings if w.kind == "sheet_skipped"]
    assert skipped == [
        ("sheet 表紙 has no table header: read for its title and as-of date only", "表紙"),
        ("sheet 作業用 is hidden: not read", "作業用"),
        ("sheet 注記 has no table header: not read", "注記"),
    ]
    assert not [r for r in workbook.records if r.name == "作業用の行"]
    first = workbook.records[0]
    assert first.provenance.to_dict() == {"sheet": "連携事業一覧", "rows": [7]}  # header in row 6
