"""Character-level differences between an old and a new text, for highlighting edits."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


def diff_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """The old text split into kept/deleted segments, and the new one into kept/inserted segments."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    before: list[Segment] = []
    after: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            before.append(Segment(old[i1:i2], False))
            after.append(Segment(new[j1:j2], False))
            continue
        if i2 > i1:
            before.append(Segment(old[i1:i2], True))
        if j2 > j1:
            after.append(Segment(new[j1:j2], True))
    return before, after
