"""Finding the place a text starts with: prefecture, municipality, and the misprints one edit away.

Partners are written "群馬県嬬恋村", "福島県東白川郡塙町" (郡 is not part of the code list's name),
"京都府京都市山科区" (designated-city wards resolve to their city), "北海道十勝清水町" (a regional prefix),
or without a prefecture ("札幌市教育委員会"). The source has misprints ("嬭恋村", "鳥根県", "宮城県登米市市");
a misprint is repaired only when exactly one place of the same prefecture is one edit away. A municipality
merged away ("宮城県志波姫町", renkei/data/former_municipalities.csv) is recognised after its prefecture, before any
misprint is looked for: a former name is no misprint.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from renkei.reference import FormerMunicipality, Place, load_former_municipalities, load_reference

MUNICIPAL_SUFFIXES = "市区町村"
_PREFECTURE_ENDINGS = "都道府県縣"
_GUN = re.compile(r"(.{1,5}?)郡")
# A remainder that reads like a municipality name: up to five characters and 市/町/村 ("三郷町…"), but not
# a collective such as "宗谷町村会" or "市町村".
_MUNICIPAL_LOOKING = re.compile(r"^([^()（）市町村・、,\s]{1,5}(?<!都)[市町村])(?![町村])")
_FUZZY_MAX_LENGTH = 8


@dataclass(frozen=True)
class FormerName:
    """A former municipality named after its prefecture, and the text that follows its name."""

    municipality: FormerMunicipality
    tail: str


@dataclass(frozen=True)
class PlaceMatch:
    """The place(s) at the start of a text, and what follows them.

    `places` holds one place (or two when a cell glued them: "佐賀県武雄市太良町"); it is empty when the text
    names a prefecture whose municipality could not be resolved (`unresolved`) or is ambiguous (`candidates`).
    """

    places: tuple[Place, ...]
    tail: str
    prefecture: Place | None = None
    corrections: tuple[str, ...] = ()
    candidates: tuple[Place, ...] = ()
    unresolved: str | None = None
    likely: Place | None = None  # the candidate in the prefecture of the neighbouring partners, if one is
    former: FormerName | None = None  # a merged-away municipality after the prefecture (`places`: the prefecture)


class Gazetteer:
    """Lookups over the reference list."""

    def __init__(self, places: tuple[Place, ...], former: tuple[FormerMunicipality, ...] = ()) -> None:
        self.by_code: dict[str, Place] = {p.code: p for p in places}
        self.prefectures: dict[str, Place] = {p.prefecture: p for p in places if p.is_prefecture}
        self.cities_in: dict[str, dict[str, Place]] = defaultdict(dict)
        self.cities_named: dict[str, list[Place]] = defaultdict(list)
        for place in places:
            if place.city:
                self.cities_in[place.prefecture][place.city] = place
                self.cities_named[place.city].append(place)
        self._city_lengths = sorted({len(name) for name in self.cities_named}, reverse=True)
        # former names (and the short forms the table allows) per prefecture, longest first
        self.former_in: dict[str, list[tuple[str, FormerMunicipality]]] = defaultdict(list)
        self.former_named: dict[str, list[FormerMunicipality]] = defaultdict(list)
        for row in former:
            self.former_in[row.prefecture].append((place_key(row.name), row))
            if row.short_name:
                self.former_in[row.prefecture].append((place_key(row.short_name), row))
            self.former_named[place_key(row.name)].append(row)
        for names in self.former_in.values():
            names.sort(key=lambda item: -len(item[0]))

    # -- prefectures -------------------------------------------------------------------------------
    def prefecture_at_start(self, key: str) -> Place | None:
        for length in (4, 3):
            place = self.prefectures.get(key[:length])
            if place:
                return place
        return None

    def prefectures_one_edit_away(self, key: str) -> list[tuple[Place, int]]:
        """Prefectures the first 3 or 4 characters could be a misprint of ("鳥根県", "千葉縣")."""
        found: list[tuple[Place, int]] = []
        for length in (3, 4):
            head = key[:length]
            if len(head) < length or head[-1] not in _PREFECTURE_ENDINGS:
                continue
            for name, place in self.prefectures.items():
                if len(name) == length and Levenshtein.distance(name, head) == 1:
                    found.append((place, length))
        return found

    # -- municipalities ----------------------------------------------------------------------------
    def city_at_start(self, prefecture: str, text: str) -> Place | None:
        cities = self.cities_in.get(prefecture, {})
        for length in self._city_lengths:
            if length <= len(text):
                place = cities.get(text[:length])
                if place:
                    return place
        return None

    def bare_cities_at_start(self, text: str) -> list[Place]:
        """Municipalities (any prefecture) whose name the text starts with, longest name first."""
        for length in self._city_lengths:
            if length >= 2 and length <= len(text):
                places = self.cities_named.get(text[:length])
                if places:
                    return places
        return []

    def former_at_start(self, prefecture: str, text: str) -> tuple[FormerMunicipality, int] | None:
        """The former municipality of the prefecture `text` starts with, and the characters its name used.

        A short form ("志波姫" for 志波姫町) counts only when something other than 市/町/村 follows it.
        """
        for name, row in self.former_in.get(prefecture, ()):
            if not text.startswith(name):
                continue
            if name != place_key(row.name):
                following = text[len(name) : len(name) + 1]
                if not following or following in MUNICIPAL_SUFFIXES:
                    continue
            return row, len(name)
        return None

    def cities_one_edit_away(self, prefecture: str, text: str) -> list[tuple[Place, int]]:
        """(municipality, characters used) for every prefix of `text` one edit from a name in the prefecture.

        Only prefixes that end a name (at 市/区/町/村, a bracket, or the end of the text) are tried.
        """
        found: list[tuple[Place, int]] = []
        cities = self.cities_in.get(prefecture, {})
        for end in range(2, min(len(text), _FUZZY_MAX_LENGTH) + 1):
            head = text[:end]
            ends_name = end == len(text) or head[-1] in MUNICIPAL_SUFFIXES or text[end] in "(（"
            if not ends_name:
                continue
            for name, place in cities.items():
                if abs(len(name) - end) <= 1 and Levenshtein.distance(name, head) == 1:
                    found.append((place, end))
        return found


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(load_reference(), load_former_municipalities())


def describe_former(row: FormerMunicipality) -> str:
    """ "宮城県志波姫町 is a former municipality, merged into 宮城県栗原市 on 2005-04-01" (for warnings)."""
    return f"{row.prefecture}{row.name} is a former municipality, merged into {row.current.name} on {row.merged}"


def former_hint(name: str) -> str:
    """ " (…is a former municipality…)" when the table knows `name`, written without its prefecture, else ""."""
    rows = gazetteer().former_named.get(place_key(name), [])
    return f" ({'; '.join(describe_former(row) for row in rows)})" if rows else ""


# Small kana ヶ/ヵ are interchangeable with ケ/カ in place names (龍ヶ崎市 is listed as 龍ケ崎市): not misprints.
_KANA_VARIANTS = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})


def place_key(text: str) -> str:
    """NFKC without spaces, ヶ read as ケ: the form place matching works on."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_KANA_VARIANTS)


