"""Program identity across two chronologically adjacent editions.

`match_editions(old, new)` pairs the records of the earlier edition with those of the later one; a pair is
"the same program". Every pair carries a confidence (0–1) and a short human-readable reason. The warehouse
uses the pairs as program identity; the differ turns them into change events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from renkei.normalise.text import text_key
from renkei.records import Record


@dataclass(frozen=True)
class Match:
    old: int  # index into the earlier edition's records
    new: int  # index into the later edition's records
    confidence: float
    reason: str


def exact_key(record: Record) -> tuple[str, str, str]:
    """Exact continuity: the same ward, the same name (as its key) and the same description."""
    return (record.ward.code, record.name_key, text_key(record.content))


def match_editions(old: Sequence[Record], new: Sequence[Record]) -> list[Match]:
    """Pair programs that continue from `old` to `new` (exact continuity), in document order of `new`."""
    waiting: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(old):
        waiting[exact_key(record)].append(index)
    matches: list[Match] = []
    for index, record in enumerate(new):
        candidates = waiting.get(exact_key(record))
        if candidates:
            matches.append(Match(old=candidates.pop(0), new=index, confidence=1.0, reason="same name"))
    return matches
