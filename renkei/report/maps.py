"""A map of Japan as geometry for inline SVG: prefectures shaded by a count, partner municipalities as points.

Shapes: renkei/data/map/prefectures.json, derived from japanmap 0.6.0 (Apache-2.0) by
scripts/build_prefecture_shapes.py — one outline per prefecture (the area containing its capital; outlying
islands are not drawn), 北海道 and 沖縄県 moved into insets. Points: the city-hall coordinates of JpGeocode
(MIT), projected the same way, so a 北海道 municipality lands in the moved 北海道. The template
(templates/map.html.j2) draws the result; names stay data there and are escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from renkei.normalise.places import gazetteer
from renkei.reference import Place

STATES = ("ended", "current", "new")  # drawing order: new partners on top
COUNTRY_WIDTH = 520  # CSS pixels of the whole-country map
FOCUS_SIZE = 520  # the longer side of a focused map, in CSS pixels
COUNTRY_MARGIN = 150  # map units (~15 km)
FOCUS_MARGIN = 0.08  # of the focused frame's longer side
FOCUS_MIN_MARGIN = 60  # map units: a prefecture with one point still gets some surroundings
FOCUS_MIN_ASPECT = 0.6  # a long thin prefecture is widened to at least this ratio of its sides
FOCUS_REACH = 0.25  # how far beyond its outline a prefecture's points may widen a focused frame
UNIT_LABEL = "連携自治体数"

# Shade classes for a count of partner municipalities per prefecture: most prefectures have a few, the wards'
# neighbours and some rural partners dozens, so breaks grow roughly geometrically (0 = not shaded).
SHADE_BREAKS = ((10, 4), (5, 3), (2, 2), (1, 1))
LEGEND = (("1", 1), ("2–4", 2), ("5–9", 3), ("10以上", 4))

# Municipalities renamed since JpGeocode's data (0.3.1) was compiled: current name → the name it has there.
RENAMED = {("兵庫県", "丹波篠山市"): ("兵庫県", "篠山市")}  # 篠山市 became 丹波篠山市 on 2019-05-01

_PATH = re.compile(r"M(-?\d+) (-?\d+)l((?: ?-?\d+)+)Z")
_NUMBER = re.compile(r"-?\d+")

Box = tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass(frozen=True)
class PrefectureShape:
    code: str  # 6-digit prefecture code with check digit, as in the gazetteer ("130001")
    name: str
    d: str  # SVG path data in map units
    count: int  # the shading value given (0 = not shaded)
    shade: int  # 0 (none) .. 4 (darkest)
    href: str | None
    focus: bool


@dataclass(frozen=True)
class MapPoint:
    code: str
    name: str
    x: float
    y: float
    state: str  # "current" | "new" | "ended"
    href: str | None


@dataclass(frozen=True)
class JapanMap:
    title: str
    view_box: str  # "minx miny w h"
    width: int  # suggested CSS pixel size
    height: int
    prefectures: list[PrefectureShape]  # all 47, JIS order
    points: list[MapPoint]  # ended first, then current, then new
    unplaced: list[str]  # names of points without coordinates or outside the frame
    legend: list[tuple[str, int]]  # (label, shade class); empty when nothing is shaded
    unit: str  # what the count counts


@dataclass(frozen=True)
class _Outline:
    place: Place  # the prefecture
    d: str
    ring: tuple[tuple[int, int], ...]
    box: Box


@dataclass(frozen=True)
class _Shapes:
    outlines: tuple[_Outline, ...]  # JIS order
    by_prefix: dict[str, _Outline]  # first two digits of the code → outline
    origin: tuple[float, float]  # (lon0, lat0) of the projection
    scale: tuple[float, float]  # map units per degree of longitude, of latitude
    insets: dict[str, tuple[float, float]]  # first two digits → (Δlon, Δlat) of 北海道's and 沖縄県's insets
    frame: Box  # the whole country with margin


def parse_path(d: str) -> list[tuple[int, int]]:
    """The vertices of "M x y l dx dy … Z" (the only form prefectures.json uses)."""
    match = _PATH.fullmatch(d)
    if not match:
        raise ValueError(f"unexpected path data {d[:40]!r}")
    x, y = int(match[1]), int(match[2])
    steps = [int(n) for n in _NUMBER.findall(match[3])]
    if len(steps) % 2:
        raise ValueError(f"odd number of coordinates in {d[:40]!r}")
    ring = [(x, y)]
    for i in range(0, len(steps), 2):
        x, y = x + steps[i], y + steps[i + 1]
        ring.append((x, y))
    return ring


def _box(points: Sequence[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=1)
def _shapes() -> _Shapes:
    """prefectures.json parsed once per process, checked against the municipality list's prefectures."""
    data = json.loads((resources.files("renkei") / "data" / "map" / "prefectures.json").read_text(encoding="utf-8"))
    places = gazetteer().by_code
    outlines = []
    for item in data["prefectures"]:
        place = places.get(item["code"])
        if place is None or not place.is_prefecture or place.prefecture != item["name"]:
            raise ValueError(f"prefectures.json: {item['code']} {item['name']} is no prefecture of the reference list")
        ring = tuple(parse_path(item["d"]))
        outlines.append(_Outline(place, item["d"], ring, _box(ring)))
    boxes = [o.box for o in outlines]
    frame = (
        min(b[0] for b in boxes) - COUNTRY_MARGIN,
        min(b[1] for b in boxes) - COUNTRY_MARGIN,
        max(b[2] for b in boxes) + COUNTRY_MARGIN,
        max(b[3] for b in boxes) + COUNTRY_MARGIN,
    )
    projection = data["projection"]
    return _Shapes(
        outlines=tuple(outlines),
        by_prefix={o.place.code[:2]: o for o in outlines},
        origin=(projection["lon0"], projection["lat0"]),
        scale=(projection["x_scale"] * projection["unit"], projection["unit"]),
        insets={code[:2]: (shift["lon"], shift["lat"]) for code, shift in projection["insets"].items()},
        frame=frame,
    )


