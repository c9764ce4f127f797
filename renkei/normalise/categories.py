"""連携カテゴリ as analysts count them: the raw value stays as printed (`category`), and `category_tags` are the
canonical categories it names.

A raw value is split on ・ 、 , / and spaces, a note after ※ is dropped, and each part is looked up in
VARIANTS; a part that is not a known spelling but is a run of known ones written together ("文化交流災害協定",
a line wrap removed) is split into them; anything else is kept as printed (NFKC), so a new category is counted
rather than lost. Tags keep the order of first mention, each once.

Every decision below was taken on the 2026 edition's 35 distinct values, reading the programs behind the
rarer ones (see tests/test_categories.py for the whole expectation):

- 子ども → こども: the same word; こども (53 programs) is the spelling of the national agency, 子ども (37) older.
- 災害 (千代田区 防災フェスタ), 災害事業 (台東区 総合防災訓練) → 防災: events and drills, not agreements. 災害協定
  stays for mutual-aid agreements, and 観光・防災 gives 防災 too.
- 災害協定における平時からの交流 → 災害協定: exchanges held because of a disaster agreement (渋谷区).
- 産業振興 → 産業; 文化 (in "産業 文化 観光") → 文化交流: the same fields under a shorter or longer name.
- 観光協定, 交流協定, 協定 stay as printed: agreements are what these programs are; merging 観光協定 into 観光
  would hide that 渋谷区 counts its agreement-based programs apart.
- 区 → no tag: one program (練馬区, line 1507) has its 事業主体 printed in the category column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# variant spelling (NFKC, no spaces) → canonical tag; a canonical tag maps to itself. "" means: no tag.
VARIANTS: dict[str, str] = {
    "文化交流": "文化交流",
    "文化": "文化交流",
    "災害協定": "災害協定",
    "災害協定における平時からの交流": "災害協定",
    "防災": "防災",
    "災害": "防災",
    "災害事業": "防災",
    "観光": "観光",
    "観光協定": "観光協定",
    "産業": "産業",
    "産業振興": "産業",
    "環境": "環境",
    "こども": "こども",
    "子ども": "こども",
    "子供": "こども",
    "スポーツ": "スポーツ",
    "施設利用": "施設利用",
    "まちづくり": "まちづくり",
    "福祉": "福祉",
    "健康": "健康",
    "イベント": "イベント",
    "教育": "教育",
    "人事交流": "人事交流",
    "交流協定": "交流協定",
    "協定": "協定",
    "スタートアップ": "スタートアップ",
    "その他": "その他",
    "区": "",
}
_SEPARATORS = re.compile(r"[・、,，/／\s]+")
_NOTE = re.compile(r"[※＊*].*$", re.DOTALL)


def category_tags(raw: str) -> tuple[str, ...]:
    """The canonical tags of a raw 連携カテゴリ value (possibly none)."""
    text = _NOTE.sub("", unicodedata.normalize("NFKC", raw or ""))
    tags: list[str] = []
    for raw_part in _SEPARATORS.split(text):
        part = raw_part.strip("()（）「」")
        if not part:
            continue
        for piece in _pieces(part):
            tag = VARIANTS.get(piece, piece)
            if tag and tag not in tags:
                tags.append(tag)
    return tuple(tags)


def _pieces(part: str) -> tuple[str, ...]:
    """A part as known spellings: itself when known, else the split into known spellings written together
    (the fewest pieces), else itself."""
    if part in VARIANTS:
        return (part,)
    return _segment(part) or (part,)


@lru_cache(maxsize=1024)
def _segment(text: str) -> tuple[str, ...] | None:
    """`text` as a sequence of at least two known spellings, fewest pieces first; None when there is none."""
    best: list[tuple[str, ...] | None] = [None] * (len(text) + 1)
    best[0] = ()
    for end in range(1, len(text) + 1):
        for start in range(end):
            head = best[start]
            word = text[start:end]
            if head is not None and word in VARIANTS and VARIANTS[word]:
                candidate = (*head, word)
                if best[end] is None or len(candidate) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = candidate
    found = best[len(text)]
    return found if found is not None and len(found) > 1 else None
