"""The 23 special wards: the ward cell ("千代田", "千代田区") to its code and name, and a ward as a user names it."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from renkei.errors import UnknownNameError
from renkei.records import Ward
from renkei.reference import WARD_CODES, load_reference

SUGGESTION_CUTOFF = 70  # rapidfuzz WRatio (0–100) a spelling must reach to be offered as "did you mean"
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


@lru_cache(maxsize=1)
def all_wards() -> tuple[Ward, ...]:
    """The 23 wards in code order (千代田区 … 江戸川区)."""
    by_prefix = {p.code[:5]: p for p in load_reference() if p.city}
    return tuple(Ward(code=by_prefix[c].code, name=by_prefix[c].city or "") for c in WARD_CODES)


@lru_cache(maxsize=1)
def _ward_index() -> dict[str, Ward]:
    index: dict[str, Ward] = {}
    for ward in all_wards():
        index[ward.name] = ward
        index[ward.name.removesuffix("区")] = ward
        index[ward.code] = ward
    return index


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def ward_from_cell(text: str) -> Ward | None:
    """The ward a 各特別区名 cell names ("千代田", "千代田区", "131016"; spaces ignored), or None.

    "東京都板橋区" is not a ward cell: written with its prefecture it is a partner that lost its left cells
    (2026 edition, line 1744).
    """
    return _ward_index().get(_key(text))


def katakana(text: str) -> str:
    """Hiragana to katakana (after NFKC, which turns the reference list's half-width ｶﾅ into full width)."""
    return unicodedata.normalize("NFKC", text).translate(_HIRAGANA_TO_KATAKANA)


@lru_cache(maxsize=1)
def _user_spellings() -> dict[str, Ward]:
    """Every spelling a user may give a ward in, keyed as `ward_named` keys its input: the cell spellings, with
    東京都 before them, and the reading from the reference list with and without its final ク (katakana; hiragana
    input is converted)."""
    index = dict(_ward_index())
    by_code = {p.code: p for p in load_reference()}
    for ward in all_wards():
        index["東京都" + ward.name] = ward
        index["東京都" + ward.name.removesuffix("区")] = ward
        reading = katakana(by_code[ward.code].city_kana)
        if reading:
            index[reading] = ward
            index[reading.removesuffix("ク")] = ward
    return index


def ward_named(text: str) -> Ward:
    """The ward a user names: 千代田, 千代田区, 東京都千代田区, ちよだ / チヨダ / ちよだく (its reading), 131016.

    Raises UnknownNameError, with the nearest spelling as "did you mean" when one is close.
    """
    key = katakana(_key(text))
    ward = _user_spellings().get(key)
    if ward is not None:
        return ward
    message = f"{text!r} is not one of the 23 special wards"
    suggestion = suggest_ward(text)
    raise UnknownNameError(f"{message}; did you mean {suggestion}?" if suggestion else message)


def suggest_ward(text: str) -> str | None:
    """The name of the ward whose spelling is nearest to `text` (rapidfuzz WRatio ≥ SUGGESTION_CUTOFF), or None."""
    from rapidfuzz import fuzz, process

    key = katakana(_key(text)).removeprefix("東京都")
    if not key:
        return None
    spellings = {k: w for k, w in _user_spellings().items() if not k.startswith("東京都")}
    best = process.extractOne(key, list(spellings), scorer=fuzz.WRatio, score_cutoff=SUGGESTION_CUTOFF)
    return spellings[best[0]].name if best else None
