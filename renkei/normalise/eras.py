"""Japanese era dates and the 事業開始年度 cell.

Start cells hold one or more years in 昭和/平成/令和 (with or without 度, 元年, full-width digits), dashes for
"none", 不明, and notes: "平成5年度 ※開始年度は相手方により異なる。", "昭和56年 (学務課)", "平成25年度 （大田区は
平成27年度より参加）". Years inside notes (after ※ or in brackets) describe something else and are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# First Western year of each era: 昭和元年 = 1926, 平成元年 = 1989, 令和元年 = 2019.
ERA_START: dict[str, int] = {"昭和": 1926, "平成": 1989, "令和": 2019}
ERA_LAST_YEAR: dict[str, int] = {"昭和": 64, "平成": 31, "令和": 99}
_ERA_ABBREVIATIONS: dict[str, str] = {"S": "昭和", "H": "平成", "R": "令和"}

_ERA_YEAR = re.compile(r"(昭和|平成|令和|(?<![A-Za-z])[SHR])\s*(元|\d{1,2})\s*年\s*(度)?")
_WESTERN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(度)?")
_DASH = re.compile(r"(?<![\w])[-‐‑–—―−ー](?![\w])")
_UNKNOWN = re.compile(r"不\s*明")
_CUT_ERA = re.compile(r"(昭和?|平成?|令和?)\s*$")
_NOTE_MARK = re.compile(r"※.*$", re.DOTALL)
_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
_AS_OF = re.compile(r"(昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*現在")
_AS_OF_WESTERN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*現在")


def era_to_year(era: str, year_in_era: str | int) -> int | None:
    """Western year of `era` year `year_in_era` ("元" is 1), or None when outside the era."""
    era = _ERA_ABBREVIATIONS.get(era, era)
    number = 1 if year_in_era == "元" else int(year_in_era)
    if era not in ERA_START or not 1 <= number <= ERA_LAST_YEAR[era]:
        return None
    return ERA_START[era] + number - 1


def year_to_era(year: int) -> tuple[str, int]:
    """The era and year-in-era of a Western year (the later era for a change-over year)."""
    for era in ("令和", "平成", "昭和"):
        if year >= ERA_START[era]:
            return era, year - ERA_START[era] + 1
    raise ValueError(f"{year} is before 昭和")


def format_era_year(year: int, *, fiscal: bool = True) -> str:
    """`2019` → "令和元年度" (or "令和元年")."""
    era, number = year_to_era(year)
    return f"{era}{'元' if number == 1 else number}年{'度' if fiscal else ''}"


@dataclass(frozen=True)
class PrintedDate:
    """An as-of date as the document prints it ("令和8年3月31日現在", width-folded) and the day it names, None
    when the calendar has no such day (2月30日, 13月, 令和0年)."""

    printed: str
    day: date | None


def find_as_of(text: str) -> PrintedDate | None:
    """The first as-of date printed in an edition title line, valid or not; None when the line prints none.

    An era year past the era's end is read on (平成32年 = 2020): forms printed before an era changed kept the old
    name for years, and the day is still unambiguous. A year before the era began is read the same way
    (令和元年4月1日 = 2019-04-01, as documents of 令和元年度 write it). Only a day the calendar lacks is refused.
    """
    folded = unicodedata.normalize("NFKC", text)
    match = _AS_OF.search(folded)
    if match:
        era, number = match.group(1), 1 if match.group(2) == "元" else int(match.group(2))
        year = ERA_START[era] + number - 1 if number >= 1 else None
        return PrintedDate(match.group(0), _safe_date(year, int(match.group(3)), int(match.group(4))))
    match = _AS_OF_WESTERN.search(folded)
    if match:
        return PrintedDate(match.group(0), _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
    return None


def parse_as_of(text: str) -> date | None:
    """The as-of date of an edition title line ("令和8年3月31日現在" → 2026-03-31), or None (see `find_as_of`)."""
    found = find_as_of(text)
    return found.day if found else None


def _safe_date(year: int | None, month: int, day: int) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_KEEP_SPACE_AFTER = set("年度—-―–‐")
_KEEP_SPACE_BEFORE = set("昭平令—-―–‐※(（不SHR")


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_WRAPPED_ERA = re.compile(r"(平|令|昭)\s+(成|和)")
_WRAPPED_YEAR = re.compile(r"((?:平成|令和|昭和)\s*\d+)\s+(\d+\s*年)")


def display_start_text(text: str) -> str:
    """A start cell for people: cleaned (see `clean_cell`), wrap spaces removed, but the spaces between years and
    notes kept (a note after ※ or in brackets is prose: its wrap spaces go like any text's)."""
    from renkei.normalise.text import clean_cell, display_text

    text = clean_cell(text)[0]
    note = ""
    if "※" in text:
        text, note = text[: text.index("※")], display_text(text[text.index("※") :])
    words = text.split()
    if not words:
        return note
    out = words[0]
    for word in words[1:]:
        keep = out[-1] in _KEEP_SPACE_AFTER or word[0] in _KEEP_SPACE_BEFORE
        out += (" " if keep else "") + word
    out = _BRACKETED.sub(lambda m: display_text(m.group(0)), out)  # "（大田区は平成27年度 より参加）" is prose too
    return f"{out} {note}" if note else out


@dataclass(frozen=True)
class StartCell:
    """One start cell read: `items` in order (a year, or None for "—"/"不明"), plus what could not be read."""

    items: tuple[int | None, ...]
    cut: bool = False
    unreadable: str | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({item for item in self.items if item is not None}))


@lru_cache(maxsize=65536)
def parse_start_cell(text: str) -> StartCell:
    """Read one 事業開始年度 cell.

    Notes are dropped first (everything after ※, bracketed text), then era years, Western years, dashes and
    不明 are taken in order. Text that names no year and is no dash is reported as `unreadable`; an era name
    with its number cut off ("令") as `cut`.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded:
        return StartCell(items=())
    # a line wrap inside an era name or a year's digits ("平 成30年度", "平成2 8年度") is no separator
    folded = _WRAPPED_YEAR.sub(r"\1\2", _WRAPPED_ERA.sub(r"\1\2", folded))
    body = _NOTE_MARK.sub(" ", folded)
    previous = None
    while previous != body:  # nested brackets: innermost first
        previous, body = body, _BRACKETS.sub(" ", body)
    found: list[tuple[int, int | None, bool]] = []  # (position, year or None, is_readable)
    bad_years: list[str] = []
    for match in _ERA_YEAR.finditer(body):
        year = era_to_year(match.group(1), match.group(2))
        if year is None:
            bad_years.append(match.group(0))
        found.append((match.start(), year, year is not None))
    covered = _ERA_YEAR.sub(lambda m: " " * len(m.group(0)), body)
    for match in _WESTERN_YEAR.finditer(covered):
        found.append((match.start(), int(match.group(1)), True))
    covered = _WESTERN_YEAR.sub(lambda m: " " * len(m.group(0)), covered)
    for match in _DASH.finditer(covered):
        found.append((match.start(), None, True))
    for match in _UNKNOWN.finditer(covered):
        found.append((match.start(), None, True))
    found.sort()
    items = tuple(year for _, year, readable in found if readable)
    cut = bool(_CUT_ERA.search(body)) and not re.search(r"\d\s*年", body[-6:])
    unreadable = None
    if bad_years:
        unreadable = "、".join(bad_years)
    elif not found and not cut:
        unreadable = folded
    return StartCell(items=items, cut=cut, unreadable=unreadable)