@lru_cache(maxsize=8192)
def match_place(text: str, context_prefecture: str | None = None) -> PlaceMatch | None:
    """The place(s) `text` starts with, or None when it starts with no place name at all.

    A bare name found in several prefectures ("府中市") is not guessed: the match lists the candidates, and
    `likely` names the one in `context_prefecture` (the neighbouring partners' prefecture) as a hint.
    """
    key = place_key(text)
    g = gazetteer()
    prefecture = g.prefecture_at_start(key)
    if prefecture:
        return _within_prefecture(g, prefecture, key[len(prefecture.prefecture) :], ())
    misprinted = g.prefectures_one_edit_away(key)
    if misprinted:
        resolved = []
        for candidate, length in misprinted:
            correction = f"{key[:length]}→{candidate.prefecture}"
            found = _within_prefecture(g, candidate, key[length:], (correction,), fuzzy=False)
            if found.places and not found.places[0].is_prefecture:
                resolved.append(found)
        if len(resolved) == 1:
            return resolved[0]
        if len(misprinted) == 1 and len(key) == misprinted[0][1]:
            candidate, length = misprinted[0]
            return PlaceMatch(places=(candidate,), tail="", corrections=(f"{key}→{candidate.prefecture}",))
        return None
    cities = g.bare_cities_at_start(key)
    if not cities:
        return None
    tail = key[len(cities[0].city or "") :]
    if len(cities) == 1:
        return PlaceMatch(places=(cities[0],), tail=tail)
    in_context = [c for c in cities if c.prefecture == context_prefecture]
    likely = in_context[0] if len(in_context) == 1 else None
    return PlaceMatch(places=(), tail=tail, candidates=tuple(cities), likely=likely)


