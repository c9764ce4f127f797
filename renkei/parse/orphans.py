"""Rows that may belong to the entry after them rather than the one before.

In the publisher's PDF a program's left cells are merged over all its partner rows. When that block runs
across a page break, the merged text can land on the next page, so the last rows of a page show empty left
cells although they open the program printed after the header (2026 edition: lines 37, 337, 573, 874, 950,
1083, 1220, 1509). The same happens within a page (lines 1245, 1252). The text alone cannot say which; this
module weighs the evidence it does give, and records every decision as a warning:

- a description or name cut mid-text that continues in the next entry, or repeats one of the two entries;
- places the rows repeat from the entry before (a place appears once per entry) or from the entry after;
- a partner count stated in the name ("（22団体）") that the entry before already reaches;
- the ward whose other programs list these places, when the two entries belong to different wards;
- the prefectures of the places, and the style of their start years, compared with each entry.

Rows at the top of a page (right after its header) always continue the entry before: that is the normal
page-break continuation. So do rows a PDF or XLSX reader saw under a merged cell of the row above. Otherwise
the same rules apply wherever the rows stand, so that the decision does not depend on where a page happens to
break (a later edition may break pages elsewhere).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from renkei.normalise.eras import parse_start_cell
from renkei.normalise.text import display_text, text_key
from renkei.parse.entries import AssemblyRow, Entry
from renkei.records import ParseWarning, Provenance

# Evidence needed to move rows to the next entry; below it they stay with the entry before (reading order).
MOVE_THRESHOLD = 1.5
# Of which this much must come from the rows themselves (text, names, repeated places, a stated count, list
# order, ward) rather than from prefectures or start-year style: a moved page break in a later edition must
# not move rows between programs on weak evidence (that would show up as false partner changes).
DECISIVE_MINIMUM = 3.0
FINE_DECISIVE_MINIMUM = 4.0  # for a split inside a run of rows of one shape
WEIGHT_TEXT_MATCH = 3.0
WEIGHT_TEXT_SIMILARITY = 6.0
WEIGHT_DUPLICATE_PLACE = 2.0
WEIGHT_REPEATED_AFTER = 1.0
WEIGHT_STATED_COUNT = 4.0
WEIGHT_WARD_AFFINITY = 1.0
WEIGHT_PREFECTURE = 4.0
WEIGHT_LIST_CONTINUITY = 1.5
WEIGHT_START_STYLE = 1.0
_STATED_COUNT = re.compile(r"[（(](?:[^（）()]*[（(])?(\d+)(?:団体|自治体|市区町村|市区町|市町村|市区|市町|都市)[）)]")


@dataclass(frozen=True)
class _Score:
    value: float
    reasons: tuple[str, ...]
    text_value: float = 0.0  # the part that comes from descriptions and names
    points_onwards: bool = False  # some piece of evidence favoured the next program
    decisive: float = 0.0  # evidence for the next program other than prefectures and start-year style


def resolve_orphans(entries: list[Entry]) -> None:
    """Move trailing rows of an entry to the next one where the evidence says so (in place)."""
    ward_places = _places_by_ward(entries)
    lists = [_places(e.rows) for e in entries]
    pairs = _PairIndex(lists)
    for index, (before, after) in enumerate(itertools.pairwise(entries)):
        block_start = _trailing_block_start(before)
        block = before.rows[block_start:]
        if not block or not _eligible(block, after):
            continue
        if _same_program(before, after):
            continue
        other_lists = pairs.excluding(lists[index], lists[index + 1])
        # The same evidence counts wherever the block stands, so that a page break moved in another edition
        # does not move rows between programs; page-top rows (right after a header) never move.
        page_foot = after.rows[0].page_break_before
        top: tuple[int, _Score] | None = None  # the strongest candidate even below zero, for the warning
        # Splits where the rows' shape changes come first; any other row boundary only when none of those
        # convinces (a partner list re-flowed into one row per partner hides where the next program begins),
        # and then on stronger evidence. Of the splits that convince, the one moving the fewest rows wins.
        best_split, best = len(block), _Score(0.0, ())
        for splits, minimum in (
            (_candidate_splits(block), DECISIVE_MINIMUM),
            (_fine_splits(block), FINE_DECISIVE_MINIMUM),
        ):
            for split in splits:
                if block[split].row.continues:  # under a merged cell of the row above: not a program's start
                    continue
                kept = before.rows[:block_start] + block[:split]
                score = _evidence(kept, block[split:], before, after, ward_places, other_lists)
                if top is None or score.value > top[1].value:
                    top = (split, score)
                convinces = score.value >= MOVE_THRESHOLD and score.decisive >= minimum
                if convinces and (best.value == 0.0 or split > best_split):
                    best_split, best = split, score
            if best.value > 0.0:
                break
        if best.value == 0.0:
            if page_foot and top is not None and top[1].points_onwards:  # a judgement worth checking
                kept_rows = block[top[0] :]
                before.warnings.append(
                    ParseWarning(
                        "orphan_attached",
                        f"{_describe(kept_rows)} before the page header kept with {before.name!r}; evidence for "
                        f"the next program {after.name!r} too weak ({'; '.join(top[1].reasons)})",
                        _provenance(kept_rows),
                    )
                )
            continue
        moved = block[best_split:]
        del before.rows[block_start + best_split :]
        after.rows[0:0] = moved
        after.leading += len(moved)
        pairs.remove(lists[index], lists[index + 1])
        lists[index], lists[index + 1] = _places(before.rows), _places(after.rows)
        pairs.add(lists[index], lists[index + 1])
        after.warnings.append(
            ParseWarning(
                "orphan_attached",
                f"{_describe(moved)} attached to the next program {after.name!r} "
                f"rather than {before.name!r}: {'; '.join(best.reasons)}",
                _provenance(moved),
            )
        )


def _trailing_block_start(entry: Entry) -> int:
    last_start = max(i for i, r in enumerate(entry.rows) if r.shape == "start")
    return last_start + 1


def _eligible(block: list[AssemblyRow], after: Entry) -> bool:
    """Rows after a page header inside the block continue the entry before (normal page-break flow)."""
    return not any(r.page_break_before for r in block)


def _same_program(before: Entry, after: Entry) -> bool:
    return before.key == after.key


def _candidate_splits(block: list[AssemblyRow]) -> Iterable[int]:
    """Where the rows moving on may begin: the block's start, or wherever the rows' shape changes.

    Rows that lost their left cells end the run of rows before them (lines 253–255 close 234–252), so
    they never begin a moving part themselves.
    """
    yield 0
    for index in range(1, len(block)):
        lost = block[index].shape in ("lost_partner", "lost_years")
        if block[index].shape_key != block[index - 1].shape_key and not lost:
            yield index


class _Tally:
    """Evidence as it is collected: each piece with its weight (positive: the rows belong to the next program)."""

    def __init__(self) -> None:
        self.pieces: list[tuple[float, str, bool]] = []

    def add(self, value: float, reason: str, *, supporting: bool = False) -> None:
        """`supporting` evidence (prefectures, start-year style) can tip a decision but never make one alone."""
        if value:
            self.pieces.append((value, reason, supporting))

    def score(self, text_value: float) -> _Score:
        return _Score(
            value=sum(v for v, _, _ in self.pieces),
            reasons=tuple(r for _, r, _ in self.pieces),
            text_value=text_value,
            points_onwards=any(v > 0 for v, _, _ in self.pieces),
            decisive=sum(v for v, _, supporting in self.pieces if v > 0 and not supporting),
        )


def _fine_splits(block: list[AssemblyRow]) -> Iterable[int]:
    """Every row boundary that is not a shape change, and not at a row that lost its left cells."""
    shape_changes = set(_candidate_splits(block))
    for index in range(1, len(block)):
        if index not in shape_changes and block[index].shape not in ("lost_partner", "lost_years"):
            yield index


def _evidence(
    kept: list[AssemblyRow],
    moving: list[AssemblyRow],
    before: Entry,
    after: Entry,
    ward_places: dict[str, Counter[str]],
    other_lists: _AdjacentPairs,
) -> _Score:
    """Positive when `moving` rows belong to `after`, negative when to the entry they follow."""
    tally = _Tally()
    after_rows = after.rows
    before_name = _joined(kept, "name")
    before_text = before_name + _joined(kept, "content")
    after_text = _joined(after_rows, "name") + _joined(after_rows, "content")

    repeats_after = False
    for row in moving:
        if row.content:
            value, reason = _text_evidence(
                row.content, _joined(kept, "content"), _joined(after_rows, "content"), before_text, after_text
            )
            tally.add(value, reason or "")
            repeats_after |= value == WEIGHT_TEXT_MATCH
        if row.name:
            if text_key(before_name).endswith(text_key(row.name)):
                tally.add(-WEIGHT_TEXT_MATCH, "name fragment repeats the program before")
            else:
                tally.add(WEIGHT_TEXT_MATCH, f"name fragment {display_text(row.name)!r} opens the next program's name")
    text_value = sum(v for v, _, _ in tally.pieces)

    moving_places = _places(moving)
    kept_places = _places(kept)
    after_places = _places(after_rows)
    # Places the program before already lists suggest another list — unless every place repeats it: then the
    # rows repeat that program's own list (杉並: one row of eight places, then one row per place).
    repeated_before = [p for p in moving_places if p in kept_places]
    if len(repeated_before) == len(moving_places):
        repeated_before = []
    repeated_after = [p for p in moving_places if p in after_places]
    tally.add(
        WEIGHT_DUPLICATE_PLACE * len(repeated_before),
        f"{len(repeated_before)} place(s) already listed in the program before",
    )
    if not repeats_after:  # a row repeating the next program's text repeats its places too
        tally.add(
            -WEIGHT_REPEATED_AFTER * len(repeated_after),
            f"{len(repeated_after)} place(s) listed again in the next program",
        )

    stated = _STATED_COUNT.search(before_name)
    if stated and moving_places and len(kept_places) == int(stated.group(1)):
        tally.add(WEIGHT_STATED_COUNT, f"the program before names {stated.group(1)} partners and already lists them")

    if before.ward.code != after.ward.code and moving_places:
        before_counts, after_counts = ward_places[before.ward.code], ward_places[after.ward.code]
        affinity = sum(
            (after_counts[p] > before_counts[p]) - (before_counts[p] > after_counts[p]) for p in moving_places
        )
        ward = after.ward.name if affinity > 0 else before.ward.name
        tally.add(WEIGHT_WARD_AFFINITY * affinity, f"places are partners of {ward} elsewhere")

    if moving_places:
        prefectures = {_prefecture(p) for p in moving_places}
        share = _share_in(after_places, prefectures) - _share_in(kept_places, prefectures)
        if abs(share) >= 0.05:
            side = "next program" if share > 0 else "program before"
            tally.add(WEIGHT_PREFECTURE * share, f"prefectures match the {side}", supporting=True)

    continuity = _continuity(kept_places, moving_places, after_places, other_lists)
    side = "next program" if continuity > 0 else "program before"
    tally.add(WEIGHT_LIST_CONTINUITY * continuity, f"the places continue the list of the {side}")

    moving_style = _start_style(moving)
    if moving_style != "empty":
        kept_style, after_style = _start_style(kept[-1:]), _start_style(after_rows[:1])
        if kept_style == moving_style != after_style:
            tally.add(-WEIGHT_START_STYLE, "start years written like the program before", supporting=True)
        elif after_style == moving_style != kept_style:
            tally.add(WEIGHT_START_STYLE, "start years written like the next program", supporting=True)
    return tally.score(text_value)


def _text_evidence(
    fragment: str, before_content: str, after_content: str, before_text: str, after_text: str
) -> tuple[float, str | None]:
    key = text_key(fragment)
    if not key:
        return 0.0, None
    key_before, key_after = text_key(before_content), text_key(after_content)
    in_after = key in key_after
    in_before = key in key_before
    if in_after and not in_before:
        return WEIGHT_TEXT_MATCH, "description repeats or opens the next program's"
    if in_before and not in_after:
        return -WEIGHT_TEXT_MATCH, "description repeats the program before"
    similarity = _coverage(key, text_key(after_text)) - _coverage(key, text_key(before_text))
    if abs(similarity) < 0.05:
        return 0.0, None
    side = "next program" if similarity > 0 else "program before"
    return WEIGHT_TEXT_SIMILARITY * similarity, f"description reads like the {side}"


def _coverage(fragment: str, text: str) -> float:
    """Share of the fragment's character bigrams that occur in `text`."""
    grams = {fragment[i : i + 2] for i in range(len(fragment) - 1)}
    if not grams:
        return 0.0
    present = {text[i : i + 2] for i in range(len(text) - 1)}
    return len(grams & present) / len(grams)