@lru_cache(maxsize=1)
def _geocode() -> dict[str, tuple[float, float]]:
    """JpGeocode's "都道府県,市区町村" → (lon, lat), read once."""
    text = (resources.files("JpGeocode") / "data" / "jp_geocode.json").read_text(encoding="utf-8")
    return {key: (value["lng"], value["lat"]) for key, value in json.loads(text).items()}


def coordinates(place: Place) -> tuple[float, float] | None:
    """(lon, lat) of a municipality's office, or None (a prefecture, or a name JpGeocode does not know)."""
    if place.city is None:
        return None
    prefecture, city = RENAMED.get((place.prefecture, place.city), (place.prefecture, place.city))
    return _geocode().get(f"{prefecture},{city}")


@lru_cache(maxsize=4096)  # a site draws the same partners on many maps
def _position(place: Place) -> tuple[float, float] | None:
    """Map units as the shapes use them: a 北海道 or 沖縄県 municipality moves with its prefecture's inset."""
    lonlat = coordinates(place)
    if lonlat is None:
        return None
    lon, lat = lonlat
    shapes = _shapes()
    dlon, dlat = shapes.insets.get(place.code[:2], (0.0, 0.0))
    x = (lon + dlon - shapes.origin[0]) * shapes.scale[0]
    y = (shapes.origin[1] - lat - dlat) * shapes.scale[1]
    return round(x, 1), round(y, 1)


def shade_class(count: int) -> int:
    """0 → 0; 1 → 1, 2–4 → 2, 5–9 → 3, 10 and more → 4 (fixed: a colour means the same on every page)."""
    for lower, shade in SHADE_BREAKS:
        if count >= lower:
            return shade
    return 0


def _prefecture_prefix(code: str) -> str:
    """The two-digit prefecture of a prefecture code, with its check digit ("130001") or without ("130000")."""
    if len(code) != 6 or not code.isdigit() or code[2:5] != "000" or code[:2] not in _shapes().by_prefix:
        raise ValueError(f"{code!r} is no prefecture code")
    return code[:2]