def _within_prefecture(
    g: Gazetteer, prefecture: Place, rest: str, corrections: tuple[str, ...], *, fuzzy: bool = True
) -> PlaceMatch:
    """Resolve the municipality after a prefecture name (exact, after 郡, after a region, then one edit away)."""
    remainders = [(rest, 0)]
    gun = _GUN.match(rest)
    if gun:
        remainders.append((rest[gun.end() :], gun.end()))
    for text, offset in remainders:
        city = g.city_at_start(prefecture.prefecture, text)
        if city:
            return _after_city(g, prefecture, city, rest[offset + len(city.city or "") :], corrections)
    for start in range(1, 4):  # a regional prefix such as 十勝 in "北海道十勝清水町"
        head = rest[:start]
        if any(c in MUNICIPAL_SUFFIXES + "郡(（" for c in head):
            break
        city = g.city_at_start(prefecture.prefecture, rest[start:])
        if city and start + len(city.city or "") == len(rest):
            return PlaceMatch(places=(city,), tail="", prefecture=prefecture, corrections=corrections)
    looks_municipal = _MUNICIPAL_LOOKING.match(rest)
    for text, offset in remainders:  # a municipality merged away: "宮城県志波姫町", "宮城県栗原郡志波姫町"
        former = g.former_at_start(prefecture.prefecture, text)
        if former:
            row, used = former
            return PlaceMatch(
                places=(prefecture,),
                tail=rest,
                prefecture=prefecture,
                corrections=corrections,
                unresolved=looks_municipal.group(1) if looks_municipal else None,
                former=FormerName(row, rest[offset + used :]),
            )
    if fuzzy:
        for text, offset in remainders:
            found = g.cities_one_edit_away(prefecture.prefecture, text)
            distinct = {place.code: (place, used) for place, used in found}
            if len(distinct) == 1:
                ((city, used),) = distinct.values()
                correction = f"{text[:used]}→{city.city}"
                return PlaceMatch(
                    places=(city,),
                    tail=rest[offset + used :],
                    prefecture=prefecture,
                    corrections=(*corrections, correction),
                )
            if len(distinct) > 1:
                used = max(u for _, u in distinct.values())
                return PlaceMatch(
                    places=(),
                    tail=rest[offset + used :],
                    prefecture=prefecture,
                    corrections=corrections,
                    candidates=tuple(p for p, _ in distinct.values()),
                )
    return PlaceMatch(
        places=(prefecture,),
        tail=rest,
        prefecture=prefecture,
        corrections=corrections,
        unresolved=looks_municipal.group(1) if looks_municipal else None,
    )


def _after_city(g: Gazetteer, prefecture: Place, city: Place, tail: str, corrections: tuple[str, ...]) -> PlaceMatch:
    name = city.city or ""
    if tail and tail == name[-1]:  # "宮城県登米市市": the suffix printed twice
        return PlaceMatch(
            places=(city,), tail="", prefecture=prefecture, corrections=(*corrections, f"{name}{tail}→{name}")
        )
    second = g.cities_in[prefecture.prefecture].get(tail.removesuffix("等")) if tail else None
    if second and second.code != city.code:  # "佐賀県武雄市太良町": two places glued by a lost space
        return PlaceMatch(
            places=(city, second), tail=tail[len(second.city or "") :], prefecture=prefecture, corrections=corrections
        )
    return PlaceMatch(places=(city,), tail=tail, prefecture=prefecture, corrections=corrections)


def place_named(name: str) -> Place:
    """The place a user names: a code ("104256"), "群馬県嬬恋村", "嬬恋村" when unique, or a prefecture.

    Raises UnknownNameError saying what matched (nothing, or several places).
    """
    from renkei.errors import UnknownNameError

    g = gazetteer()
    key = place_key(name)
    if key.isdigit() and key in g.by_code:
        return g.by_code[key]
    match = match_place(key)
    if match is not None and not match.tail and len(match.places) == 1:
        return match.places[0]
    if match is not None and match.candidates and not match.tail:
        names = "、".join(p.name for p in match.candidates)
        raise UnknownNameError(f"{name!r} names several places ({names}); add the prefecture")
    found = _by_reading_or_stem(key)
    if len(found) == 1:
        return found[0]
    if found:
        names = "、".join(p.name for p in found[:8]) + ("…" if len(found) > 8 else "")
        raise UnknownNameError(f"{name!r} names several places ({names}); add the prefecture")
    raise UnknownNameError(f"{name!r} is not a prefecture or municipality of the reference list")


_READING_SUFFIXES = ("シ", "マチ", "チョウ", "ムラ", "ソン", "ク")


@lru_cache(maxsize=1)
def _user_spellings() -> dict[str, list[Place]]:
    """Spellings a user may give a municipality beyond its written name: its reading (katakana, with and without
    the final シ/マチ/チョウ/ムラ/ソン/ク, also after the prefecture's reading) and its name without 市/町/村/区
    (嬬恋 → 群馬県嬬恋村), each with every place it may mean."""
    from renkei.normalise.wards import katakana

    index: dict[str, list[Place]] = defaultdict(list)
    for place in gazetteer().by_code.values():
        if not place.city:
            continue
        reading = katakana(place.city_kana)
        spellings = {place.city[:-1] if place.city[-1] in "市町村区" else place.city}
        if reading:
            bare = next((reading[: -len(s)] for s in _READING_SUFFIXES if reading.endswith(s)), reading)
            prefecture = katakana(place.prefecture_kana)
            spellings |= {reading, bare, prefecture + reading, prefecture + bare}
        for spelling in spellings:
            if spelling and place not in index[spelling]:
                index[spelling].append(place)
    return dict(index)


def _by_reading_or_stem(key: str) -> list[Place]:
    from renkei.normalise.wards import katakana

    return _user_spellings().get(katakana(key), [])
