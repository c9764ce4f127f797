"""The 23 special wards: the ward cell ("千代田", "千代田区") to its code and name."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from renkei.records import Ward
from renkei.reference import WARD_CODES, load_reference


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


def ward_from_cell(text: str) -> Ward | None:
    """The ward a 各特別区名 cell names ("千代田", "千代田区", "131016"; spaces ignored), or None.

    "東京都板橋区" is not a ward cell: written with its prefecture it is a partner that lost its left cells
    (2026 edition, line 1744).
    """
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return _ward_index().get(key)