def _inside(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _focus_frame(box: Box, country: Box) -> Box:
    """`box` with a margin, widened to a readable aspect, kept inside the country frame."""
    width, height = box[2] - box[0], box[3] - box[1]
    margin = max(FOCUS_MIN_MARGIN, FOCUS_MARGIN * max(width, height))
    width, height = width + 2 * margin, height + 2 * margin
    width, height = max(width, FOCUS_MIN_ASPECT * height), max(height, FOCUS_MIN_ASPECT * width)
    centre_x, centre_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    frame = [centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2]
    for low, high in ((0, 2), (1, 3)):  # shift back inside, then crop what still sticks out
        if frame[low] < country[low]:
            frame[high] += country[low] - frame[low]
            frame[low] = country[low]
        if frame[high] > country[high]:
            frame[low] = max(country[low], frame[low] - (frame[high] - country[high]))
            frame[high] = country[high]
    return frame[0], frame[1], frame[2], frame[3]


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def japan_map(
    title: str,
    shading: Mapping[str, int],
    points: Sequence[tuple[Place, str]],
    *,
    focus: str | None = None,
    prefecture_href: Callable[[Place], str | None] | None = None,
    place_href: Callable[[Place], str | None] | None = None,
    unit: str = UNIT_LABEL,
) -> JapanMap:
    """The map: all 47 prefectures (shaded by `shading`, prefecture code → count), the municipalities of `points`
    with their state; with `focus` (a prefecture code) cropped to that prefecture and its points."""
    shapes = _shapes()
    counts: dict[str, int] = {}
    for code, count in shading.items():
        prefix = _prefecture_prefix(code)
        if prefix in counts:
            raise ValueError(f"shading gives prefecture {code} twice")
        if count < 0:
            raise ValueError(f"shading: negative count {count} for {code}")
        counts[prefix] = count
    focus_prefix = _prefecture_prefix(focus) if focus is not None else None

    placed: list[tuple[Place, str, float, float]] = []
    unplaced: list[str] = []
    seen: set[tuple[str, str]] = set()
    for place, state in points:
        if state not in STATES:
            raise ValueError(f"point state {state!r} is none of {', '.join(STATES)}")
        if place.is_prefecture or (place.code, state) in seen:
            continue
        seen.add((place.code, state))
        position = _position(place)
        if position is not None and _inside(shapes.frame, *position):
            placed.append((place, state, *position))
        else:
            unplaced.append(place.name)

    frame = shapes.frame
    if focus_prefix is not None:
        box = shapes.by_prefix[focus_prefix].box
        # Points near the outline widen the frame; far islands (東京都's 伊豆諸島 and 小笠原) would shrink the
        # prefecture to a corner, so they are listed under the map instead.
        reach = FOCUS_REACH * max(box[2] - box[0], box[3] - box[1])
        near = (box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach)
        own = [(x, y) for place, _, x, y in placed if place.code[:2] == focus_prefix and _inside(near, x, y)]
        frame = _focus_frame(_box([(box[0], box[1]), (box[2], box[3]), *own]), shapes.frame)
        kept = [p for p in placed if _inside(frame, p[2], p[3])]
        unplaced += [p[0].name for p in placed if not _inside(frame, p[2], p[3])]
        placed = kept

    width, height = frame[2] - frame[0], frame[3] - frame[1]
    scale = COUNTRY_WIDTH / width if focus_prefix is None else FOCUS_SIZE / max(width, height)
    prefectures = [
        PrefectureShape(
            code=o.place.code,
            name=o.place.prefecture,
            d=o.d,
            count=counts.get(o.place.code[:2], 0),
            shade=shade_class(counts.get(o.place.code[:2], 0)),
            href=prefecture_href(o.place) if prefecture_href else None,
            focus=o.place.code[:2] == focus_prefix,
        )
        for o in shapes.outlines
    ]
    drawn = [
        MapPoint(place.code, place.name, x, y, state, place_href(place) if place_href else None)
        for place, state, x, y in placed
    ]
    drawn.sort(key=lambda p: STATES.index(p.state))  # stable: the caller's order within a state
    return JapanMap(
        title=title,
        view_box=" ".join(_number(v) for v in (frame[0], frame[1], width, height)),
        width=round(width * scale),
        height=round(height * scale),
        prefectures=prefectures,
        points=drawn,
        unplaced=list(dict.fromkeys(unplaced)),
        legend=list(LEGEND) if any(p.shade for p in prefectures) else [],
        unit=unit,
    )
