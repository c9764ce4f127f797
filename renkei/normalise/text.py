"""Text forms of a cell: the display form people read and the key used to compare.

Cells come from a table whose line wraps turned into spaces ("友好都市交流研 修"), while real spaces exist
between Latin words ("Sky View Lounge BAR"). The display form removes every space that is not between two
Latin characters; the key (NFKC, no spaces at all) is what identity and comparisons use.

Before either, a cell is cleaned (`clean_cell`): invisible characters and HTML markup never reach a record.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tags an extractor (or anyone) left in a cell: start and end tags, comments, declarations and processing
# instructions, and end tags that are no tag ("</1>", a bogus comment to a browser). As in a browser, a tag
# runs to the first ">" ("<a<b>" is one tag). Spaces after "<" count too: a display form drops them
# ("< script>" → "<script>").
_MARKUP = re.compile(r"<\s*[/!?A-Za-z][^>]*>")
_SPACES = re.compile(r"[\s\u3000]+")
_LATIN_PUNCTUATION = set("&'.,-+/%#@!?:;")
# Bullets and spaces a continuation fragment may start with before the text it repeats ("・よび物資の提供。").
_LEADING_NOISE = re.compile(r"^[\s\u3000・･]+")
# Control characters that separate text: they stay, and the display forms turn them into spaces like any wrap.
_SEPARATING_CONTROLS = frozenset("\t\n\r\v\f")
# Unicode categories removed from every cell: Cf (format: bidi controls U+202A–U+202E, U+2066–U+2069, U+200E,
# U+200F, U+061C; zero-width U+200B–U+200D, U+2060, U+FEFF; soft hyphen U+00AD; …), Cc (controls other than
# the separators above) and Cs (lone surrogates). None belongs in Japanese administrative text; bidi controls
# reorder what a reader sees (a name shown other than it is stored) and zero-width ones make equal names
# compare unequal. Private-use (Co: 外字) and variation selectors (Mn: 異体字 IVS) are kept.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs"})


def is_invisible(char: str) -> bool:
    """Whether `char` is a format, control or surrogate character `clean_cell` removes."""
    return char not in _SEPARATING_CONTROLS and unicodedata.category(char) in _INVISIBLE_CATEGORIES


def remove_invisible(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` without invisible characters (see `is_invisible`), and those removed, each once, in order."""
    if text.isprintable():  # the common case, at C speed: no Cc/Cf/Cs (nor separators, which stay anyway)
        return text, ()
    removed = [char for char in text if is_invisible(char)]
    if not removed:
        return text, ()
    return "".join(char for char in text if not is_invisible(char)), tuple(dict.fromkeys(removed))


def describe_code_points(chars: tuple[str, ...]) -> str:
    """Code points with their names for a warning: "U+202E RIGHT-TO-LEFT OVERRIDE, U+0007" (controls have none)."""
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in chars)


def strip_markup(text: str) -> tuple[str, bool]:
    """Remove HTML tags an extractor left in a cell (2026 edition: `<ul style=...>`); say whether any were.

    Repeated until nothing changes, so that removing one tag cannot leave another: "<<b>script>" holds a
    `<script>` once `<b>` is gone. Each pass shortens the text, so at most len(text) passes run.
    """
    cleaned = text
    for _ in range(len(text)):
        stripped = _MARKUP.sub(" ", cleaned)
        if stripped == cleaned:
            break
        cleaned = stripped
    return cleaned, cleaned != text


def clean_cell(text: str) -> tuple[str, tuple[str, ...], bool]:
    """A cell without invisible characters, then without markup (see `strip_markup`).

    Returns the cleaned text, the invisible characters removed (each once) and whether markup was removed.
    Invisible characters go first: "<", U+200B, "script>" is a tag once the zero-width space is gone.
    """
    visible, removed = remove_invisible(text)
    cleaned, had_markup = strip_markup(visible)
    return cleaned, removed, had_markup


def _is_latin(char: str) -> bool:
    if unicodedata.category(char) == "No":  # sub/superscripts such as "₂" in "CO ₂"
        return False
    folded = unicodedata.normalize("NFKC", char)
    return len(folded) == 1 and folded.isascii() and (folded.isalnum() or folded in _LATIN_PUNCTUATION)


@lru_cache(maxsize=65536)
def display_text(text: str) -> str:
    """Cell text for people: invisible characters and markup removed, spaces collapsed, wrap spaces dropped
    unless between Latin words."""
    text, _, _ = clean_cell(text)
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
    """The comparison form: invisible characters and markup removed, NFKC, every space removed.

    NFKC can make markup ("＜ｂ＞" → "<b>") or bring together what a removal left apart (a combining mark after
    a tag), so the steps repeat until nothing changes. After the first pass NFKC only composes and reorders:
    a pass either shortens the key or leaves one the next pass keeps, hence the bound.
    """
    key = _key_pass(text)
    for _ in range(2 * len(key) + 1):
        again = _key_pass(key)
        if again == key:
            break
        key = again
    return key


def _key_pass(text: str) -> str:
    cleaned, _, _ = clean_cell(text)
    return _SPACES.sub("", unicodedata.normalize("NFKC", cleaned))


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
        consumed += len(text_key(char))
    return ""
