"""Japanese era dates and the 事業開始年度 cell.

Start cells hold one or more years in 昭和/平成/令和 (with or without 度, 元年, full-width digits), dashes for
"none", 不明, and notes: "平成5年度 ※開始年度は相手方により異なる。", "昭和56年 (学務課)", "平成25年度 （大田区は
平成27年度より参加）". Years inside notes (after ※ or in brackets) describe something else and are ignored.
Compilers also type abbreviations (H27, R元, Ｈ．２７), Western years (2015, 2015年度) and dates (平成27年4月,
2015-04-01 from an Excel date cell); a date names the fiscal year it falls in (issue 13).
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

_DASH = re.compile(r"(?<![\w])[-‐‑–—―−ー](?![\w])")
_UNKNOWN = re.compile(r"不\s*明")
_CUT_ERA = re.compile(r"(昭和?|平成?|令和?)\s*$")
_NOTE_MARK = re.compile(r"※.*$", re.DOTALL)
_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
_AS_OF = re.compile(r"(昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*現在")
_AS_OF_WESTERN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*現在")


def era_to_year(era: str, year_in_era: str | int, *, read_on: int = 0) -> int | None:
    """Western year of `era` year `year_in_era` ("元" is 1), or None when outside the era.

    `era` may be abbreviated ("H", "h", "H."); up to `read_on` years past the era's end are read on
    (平成32 = 2020 with `read_on` ≥ 1).
    """
    era = _ERA_ABBREVIATIONS.get(era.rstrip(".").upper(), era)
    number = 1 if year_in_era == "元" else int(year_in_era)
    if era not in ERA_START or not 1 <= number <= ERA_LAST_YEAR[era] + read_on:
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
_YEAR_HEAD = re.compile(r"[0-9]{4}(?![0-9])|[SHRshr]\.?\s*(?:元|[0-9])")


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
        keep = out[-1] in _KEEP_SPACE_AFTER or word[0] in _KEEP_SPACE_BEFORE or _years_apart(out[-1], word)
        out += (" " if keep else "") + word
    out = _BRACKETED.sub(lambda m: display_text(m.group(0)), out)  # "（大田区は平成27年度 より参加）" is prose too
    return f"{out} {note}" if note else out


def _years_apart(before: str, word: str) -> bool:
    """Whether a space after `before` separates years typed without 年 ("2015 2016", "h27 r2") rather than wrapping
    one ("平成2 8年度", "20 15")."""
    before = unicodedata.normalize("NFKC", before)
    return before.isascii() and before.isalnum() and bool(_YEAR_HEAD.match(unicodedata.normalize("NFKC", word)))


# The years a start cell may name: from 昭和元年 (1926), the first year the era reader knows (the 23 wards date
# from 1947), to 2100. A number outside them is no year: "1234", "9999", "0120".
FIRST_START_YEAR = 1926
LAST_START_YEAR = 2100
# An era year past its era's end is read on for this many years: forms printed under 平成 kept the name after
# 2019 (平成32年度 = 2020), as the as-of reader allows. Further on (平成99年度) it is a misprint, reported.
ERA_READ_ON_YEARS = 10

# One year as typed: an era year (full name or abbreviation, "元" or 1–2 digits) or a 4-digit number, then
# optionally 年 / 年度 / 年 M月 (D日), or a date in numbers (H27.4.1, 2015/4/1, 2015-04-01; a time after it is
# left as text).
_YEAR = re.compile(
    r"""
    (?: (?P<era>昭和|平成|令和|(?<![0-9A-Za-z])[SHRshr]\.?) \s* (?P<number>元|[0-9]{1,2}) (?![0-9])
      | (?<![0-9]) (?P<western>[0-9]{4}) (?![0-9]) )
    (?: \s* (?P<nen>年) \s* (?: (?P<fiscal>度) | (?P<month>[0-9]{1,2}) \s* 月 (?: \s* (?P<day>[0-9]{1,2}) \s* 日)? )?
      | (?P<sep>[-/.]) (?P<month2>[0-9]{1,2}) (?![0-9])
        (?: (?P=sep) (?P<day2>[0-9]{1,2}) (?![0-9]) )? )?
    """,
    re.VERBOSE,
)
# A bare number may be followed only by these words (or by no word at all): "2015頃", "2015から"; "2015番地" is
# an address.
_AFTER_BARE_YEAR = re.compile(r"頃|ごろ|から|より|以降|まで|開始")
# Between the first and the last year of a range ("H27～R2", "平成27年度から令和2年度", "2015–2020"): a tilde, a dash
# joined to both years, から joined to both. A dash between spaces is a "none" of a list ("平成25年度 - 平成25年度").
_RANGE_JOIN = re.compile(r"\s*[~〜]\s*|[-‐‑–—―−ー]|から")
_NUMBER_JOINERS = "-./,:"
_HYPHEN_YEAR = re.compile(r"-([0-9]{4})(?![0-9])")  # "2015-2020"
_JOINED_DIGIT = re.compile(r"[-./,:][0-9]")  # "2015-5678", "2015,000"


@dataclass(frozen=True)
class StartCell:
    """One start cell read: `items` in order (a year, or None for "—"/"不明"), plus what could not be read."""

    items: tuple[int | None, ...]
    cut: bool = False
    unreadable: str | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({item for item in self.items if item is not None}))


@dataclass(frozen=True)
class _Year:
    start: int
    end: int
    year: int | None  # None: a year that names no fiscal year (平成0年, 2015年13月, 1234年)
    text: str


@lru_cache(maxsize=65536)
def parse_start_cell(text: str) -> StartCell:
    """Read one 事業開始年度 cell.

    Notes are dropped first (everything after ※, bracketed text), then years (see `_years`), dashes and 不明 are
    taken in order; a range counts as its first year. Text that names no year and is no dash is reported as
    `unreadable`, and so is a year no calendar has; an era name with its number cut off ("令") as `cut`.
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
    years = _years(body)
    starts = _starts(body, years)
    found: list[tuple[int, int | None, bool]] = [(y.start, y.year, y.year is not None) for y in starts]
    covered = list(body)
    for year in starts:  # a range's span with its join: the dash of "H27-R2" is no "none"
        covered[year.start : year.end] = " " * (year.end - year.start)
    rest = "".join(covered)
    for match in _DASH.finditer(rest):
        found.append((match.start(), None, True))
    for match in _UNKNOWN.finditer(rest):
        found.append((match.start(), None, True))
    found.sort()
    items = tuple(year for _, year, readable in found if readable)
    bad_years = [y.text for y in starts if y.year is None]
    cut = bool(_CUT_ERA.search(body)) and not re.search(r"\d\s*年", body[-6:])
    unreadable = None
    if bad_years:
        unreadable = "、".join(bad_years)
    elif not found and not cut:
        unreadable = folded
    return StartCell(items=items, cut=cut, unreadable=unreadable)


