"""Category tags for every distinct 連携カテゴリ value of the 2026 edition, against an expectation written by
hand from the values and the programs behind them (not from the code), plus the splitting rules."""

from __future__ import annotations

from collections import Counter

import pytest

from renkei.normalise.categories import category_tags

# raw category as the record shows it (display form) → tags, decided by reading the programs
EXPECTED_2026: dict[str, tuple[str, ...]] = {
    "文化交流": ("文化交流",),
    "災害協定": ("災害協定",),
    "観光": ("観光",),
    "その他": ("その他",),
    "産業": ("産業",),
    "環境": ("環境",),
    "こども": ("こども",),
    "子ども": ("こども",),
    "スポーツ": ("スポーツ",),
    "施設利用": ("施設利用",),
    "観光協定": ("観光協定",),
    "まちづくり": ("まちづくり",),
    "イベント": ("イベント",),
    "福祉・健康": ("福祉", "健康"),
    "教育": ("教育",),
    "人事交流・イベント": ("人事交流", "イベント"),
    "災害協定における平時からの交流": ("災害協定",),
    "スポーツ・産業": ("スポーツ", "産業"),
    "産業・文化交流": ("産業", "文化交流"),
    "災害": ("防災",),  # 千代田区 防災フェスタ: an event, not an agreement
    "福祉": ("福祉",),
    "文化交流災害協定": ("文化交流", "災害協定"),  # "文化交流 災害協定" in the source: two, fused by the wrap rule
    "協定": ("協定",),
    "災害事業": ("防災",),  # 台東区 総合防災訓練
    "文化交流・産業": ("文化交流", "産業"),
    "スタートアップ": ("スタートアップ",),
    "災害協定・観光協定※連携相手方全てと災害協定もしくは観光協定を結んでいるわけではない。": ("災害協定", "観光協定"),
    "交流協定": ("交流協定",),
    "産業文化観光": ("産業", "文化交流", "観光"),  # "産業 文化 観光" in the source
    "観光・防災": ("観光", "防災"),
    "人事交流": ("人事交流",),
    "区": (),  # 練馬区 line 1507: the 事業主体 printed in the category column
    "産業振興": ("産業",),
    "子ども・スポーツ": ("こども", "スポーツ"),
}


def test_every_category_of_the_2026_edition_has_its_expected_tags(real_edition) -> None:  # type: ignore[no-untyped-def]
    seen = Counter(r.category for r in real_edition.records)
    assert set(seen) == set(EXPECTED_2026)  # a new raw value in the edition needs a decision here
    for raw in seen:
        assert category_tags(raw) == EXPECTED_2026[raw], raw
    for record in real_edition.records:
        assert record.category_tags == EXPECTED_2026[record.category]


def test_counted_as_analysts_count_them(real_edition) -> None:  # type: ignore[no-untyped-def]
    tags = Counter(tag for r in real_edition.records for tag in r.category_tags)
    assert tags["こども"] == 53 + 37 + 1  # こども, 子ども and 子ども・スポーツ
    assert tags["防災"] == 3


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("", ()),
        ("子ども、スポーツ", ("こども", "スポーツ")),
        ("子ども／スポーツ", ("こども", "スポーツ")),
        ("ｽﾎﾟｰﾂ", ("スポーツ",)),  # half-width kana (NFKC)
        ("観光 観光", ("観光",)),  # once each
        ("（観光）", ("観光",)),
        ("観光※令和5年度から", ("観光",)),
        ("国際交流", ("国際交流",)),  # unknown: kept as printed, not lost
        ("産業国際交流", ("産業国際交流",)),  # not all of it known: not split
    ],
)
def test_splitting_rules(raw: str, tags: tuple[str, ...]) -> None:
    assert category_tags(raw) == tags
