"""Cell hygiene: invisible characters (bidi, zero-width, other format and control characters) and markup never
reach a record or any output, whatever the source holds; what was removed is named in the warnings."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.diff import diff_editions, event_to_dict
from renkei.normalise.eras import display_start_text
from renkei.normalise.text import clean_cell, display_text, text_key
from renkei.parse.edition import edition_from_text
from renkei.quality import quality_report
from renkei.records import Edition, record_to_dict
from renkei.report.view import ReportInput
from renkei.report.write import render_report
from tests.conftest import edition_text, row

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH_AND_FORMAT = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2064\ufff9\U000e0001\U000e0041"
CONTROLS = "\x00\x01\x07\x08\x1b\x1c\x1f\x7f\x80\x85\x9f\ud800"  # and a lone surrogate (Cs)
SEPARATORS = "\t\n\r\v\f"  # controls that separate words: they become spaces, never vanish silently
TAG_FRAGMENTS = [
    "<", ">", "/", "<b>", "</b>", "<<b>script>", "<</b>/script>", "script", "alert(1)", "< ", "</", "<!--", "-->",
    "<!", "<?", "?>", "<a href='x'>", '"', "'", "=", "img src=x onerror=alert(1)", "<ul style=\"x\">", "＜ｂ＞",
]  # fmt: skip
JAPANESE = list("東京都千代田区群馬県嬬恋村市町　 （）()、・等-—0123456789ABCabc年度令和平成昭和※")

hostile_text = st.lists(
    st.one_of(
        st.sampled_from(JAPANESE),
        st.sampled_from(TAG_FRAGMENTS),
        st.sampled_from(list(BIDI + ZERO_WIDTH_AND_FORMAT + CONTROLS + SEPARATORS)),
        st.characters(categories=("Cc", "Cf", "Zs", "Mn")),
    ),
    max_size=30,
).map("".join)
any_text = st.one_of(hostile_text, st.text(max_size=40))


def _invisible(text: str) -> list[str]:
    """Format, control and surrogate characters in `text`, the separators SEPARATORS excepted."""
    return [c for c in text if unicodedata.category(c) in ("Cf", "Cc", "Cs") and c not in SEPARATORS]


class _MarkupFinder(HTMLParser):
    """Everything an HTML parser would read as markup rather than text (an oracle independent of the code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.found.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.found.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.found.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.found.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.found.append(f"<![{data}]>")


def _markup(text: str) -> list[str]:
    finder = _MarkupFinder()
    finder.feed(text)
    finder.close()
    return finder.found


# -- the normaliser, on any text ----------------------------------------------------------------------------
@given(any_text)
@settings(max_examples=400)
def test_display_text_has_no_invisible_character_nor_markup_and_is_idempotent(text: str) -> None:
    once = display_text(text)
    assert _invisible(once) == []
    assert not set(once) & set(SEPARATORS)
    assert _markup(once) == []
    assert display_text(once) == once


@given(any_text)
@settings(max_examples=400)
def test_text_key_has_no_invisible_character_nor_markup_and_is_idempotent(text: str) -> None:
    key = text_key(text)
    assert _invisible(key) == []
    assert _markup(key) == []
    assert text_key(key) == key


@given(any_text)
def test_clean_cell_names_every_character_it_removes(text: str) -> None:
    cleaned, removed, _ = clean_cell(text)
    assert _invisible(cleaned) == []
    assert _markup(cleaned) == []
    assert set(removed) == set(_invisible(text))
    assert clean_cell(cleaned) == (cleaned, (), False)


@given(any_text)
def test_display_start_text_has_no_invisible_character_nor_markup(text: str) -> None:
    shown = display_start_text(text)
    assert _invisible(shown) == []
    assert _markup(shown) == []


def test_markup_is_stripped_to_a_fixed_point() -> None:
    assert display_text("<<b>script>alert(1)<</b>/script>") == "alert(1)"
    assert display_text("<\u200bscript>x") == "x"  # a tag once the invisible character is gone
    assert display_text("< script >x</ script>") == "x"  # a tag once a display form drops the wrap spaces
    assert display_text("<!-- c -->x<?php ?></1>") == "x"
    assert display_text('<ul style="list-style-type: none"> ・応急物資の供給。') == "・応急物資の供給。"  # 2026, l.942
    assert display_text("a < 1, c > d") == "a<1, c>d"  # no tag: text stays
    # "<" then spaces then a letter opens a tag here (a browser wants the letter at once): the display form
    # drops those spaces, so "a < b >" would become "a<b>". Such text is removed, and reported.
    assert display_text("a < b, c > d") == "a d"


def test_ordinary_spaces_and_japanese_text_are_kept() -> None:
    assert display_text("Sky View\u3000Lounge\u00a0BAR") == "Sky View Lounge BAR"
    assert display_text("友好都市交流研 修") == "友好都市交流研修"
    assert display_text("葛\U000e0100城市") == "葛\U000e0100城市"  # an ideographic variation selector is text
    assert display_text("\ue000外字") == "\ue000外字"  # private use: a publisher's 外字


# -- end to end: a small edition with hostile cells, rendered in every format -------------------------------
HOSTILE = "<<b>script>alert(1)<</b>/script>"
BAD_CHARACTERS = ("\u202e", "\u200b", "\u2066", "\x07")


def _hostile_edition() -> Edition:
    return edition_from_text(
        edition_text(
            row(
                "千代田",
                "文化\u202e交流",
                f"つまごい\u200b祭り{HOSTILE}",
                "区\u2066",
                f"群馬県\u202e嬬恋村、{HOSTILE}",
                f"祭りに\x07参加する。{HOSTILE}\u202eevil",
                "平成\u200b25年度",
            ),
            row("千代田", "産業", "物産展", "区", "群馬県嬬恋村", "物産展を開く。", "令和元年度"),
        )
    )


def _clean_edition() -> Edition:
    return edition_from_text(
        edition_text(
            row("千代田", "文化交流", "つまごい祭りalert(1)", "区", "群馬県嬬恋村", "祭りに参加した。", "平成25年度"),
        ),
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _outputs(edition: Edition, previous: Edition) -> dict[str, str]:
    records = [record_to_dict(r) for r in edition.records]
    outputs = {"records.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in records)}
    outputs |= {f"record value {i}": s for i, s in enumerate(_strings(records))}
    overview = ReportInput(title=edition.title, edition=edition.as_of, records=edition.records)
    events = tuple(diff_editions(previous.records, edition.records))
    changelog = ReportInput(
        title=edition.title,
        edition=edition.as_of,
        records=edition.records,
        previous=date(2025, 3, 31),
        previous_records=previous.records,
        events=events,
    )
    for name, content in render_report(overview).items():
        outputs[f"overview/{name}"] = content if isinstance(content, str) else content.decode("utf-8-sig")
    for name, content in render_report(changelog).items():
        outputs[f"changelog/{name}"] = content if isinstance(content, str) else content.decode("utf-8-sig")
    outputs |= {f"event value {i}": s for i, s in enumerate(_strings([event_to_dict(e) for e in events]))}
    return outputs


def test_hostile_cells_reach_no_output() -> None:
    edition = _hostile_edition()
    outputs = _outputs(edition, _clean_edition())
    assert {"overview/index.html", "changelog/changes_programs.csv", "changelog/changes.json"} <= set(outputs)
    for name, text in outputs.items():
        assert [c for c in BAD_CHARACTERS if c in text] == [], name
        assert _invisible(text) == [], name
        own = re.sub(r"<script>\n// Filters the table in the page itself.*?</script>", "", text, flags=re.DOTALL)
        assert own != text if name.endswith("programs.html") else own == text, name  # the search's own script
        assert "<script" not in own.lower() and "</script" not in own.lower(), name
    csv_rows = list(csv.reader(io.StringIO(outputs["changelog/changes_programs.csv"])))
    assert any("alert(1)" in cell for r in csv_rows for cell in r)  # the text around the markup is kept

    (record, _) = edition.records
    assert record.category == "文化交流"
    assert record.name == "つまごい祭りalert(1)"
    assert record.body == "区"
    assert record.content == "祭りに参加する。alert(1)evil"
    assert record.start.text == "平成25年度" and record.start.fiscal_years == (2013,)
    assert [(p.name, p.code) for p in record.partners] == [("群馬県嬬恋村", "104256"), ("alert(1)", None)]
    assert all(_markup(p.text) == [] and _invisible(p.text) == [] for p in record.partners)


def test_the_warnings_name_what_was_removed() -> None:
    (record, other) = _hostile_edition().records
    by_kind = {w.kind: w for w in record.warnings}
    invisible = by_kind["invisible_removed"]
    assert invisible.message == (
        "invisible characters removed: U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, "
        "U+2066 LEFT-TO-RIGHT ISOLATE, U+0007"
    )
    assert invisible.provenance.lines == (6,)
    assert by_kind["markup_removed"].provenance.lines == (6,)
    assert other.warnings == ()
    report = quality_report(_hostile_edition())
    assert ("invisible_removed", "invisible or control characters removed from a cell", 1) in report.counts


def test_invisible_characters_in_the_title_and_header_are_removed_and_reported() -> None:
    text = edition_text(row("千代田", "産業", "物産展", "区", "群馬県嬬恋村", "物産展を開く。", "令和元年度"))
    text = text.replace("令和8年", "令和\u200b8年").replace("各特別区名", "各特別\u202e区名")
    edition = edition_from_text(text)
    assert edition.as_of == date(2026, 3, 31)
    assert [(w.kind, w.provenance.lines) for w in edition.warnings] == [
        ("invisible_removed", (3,)),
        ("invisible_removed", (5,)),
    ]