def _years(body: str) -> list[_Year]:
    """Every year typed in `body` (NFKC, notes removed), as the fiscal year it names.

    年度 is a fiscal year; a date (a month with 年, or numbers) falls in the fiscal year that begins on 1 April
    (平成28年1月 → 2015); a year without a month is taken as it stands (平成27年 → 2015). A bare number is a year
    only when it stands apart (not "No.2015", "03-2015-5678", "2015番地") and lies in the accepted years.
    """
    years: list[_Year] = []
    for match in _YEAR.finditer(body):
        bare = not match.group("nen") and not match.group("sep")
        if match.group("era"):
            after = body[match.end() : match.end() + 1]
            if bare and match.group("era")[0] in "SHRshr" and after.isascii() and after.isalnum():
                continue  # "H2O", "R2D2": no abbreviated era
            base = era_to_year(match.group("era"), match.group("number"), read_on=ERA_READ_ON_YEARS)
        else:
            if not _stands_apart(body, match, bare):
                continue
            base = int(match.group("western"))
        year = _fiscal_year(
            base, match.group("month") or match.group("month2"), match.group("day") or match.group("day2")
        )
        if year is not None and not FIRST_START_YEAR <= year <= LAST_START_YEAR:
            if match.group("western") and bare:
                continue  # a number, not a year
            year = None
        years.append(_Year(match.start(), match.end(), year, match.group(0).strip()))
    return years


def _stands_apart(body: str, match: re.Match[str], bare: bool) -> bool:
    """Whether the 4-digit number of `match` is no part of a code, a phone number or an address."""
    start, end = match.start(), match.end()
    before = body[max(start - 2, 0) : start]
    if before[-1:].isascii() and before[-1:].isalpha():  # "No2015", "ISO2015"
        return False
    if before[-1:] and before[-1] in _NUMBER_JOINERS and before[:1].isascii() and before[:1].isalnum():
        return False  # "03-2015-5678", "No.2015"
    if not bare:
        return True
    after = body[end:]
    last = _HYPHEN_YEAR.match(after)
    if last:  # "2015-2020" is a range when its end is a year too; "2015-5678" is a number
        return int(match.group("western")) <= int(last.group(1)) <= LAST_START_YEAR
    if _JOINED_DIGIT.match(after):
        return False
    return not (after[:1].isalnum() or after[:1] == "_") or bool(_AFTER_BARE_YEAR.match(after))


def _fiscal_year(year: int | None, month: str | None, day: str | None) -> int | None:
    """The fiscal year (from 1 April) of `year` (`month`, `day`), or None when the calendar has no such day."""
    if year is None or month is None:
        return year
    if _safe_date(year, int(month), int(day) if day else 1) is None:
        return None
    return year - 1 if int(month) < 4 else year


def _starts(body: str, years: list[_Year]) -> list[_Year]:
    """`years` with each range made one: "H27～R2" is one start, 2015, spanning the whole range."""
    starts: list[_Year] = []
    for previous, year in zip([None, *years], years, strict=False):
        if previous is not None and _RANGE_JOIN.fullmatch(body[previous.end : year.start]):
            first = starts[-1]
            starts[-1] = _Year(first.start, year.end, first.year, first.text)
            continue
        starts.append(year)
    return starts
