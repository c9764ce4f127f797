"""Program identity across two chronologically adjacent editions.

`match_editions(old, new)` pairs the records of the earlier edition with those of the later one; a pair is
"the same program". Matching works ward by ward:

1. **Same name.** Records whose `name_key` is identical are paired. When one ward lists several programs
   under one name (two agreements called 災害時相互応援協定 with different towns), they are told apart by
   description and partners: the pairs with the best combined similarity win.
2. **Similar.** The records left over are scored pairwise on name similarity (rapidfuzz, with spaces,
   width, years and ordinals normalised so that "…スタンプラリー2024" and "…2025" are the same name),
   description similarity, shared partner places, category and body. A one-to-one assignment takes the
   best-scoring pairs first; a pair is accepted when its score reaches `MATCH_THRESHOLD` and either the
   names or the descriptions are close (`NAME_FLOOR`, `DESCRIPTION_FLOOR`) — a program whose name *and*
   description both changed is reported as ended and new rather than guessed.

Every pair carries a confidence (0–1: 1.0 for the same name, else its score) and a short reason such as
"same name", "name differs only in year 2024→2025" or "name 82% similar, same partners, same description".
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from renkei.normalise.text import text_key
from renkei.records import Record

# Weights of the pair score (they sum to 1) and the acceptance rules; see the module docstring.
WEIGHT_NAME = 0.35
WEIGHT_DESCRIPTION = 0.35
WEIGHT_PARTNERS = 0.20
WEIGHT_CATEGORY = 0.05
WEIGHT_BODY = 0.05
MATCH_THRESHOLD = 0.60
NAME_FLOOR = 0.60
DESCRIPTION_FLOOR = 0.80
SAME_NAME_FLOOR = 0.30  # two programs sharing a name are not paired below this (nothing else in common)

_YEARS = re.compile(r"(?:令和|平成|昭和)?\s*(?:元|\d+)\s*年度?|\d+")
_ORDINALS = re.compile(r"第\s*(?:\d+|[一二三四五六七八九十]+)\s*[回期次]")


@dataclass(frozen=True)
class Match:
    old: int  # index into the earlier edition's records
    new: int  # index into the later edition's records
    confidence: float
    reason: str


@dataclass(frozen=True)
class Similarity:
    name: float
    description: float
    partners: float
    category: bool
    body: bool
    same_partners: bool
    same_description: bool
    shared_partners: int
    partner_count: int

    @property
    def score(self) -> float:
        return (
            WEIGHT_NAME * self.name
            + WEIGHT_DESCRIPTION * self.description
            + WEIGHT_PARTNERS * self.partners
            + WEIGHT_CATEGORY * self.category
            + WEIGHT_BODY * self.body
        )


def name_shape(name_key: str) -> str:
    """A name with years, numbers and ordinals replaced by placeholders: what a year bump leaves unchanged."""
    folded = unicodedata.normalize("NFKC", name_key)
    return _YEARS.sub("#", _ORDINALS.sub("第#回", folded))


def exact_key(record: Record) -> tuple[str, str, str]:
    """Exact continuity: the same ward, the same name (as its key) and the same description."""
    return (record.ward.code, record.name_key, text_key(record.content))


def _places(record: Record) -> set[str]:
    return {p.identity for p in record.partners}


def similarity(old: Record, new: Record) -> Similarity:
    """How alike two records are, field by field (each 0–1)."""
    name_old, name_new = name_shape(old.name_key), name_shape(new.name_key)
    name = 1.0 if name_old == name_new else fuzz.ratio(name_old, name_new) / 100
    desc_old, desc_new = text_key(old.content), text_key(new.content)
    if desc_old == desc_new:
        description = 1.0
    elif not desc_old or not desc_new:
        description = 0.0
    else:
        description = max(fuzz.ratio(desc_old, desc_new), 0.9 * fuzz.partial_ratio(desc_old, desc_new)) / 100
    places_old, places_new = _places(old), _places(new)
    shared = len(places_old & places_new)
    union = len(places_old | places_new)
    partners = shared / union if union else 0.5
    return Similarity(
        name=name,
        description=description,
        partners=partners,
        category=text_key(old.category) == text_key(new.category),
        body=text_key(old.body) == text_key(new.body),
        same_partners=places_old == places_new,
        same_description=desc_old == desc_new,
        shared_partners=shared,
        partner_count=len(places_old | places_new),
    )


def match_editions(old: Sequence[Record], new: Sequence[Record]) -> list[Match]:
    """Pair the programs of two adjacent editions (see the module docstring), in document order of `new`."""
    old_by_ward: dict[str, list[int]] = defaultdict(list)
    new_by_ward: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(old):
        old_by_ward[record.ward.code].append(index)
    for index, record in enumerate(new):
        new_by_ward[record.ward.code].append(index)
    matches: list[Match] = []
    for ward, new_indexes in new_by_ward.items():
        matches.extend(_match_ward(old, new, old_by_ward.get(ward, []), new_indexes))
    return sorted(matches, key=lambda m: m.new)


def _match_ward(old: Sequence[Record], new: Sequence[Record], old_ids: list[int], new_ids: list[int]) -> list[Match]:
    matches: list[Match] = []
    old_by_name: dict[str, list[int]] = defaultdict(list)
    new_by_name: dict[str, list[int]] = defaultdict(list)
    for i in old_ids:
        old_by_name[old[i].name_key].append(i)
    for i in new_ids:
        new_by_name[new[i].name_key].append(i)
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for name_key, news in new_by_name.items():
        olds = old_by_name.get(name_key, [])
        if not olds:
            continue
        if len(olds) == 1 and len(news) == 1:
            matches.append(Match(olds[0], news[0], 1.0, "same name"))
            taken_old.add(olds[0])
            taken_new.add(news[0])
            continue
        pairs = sorted(
            ((similarity(old[o], new[n]), o, n) for o in olds for n in news),
            key=lambda item: (-_same_name_score(item[0]), item[1], item[2]),
        )
        others = max(len(olds), len(news)) - 1
        for sim, o, n in pairs:
            if o in taken_old or n in taken_new or _same_name_score(sim) < SAME_NAME_FLOOR:
                continue
            taken_old.add(o)
            taken_new.add(n)
            confidence = round(0.7 + 0.3 * _same_name_score(sim), 3)
            matches.append(
                Match(o, n, confidence, f"same name; told apart from {others} other(s) of that name by {_basis(sim)}")
            )
    rest_old = [i for i in old_ids if i not in taken_old]
    rest_new = [i for i in new_ids if i not in taken_new]
    candidates = []
    for o in rest_old:
        for n in rest_new:
            sim = similarity(old[o], new[n])
            if sim.score >= MATCH_THRESHOLD and (sim.name >= NAME_FLOOR or sim.description >= DESCRIPTION_FLOOR):
                candidates.append((sim, o, n))
    candidates.sort(key=lambda item: (-item[0].score, item[1], item[2]))
    for sim, o, n in candidates:
        if o in taken_old or n in taken_new:
            continue
        taken_old.add(o)
        taken_new.add(n)
        matches.append(Match(o, n, round(sim.score, 3), _reason(old[o], new[n], sim)))
    return matches


def _same_name_score(sim: Similarity) -> float:
    """Among programs sharing a name, only description and partners can tell them apart."""
    return 0.5 * sim.description + 0.5 * sim.partners


def _basis(sim: Similarity) -> str:
    parts = []
    parts.append("the same description" if sim.same_description else f"description {sim.description:.0%} similar")
    parts.append("the same partners" if sim.same_partners else f"{sim.shared_partners} shared partner(s)")
    return " and ".join(parts)


def _reason(old: Record, new: Record, sim: Similarity) -> str:
    if name_shape(old.name_key) == name_shape(new.name_key):
        before = [m.group(0) for m in _YEARS.finditer(unicodedata.normalize("NFKC", old.name_key))]
        after = [m.group(0) for m in _YEARS.finditer(unicodedata.normalize("NFKC", new.name_key))]
        changed = [f"{a}→{b}" for a, b in zip(before, after, strict=False) if a != b]
        name = f"name differs only in year {', '.join(changed)}" if changed else "name differs only in numbering"
    else:
        name = f"name {sim.name:.0%} similar"
    partners = "same partners" if sim.same_partners else f"{sim.shared_partners} of {sim.partner_count} partners shared"
    description = "same description" if sim.same_description else f"description {sim.description:.0%} similar"
    return f"{name}, {partners}, {description}"
