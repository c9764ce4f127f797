"""How an edition's records are laid out as table rows, shared by the PDF and XLSX fixture renderers.

The publisher's table gives each program one block of sub-rows: the ward, category, name, body and
description in row-spanning merged cells, one partner per sub-row, and each partner's own start year beside it
when the source gives one. Text the source split over rows (a description joined from two fragments, "A\nB")
goes back into separate sub-rows, which is how it arose. Where the records keep too little to know the
source's rows (a partner listed twice, years not one per partner), the layouts the source uses are tried in
turn and the first one the parser reads back to the same record is taken.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from renkei.normalise.eras import format_era_year, parse_start_cell
from renkei.normalise.text import _is_latin
from renkei.records import Record

COLUMNS = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
WARD, CATEGORY, NAME, BODY, PARTNER, CONTENT, START = range(7)


@dataclass
class Block:
    """One program as table rows: `merged[column]` spans every sub-row; `rows[i][column]` is one sub-row's."""

    merged: dict[int, str]
    rows: list[dict[int, str]] = field(default_factory=list)


def as_of_line(as_of: date) -> str:
    era = format_era_year(as_of.year, fiscal=False).removesuffix("年")
    return f"{era}年{as_of.month}月{as_of.day}日現在"


def ward_cell(record: Record, full_name: bool = False) -> str:
    """The publisher writes "千代田" (without 区); `full_name` writes "千代田区"."""
    return record.ward.name if full_name else record.ward.name.removesuffix("区") or record.ward.name


def _years_of(token: str) -> list[int | None]:
    return list(parse_start_cell(token).items)


Pairs = list[tuple[str, str | None]]  # (partner cell, start cell or None when the start cell is merged)
_Step = tuple[int, str, int, int]  # a row of the partition: partners, start text, tokens consumed, padding


def _one_per_row(record: Record) -> Pairs:
    """One partner per sub-row, each with the start text naming its own year (or none)."""
    tokens = record.start.text.split(" ") if record.start.text else []
    unused = list(tokens)
    pairs: Pairs = []
    for partner in record.partners:
        wanted = [partner.start_fiscal_year] if partner.start_fiscal_year is not None else None
        fits = [t for t in tokens if (_years_of(t) == wanted if wanted else not any(_years_of(t)))]
        token = next((t for t in fits if t in unused), fits[0] if fits and wanted else "")
        if token in unused:  # a text already used may serve again: the parser keeps each text once
            unused.remove(token)
        pairs.append((partner.text, token))
    # Years left over were given by a partner listed twice (the parser keeps it once, with its first year).
    repeat = next((pair for pair, p in zip(pairs, record.partners, strict=True) if p.start_fiscal_year), None)
    if repeat is not None:
        pairs.extend((repeat[0], token) for token in unused)
        if sum(1 for _, cell in pairs if cell and any(y is not None for y in _years_of(cell))) < 2:
            pairs.append(repeat)  # a partner's own year counts only when several rows carry one
    return pairs


def _partitioned(record: Record) -> Pairs | None:
    """Rows of consecutive partners with consecutive start texts, such that a row's partners get years exactly
    when the source gave them (its years align one to one with its partners) and the rows' start texts, joined,
    are the record's; a partner may be listed once more to pad a row (the parser keeps it once). The layout
    with the least padding, then the most rows, wins. None when there is no such layout."""
    partners = record.partners
    tokens = record.start.text.split(" ") if record.start.text else []

    def row_ok(group: range, items: list[list[int | None]]) -> int | None:
        """Padding needed for partners[group] beside start texts with `items` (0: none), or None if they don't
        fit."""
        own = [partners[i].start_fiscal_year for i in group]
        if any(len(y) != 1 for y in items):
            return 0 if not any(own) and len(items) != len(group) else None
        flat = [y[0] for y in items]
        if not any(y is not None for y in own):
            if not items or len(items) != len(group) or not any(y is not None for y in flat):
                return 0
            return None
        if len(flat) < len(own) or flat[: len(own)] != own:
            return None
        padding = flat[len(own) :]
        return len(padding) if all(y is None or y == own[-1] for y in padding) else None

    @cache
    def best(i: int, j: int, emitted: frozenset[str]) -> tuple[int, tuple[_Step, ...]] | None:
        if i == len(partners):
            return (0, ()) if j == len(tokens) else None
        found = None
        options: list[tuple[str, int]] = [(" ".join(tokens[j : j + c]), c) for c in range(len(tokens) - j + 1)]
        options += [(text, 0) for text in emitted]  # a text already shown may stand again: it is shown once
        for g in range(1, len(partners) - i + 1):
            for text, consumed in options:
                if consumed and text in emitted:
                    continue
                padding = row_ok(range(i, i + g), [_years_of(t) for t in text.split(" ")] if text else [])
                if padding is None:
                    continue
                rest = best(i + g, j + consumed, emitted | {text} if text else emitted)
                score = (rest[0] + 1 - 100 * padding) if rest is not None else None
                if score is not None and rest is not None and (found is None or score > found[0]):
                    found = (score, ((g, text, consumed, padding), *rest[1]))
        return found

    if len(partners) * max(1, len(tokens)) > 4000:
        return None
    result = best(0, 0, frozenset())
    if result is None:
        return None
    pairs: Pairs = []
    i = 0
    for g, text, _consumed, padding in result[1]:
        texts = [partners[k].text for k in range(i, i + g)] + [partners[i + g - 1].text] * padding
        pairs.append((" ".join(texts), text))
        i += g
    return pairs