def _joined(rows: list[AssemblyRow], attribute: str) -> str:
    return "".join(display_text(getattr(r, attribute)) for r in rows)


def _places(rows: list[AssemblyRow]) -> list[str]:
    """Codes (or texts) of the places named in the rows, in order, without repeats."""
    seen: dict[str, None] = {}
    for row in rows:
        for partner in row.partners.partners:
            seen.setdefault(partner.code or f"text:{text_key(partner.name)}", None)
    return list(seen)


def _share_in(places: list[str], prefectures: set[str]) -> float:
    if not places:
        return 0.0
    return sum(_prefecture(p) in prefectures for p in places) / len(places)


class _AdjacentPairs:
    """Which (place, next place) pairs stand in the lists of the other entries."""

    def __init__(self, counts: Counter[tuple[str, str]], excluded: Counter[tuple[str, str]]) -> None:
        self._counts, self._excluded = counts, excluded

    def __contains__(self, pair: tuple[str, str]) -> bool:
        return self._counts[pair] - self._excluded[pair] > 0


class _PairIndex:
    """Adjacent place pairs over every entry's list, kept up to date as rows move."""

    def __init__(self, lists: list[list[str]]) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self.add(*lists)

    @staticmethod
    def _pairs(places: list[str]) -> Counter[tuple[str, str]]:
        return Counter(itertools.pairwise(places))

    def add(self, *lists: list[str]) -> None:
        for places in lists:
            self._counts.update(self._pairs(places))

    def remove(self, *lists: list[str]) -> None:
        for places in lists:
            self._counts.subtract(self._pairs(places))

    def excluding(self, *lists: list[str]) -> _AdjacentPairs:
        excluded: Counter[tuple[str, str]] = Counter()
        for places in lists:
            excluded.update(self._pairs(places))
        return _AdjacentPairs(self._counts, excluded)


