"""Text forms of a cell: the display form people read and the key used to compare.

Cells come from a table whose line wraps turned into spaces ("友好都市交流研 修"), while real spaces exist
between Latin words ("Sky View Lounge BAR"). The display form removes every space that is not between two
Latin characters; the key (NFKC, no spaces at all) is what identity and comparisons use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
_SPACES = re.compile(r"[\s\u3000]+")
_LATIN_PUNCTUATION = set("&'.,-+/%#@!?:;")
# Bullets and spaces a continuation fragment may start with before the text it repeats ("・よび物資の提供。").
_LEADING_NOISE = re.compile(r"^[\s\u3000・･]+")


def strip_markup(text: str) -> tuple[str, bool]:
    """Remove HTML tags an extractor left in a cell (2026 edition: `<ul style=...>`); say whether any were."""
    cleaned = _MARKUP.sub(" ", text)
    return cleaned, cleaned != text


def _is_latin(char: str) -> bool:
    if unicodedata.category(char) == "No":  # sub/superscripts such as "₂" in "CO ₂"
        return False
    folded = unicodedata.normalize("NFKC", char)
    return len(folded) == 1 and folded.isascii() and (folded.isalnum() or folded in _LATIN_PUNCTUATION)


@lru_cache(maxsize=65536)
def display_text(text: str) -> str:
    """Cell text for people: markup removed, spaces collapsed, wrap spaces dropped unless between Latin words."""
    text, _ = strip_markup(text)
    text = _SPACES.sub(" ", text).strip()
    if " " not in text:
        return text
    out: list[str] = []
    for i, char in enumerate(text):
        if char == " " and not (_is_latin(text[i - 1]) and _is_latin(text[i + 1])):
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=65536)
def text_key(text: str) -> str:
    """The comparison form: markup removed, NFKC, every space removed."""
    text, _ = strip_markup(text)
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def merge_fragment(existing: str, fragment: str, separator: str = "\n") -> str:
    """Join a cell fragment from a later row to the text gathered so far, without repeating what overlaps.

    Repeated rows repeat their description; a cell cut at a page break continues on the next page, sometimes
    repeating a few characters ("…資機材お よび物資の提供" then "・よび物資の提供。…"). Unrelated fragments are
    joined with `separator` (a new line by default; "" for a cell cut mid-text).
    """
    if not fragment:
        return existing
    if not existing:
        return fragment
    key_existing, key_fragment = text_key(existing), text_key(fragment)
    if key_fragment in key_existing:
        return existing
    if key_fragment.startswith(key_existing):
        return fragment
    trimmed = _LEADING_NOISE.sub("", fragment)
    key_trimmed = text_key(trimmed)
    for size in range(min(len(key_existing), len(key_trimmed)) - 1, 1, -1):
        if key_existing.endswith(key_trimmed[:size]):
            return existing + _drop_key_prefix(trimmed, size)
    return f"{existing}{separator}{fragment}"


def _drop_key_prefix(text: str, size: int) -> str:
    """`text` without the characters that make up the first `size` characters of its key."""
    consumed = 0
    for index, char in enumerate(text):
        if consumed >= size:
            return text[index:]
        consumed += len(_SPACES.sub("", unicodedata.normalize("NFKC", char)))
    return ""