def _plans(record: Record) -> Iterator[Pairs]:
    """Layouts to try, the publisher's usual one first (made only as far as they are needed)."""
    partners = record.partners
    if not any(p.start_fiscal_year is not None for p in partners):
        yield [(p.text, None) for p in partners]  # the start cell merged over the block
        return
    yield _one_per_row(record)
    partitioned = _partitioned(record)
    if partitioned is not None:
        yield partitioned
    yield [(" ".join(p.text for p in partners), record.start.text)]  # everything in one cell each


def _as_text_rows(record: Record, pairs: Pairs) -> list[list[str]]:
    bodies, contents = record.body.split("\n"), record.content.split("\n")
    merged_start = all(cell is None for _, cell in pairs)
    rows = []
    for index in range(max(1, len(pairs), len(bodies), len(contents))):
        partner, start = pairs[index] if index < len(pairs) else ("", None)
        first = index == 0
        rows.append(
            [
                ward_cell(record) if first else "",
                record.category if first else "",
                record.name if first else "",
                bodies[index] if index < len(bodies) else "",
                partner,
                contents[index] if index < len(contents) else "",
                (record.start.text if first else "") if merged_start else (start or ""),
            ]
        )
    return rows


def _reads_back(record: Record, pairs: Pairs) -> bool:
    """Whether the parser (its text path: the same rules every format goes through) gives the record back."""
    from renkei.parse.edition import edition_from_text

    lines = ["一覧", as_of_line(record.edition), "\t".join(COLUMNS)]
    lines += ["\t".join(cells) for cells in _as_text_rows(record, pairs)]
    try:
        (parsed,) = edition_from_text("\n".join(lines) + "\n").records
    except ValueError:
        return False
    keep = ("category", "name", "body", "content", "start", "partners")
    return all(getattr(parsed, f) == getattr(record, f) for f in keep)


@lru_cache(maxsize=4096)
def _chosen_plan(record: Record) -> Pairs:
    first = next(_plans(record))
    return next((plan for plan in _plans(record) if _reads_back(record, plan)), first)


def block(record: Record, *, full_ward_name: bool = False) -> Block:
    pairs = _chosen_plan(record)
    merged = {WARD: ward_cell(record, full_ward_name), CATEGORY: record.category, NAME: record.name}
    bodies, contents = record.body.split("\n"), record.content.split("\n")
    if len(bodies) == 1:
        merged[BODY] = record.body
    if len(contents) == 1:
        merged[CONTENT] = record.content
    if all(start is None for _, start in pairs):
        merged[START] = record.start.text
    rows: list[dict[int, str]] = []
    for index in range(max(1, len(pairs), len(bodies), len(contents))):
        text, start = pairs[index] if index < len(pairs) else ("", None)
        row: dict[int, str] = {PARTNER: text}
        if START not in merged:
            row[START] = start or ""
        if len(bodies) > 1:
            row[BODY] = bodies[index] if index < len(bodies) else ""
        if len(contents) > 1:
            row[CONTENT] = contents[index] if index < len(contents) else ""
        rows.append(row)
    return Block(merged, rows)


# -- line wrapping ------------------------------------------------------------------------------------------
def _units(text: str, *, words_only: bool) -> list[str]:
    """Break units: a run of Latin characters stays whole (breaking "2025" would read back as "20 25"); with
    `words_only` every space-separated word stays whole (start cells: "平成 28年度" would not read back)."""
    units: list[str] = []
    current = ""
    for char in text:
        if char == " ":
            if current:
                units.append(current)
                current = ""
            units.append(" ")
        elif words_only or _is_latin(char):
            if current and not words_only and not _is_latin(current[-1]):
                units.append(current)
                current = ""
            current += char
        else:
            if current:
                units.append(current)
                current = ""
            units.append(char)
    if current:
        units.append(current)
    return units


def wrap(text: str, width: float, measure: Callable[[str], float], *, words_only: bool = False) -> list[str]:
    """Lines of `text` no wider than `width` (a word wider than the width is broken like other text; a Latin
    run wider than the width gets a line of its own)."""
    units: list[str] = []
    for unit in _units(unicodedata.normalize("NFC", text), words_only=words_only):
        units.extend(_units(unit, words_only=False) if words_only and measure(unit) > width else [unit])
    lines: list[str] = []
    line = ""
    pending_space = False
    for unit in units:
        if unit == " ":
            pending_space = bool(line)
            continue
        candidate = f"{line} {unit}" if pending_space else line + unit
        pending_space = False
        if not line or measure(candidate) <= width:
            line = candidate
            continue
        lines.append(line)
        line = unit
    if line:
        lines.append(line)
    return lines
