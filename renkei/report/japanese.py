"""Japanese forms of what the core says in English: match reasons, provenance, dates."""

from __future__ import annotations

import re
from datetime import date

from renkei.normalise.eras import year_to_era
from renkei.records import Provenance

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^same name$"), "名称が同一"),
    (re.compile(r"^name differs only in year (.+)$"), r"名称の年のみ相違（\1）"),
    (re.compile(r"^name differs only in numbering$"), "名称の番号のみ相違"),
    (re.compile(r"^name (\d+)% similar$"), r"名称の類似度 \1%"),
    (re.compile(r"^same partners$"), "連携相手方が同一"),
    (re.compile(r"^(\d+) of (\d+) partners shared$"), r"連携相手方 \2 件中 \1 件が共通"),
    (re.compile(r"^same description$"), "事業内容が同一"),
    (re.compile(r"^description (\d+)% similar$"), r"事業内容の類似度 \1%"),
)
_SAME_NAME = re.compile(r"^same name; told apart from (\d+) other\(s\) of that name by (.+)$")


def reason_ja(reason: str | None) -> str:
    """The match reason in Japanese (unknown phrasings are kept as they are)."""
    if not reason:
        return ""
    same_name = _SAME_NAME.match(reason)
    if same_name:
        basis = same_name.group(2)
        basis = basis.replace("the same description", "事業内容が同一").replace("the same partners", "連携相手方が同一")
        basis = re.sub(r"description (\d+)% similar", r"事業内容の類似度 \1%", basis)
        basis = re.sub(r"(\d+) shared partner\(s\)", r"共通の連携相手方 \1 件", basis).replace(" and ", "・")
        return f"名称が同一（同名の他 {same_name.group(1)} 件とは {basis} で区別）"
    parts = []
    for part in reason.split(", "):
        for pattern, replacement in _PATTERNS:
            if pattern.match(part):
                parts.append(pattern.sub(replacement, part))
                break
        else:
            parts.append(part)
    return "、".join(parts)


def _numbers(values: tuple[int, ...]) -> str:
    if not values:
        return ""
    runs: list[str] = []
    start = prev = values[0]
    for value in values[1:]:
        if value == prev + 1:
            prev = value
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = value
    runs.append(str(start) if start == prev else f"{start}–{prev}")
    return "、".join(runs)


def provenance_ja(provenance: Provenance | None) -> str:
    """Where in the source: 「行 8–10」, 「p.3 行 4」, 「シート 一覧 行 10」."""
    if provenance is None:
        return ""
    if provenance.lines:
        return f"行 {_numbers(provenance.lines)}"
    if provenance.pages:
        rows = f" 行 {_numbers(provenance.rows)}" if provenance.rows else ""
        return f"p.{_numbers(provenance.pages)}{rows}"
    if provenance.sheet is not None:
        return f"シート {provenance.sheet} 行 {_numbers(provenance.rows)}"
    return ""


def date_ja(value: date) -> str:
    """2026-03-31 → 令和8年3月31日."""
    era, number = year_to_era(value.year)
    return f"{era}{'元' if number == 1 else number}年{value.month}月{value.day}日"