def _continuity(kept: list[str], moving: list[str], after: list[str], other_lists: _AdjacentPairs) -> int:
    """+1 per sign that `moving` runs on into `after`'s list, -1 per sign it runs on from `kept`'s.

    Signs: the two places at the seam stand next to each other in another program's list (wards copy their
    standard partner lists), or both lists are in code order and the seam keeps that order.
    """
    if not moving:
        return 0
    result = 0
    for left, right, sign in ((moving, after, 1), (kept, moving, -1)):
        if not left or not right:
            continue
        seam = (left[-1], right[0])
        if seam in other_lists:
            result += sign
        if _ascending(left[-3:]) and _ascending(right[:3]) and len(left) + len(right) > 2 and _ascending(list(seam)):
            result += sign
    return result


def _ascending(places: list[str]) -> bool:
    codes = [p for p in places if not p.startswith("text:")]
    return len(codes) == len(places) and all(a < b for a, b in itertools.pairwise(codes))


def _prefecture(place: str) -> str:
    return place[:2] if not place.startswith("text:") else place


def _start_style(rows: list[AssemblyRow]) -> str:
    items = [item for r in rows for item in parse_start_cell(r.start_cell).items]
    if any(item is not None for item in items):
        return "year"
    return "dash" if items else "empty"


def _places_by_ward(entries: list[Entry]) -> dict[str, Counter[str]]:
    """For each ward, in how many of its entries each place appears."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        counts[entry.ward.code].update(set(_places(entry.rows)))
    return counts


def _describe(rows: list[AssemblyRow]) -> str:
    return "row" if len(rows) == 1 else f"{len(rows)} rows"


def _provenance(rows: list[AssemblyRow]) -> Provenance:
    result = Provenance()
    for row in rows:
        result = result.merged(row.provenance)
    return result
