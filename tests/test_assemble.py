"""Table reading and entry assembly on small editions built in code (each shows one layout rule)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from renkei.errors import EditionReadError
from renkei.parse.edition import read_edition
from tests.conftest import HEADER, REAL_EDITION, edition_text, place_code, row

WRAPPED_HEADER = "各特別 区名\t連携カテ ゴリ\t事業名称等\t事業 主体\t連携相手方\t事業内容\t事業開始 年度"


def test_as_of_date_comes_from_the_document_not_the_file_name(write_edition) -> None:
    path = write_edition(
        edition_text(row("千代田", "文化交流", "祭り", "区", "群馬県嬬恋村", "参加する。", "平成2年")),
        name="2019-03-31.txt",
    )
    edition = read_edition(path)
    assert edition.as_of == date(2026, 3, 31)
    assert edition.title == "各特別区と全国市町村等連携事業一覧"


def test_repeated_headers_with_wrap_spaces_and_a_fused_category(write_edition) -> None:
    text = edition_text(
        row("港", "産業", "物産展", "区", "北海道紋別市", "物産展を", "平成21年度"),
        "",
        WRAPPED_HEADER.replace("連携カテ ゴリ", "連携カテ ゴリ 産業"),
        row("", "", "その2", "", "福島県喜多方市", "開催。", "平成21年度"),
        WRAPPED_HEADER,
        row("港", "観光", "別の事業", "区", "長崎県長崎市", "実施。", "—"),
    )
    records = read_edition(write_edition(text)).records
    assert [r.name for r in records] == ["物産展その2", "別の事業"]
    assert [p.code for p in records[0].partners] == [place_code("北海道紋別市"), place_code("福島県喜多方市")]
    assert records[0].content == "物産展を\n開催。"
    assert any(w.kind == "fused_header" for w in records[0].warnings)


def test_rows_that_lost_their_left_cells(write_edition) -> None:
    text = edition_text(
        row("墨田", "災害協定", "相互援助協定", "区", "東京都台東区", "援助を行う。", "昭和53年度"),
        row("", "", "", "", "栃木県鹿沼市", "", ""),
        row("埼玉県飯能市", "平成29年度"),
        "山形県鶴岡市",  # no TABs at all
        row("昭和55年度"),
    )
    (record,) = read_edition(write_edition(text)).records
    assert [p.code for p in record.partners] == [
        place_code("東京都台東区"), place_code("栃木県鹿沼市"), place_code("埼玉県飯能市"), place_code("山形県鶴岡市"),
    ]  # fmt: skip
    assert record.start.fiscal_years == (1978, 1980, 2017)
    assert record.partners[2].start_fiscal_year == 2017
    assert record.provenance.lines == (6, 7, 8, 9, 10)


def test_same_name_and_description_is_one_entry_different_description_two(write_edition) -> None:
    text = edition_text(
        row("港", "観光", "交流会議", "区", "北海道砂川市 岩手県一関市", "交流会。", "平成5年度"),
        row("港", "観光", "交流 会議", "区", "岩手県一関市 広島県三次市", "交流 会。", "平成5年度"),
        row("港", "観光", "交流会議", "区", "長崎県平戸市", "別の説明。", "平成5年度"),
        row("港", "観光", "交流会議", "区", "長崎県平戸市", "別の説明。", "平成5年度"),
    )
    records = read_edition(write_edition(text)).records
    assert [len(r.partners) for r in records] == [3, 1]
    assert [r.provenance.lines for r in records] == [(6, 7), (8, 9)]
    assert any(w.kind == "duplicate_partner" for w in records[0].warnings)
    assert [w.kind for w in records[1].warnings] == ["duplicate_row_merged"]


def test_a_row_before_the_page_header_that_opens_the_next_entry(write_edition) -> None:
    # The orphan row's description is cut ("…から作") and continues after the header ("品を募集する"), and
    # the program before already lists one of its places (the pattern of the 2026 edition's line 337).
    text = edition_text(
        row("港", "その他", "情報発信", "区", "千葉県君津市 熊本県熊本市", "サイネージで発信する事業", "令和6年度"),
        row("", "", "", "", "熊本県熊本市 熊本県", "漱石ゆかりの自治体の後援でコンクールを開催し、小学生から作", ""),
        "",
        WRAPPED_HEADER,
        row(
            "新宿",
            "文化交流",
            "夏目漱石コンクール",
            "区",
            "熊本県阿蘇市",
            "品を募集する。※絵画コンクール",
            "平成26年度",
        ),
    )
    first, second = read_edition(write_edition(text)).records
    assert [p.code for p in first.partners] == [place_code("千葉県君津市"), place_code("熊本県熊本市")]
    assert [p.code for p in second.partners] == [
        place_code("熊本県熊本市"),
        place_code("熊本県"),
        place_code("熊本県阿蘇市"),
    ]
    assert second.content.startswith("漱石ゆかりの自治体") and "作品を募集する" in second.content
    assert any(w.kind == "orphan_attached" and w.provenance.lines == (7,) for w in second.warnings)


def test_rows_before_a_header_without_evidence_stay_with_their_entry(write_edition) -> None:
    text = edition_text(
        row("中央", "災害協定", "相互援助協定", "区", "山形県東根市", "援助を行う。", "平成7年度"),
        row("", "", "", "", "岡山県玉野市", "", "平成8年度"),
        "",
        WRAPPED_HEADER,
        row("", "", "", "", "千葉県銚子市", "", "平成18年度"),
        row("中央", "文化交流", "盆おどり", "区", "山形県東根市", "出店する。", "平成2年度"),
    )
    first, second = read_edition(write_edition(text)).records
    assert len(first.partners) == 3 and len(second.partners) == 1
    assert not any(w.kind == "orphan_attached" for r in (first, second) for w in r.warnings)


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "shift_jis"])
def test_japanese_encodings_give_the_same_records(tmp_path: Path, real_edition, encoding: str) -> None:
    text = REAL_EDITION.read_text(encoding="utf-8")
    path = tmp_path / f"edition-{encoding}.txt"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        # Shift_JIS lacks a few characters the edition uses (NEC/IBM extensions such as ①); CP932 has them.
        path.write_bytes(text.encode(encoding, errors="replace"))
        assert len(read_edition(path).records) == len(real_edition.records)
        return
    assert read_edition(path).records == real_edition.records


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\x00\x01binary\xff" * 100, "binary data"),
        (b"a,b,c\n1,2,3\n", "no table header"),
        (
            edition_text(
                row("千代田", "文化", "祭り", "区", "群馬県嬬恋村", "参加。", "—"),
                header=HEADER.replace("\t事業主体", ""),
            ).encode(),
            "missing 事業主体",
        ),
        (
            edition_text(row("千代田", "文化", "祭り", "区", "群馬県嬬恋村", "参加。", "—"), as_of="一覧").encode(),
            "no as-of date",
        ),
        (
            edition_text(row("横浜", "文化", "祭り", "区", "群馬県嬬恋村", "参加。", "—")).encode(),
            "unknown ward '横浜'",
        ),
        (edition_text().encode(), "no program rows"),
        (bytes(range(128, 256)) * 20, "not readable as text"),
    ],
)
def test_bad_input_is_refused_with_the_file_and_the_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(EditionReadError) as raised:
        read_edition(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
