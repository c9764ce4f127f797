"""The map of Japan (renkei.report.maps, templates/map.html.j2) on the real vendored shapes and coordinates."""

from __future__ import annotations

import importlib.util
import json
import re
from importlib import resources
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import pytest

from renkei.normalise.places import gazetteer
from renkei.reference import Place
from renkei.report import maps

ROOT = Path(__file__).resolve().parents[1]
MIN_INSIDE_SHARE = 0.93  # outlying islands (佐渡, 淡路島, 伊豆諸島, 隠岐 …) are not part of the outlines


def _place(name: str) -> Place:
    found = [p for p in gazetteer().by_code.values() if p.name == name]
    assert len(found) == 1, name
    return found[0]


def _prefecture(name: str) -> Place:
    return gazetteer().prefectures[name]


def _ring(d: str) -> list[tuple[int, int]]:
    """An independent reader of "M x y l dx dy … Z" (the module's own parse_path is what is under test)."""
    assert d.startswith("M") and d.endswith("Z"), d[:20]
    head, steps = d[1:-1].split("l")
    x, y = (int(n) for n in head.split())
    ring = [(x, y)]
    numbers = [int(n) for n in re.findall(r"-?\d+", steps)]
    for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
        x, y = x + dx, y + dy
        ring.append((x, y))
    return ring


def _inside(x: float, y: float, ring: list[tuple[int, int]]) -> bool:
    """Even–odd ray casting."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise([*ring, ring[0]]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _box(ring: list[tuple[int, int]]) -> tuple[float, float, float, float]:
    return min(x for x, _ in ring), min(y for _, y in ring), max(x for x, _ in ring), max(y for _, y in ring)


def _view_box(m: maps.JapanMap) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in m.view_box.split())
    return x, y, x + w, y + h


def _municipalities() -> list[Place]:
    return [p for p in gazetteer().by_code.values() if not p.is_prefecture]


# -- the vendored file -----------------------------------------------------------------------------


def test_vendored_shapes_are_the_47_prefectures_of_the_reference_list() -> None:
    folder = resources.files("renkei") / "data" / "map"
    data = json.loads((folder / "prefectures.json").read_text(encoding="utf-8"))
    expected = sorted((p.code, p.prefecture) for p in gazetteer().prefectures.values())
    assert [(p["code"], p["name"]) for p in data["prefectures"]] == expected  # all 47, JIS order
    for item in data["prefectures"]:
        ring = _ring(item["d"])
        assert len(ring) >= 8, item["name"]
        assert maps.parse_path(item["d"]) == ring
    assert data["source"]["package"] == "japanmap" and data["source"]["version"] == "0.6.0"
    assert "Apache-2.0" in data["source"]["licence"]
    assert set(data["projection"]["insets"]) == {_prefecture("北海道").code, _prefecture("沖縄県").code}
    assert "Apache License" in (folder / "LICENSE-japanmap.txt").read_text(encoding="utf-8")
    assert "modified" in (folder / "README.md").read_text(encoding="utf-8")


def test_file_size_stays_small() -> None:
    size = len((resources.files("renkei") / "data" / "map" / "prefectures.json").read_bytes())
    assert 20_000 < size < 45_000, size  # every map page embeds all 47 paths


def test_builder_writes_paths_the_module_reads() -> None:
    builder = _builder()
    ring = [(0, 0), (10, 0), (10, 10), (-5, 12)]
    assert maps.parse_path(builder.path_data(ring)) == ring
    line = [(0.0, 0.0), (1.0, 0.2), (2.0, -0.2), (3.0, 0.0), (4.0, 5.0)]
    assert builder.simplify(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (4.0, 5.0)]
    assert builder.simplify(line, 10) == [(0.0, 0.0), (4.0, 5.0)]


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_prefecture_shapes", ROOT / "scripts" / "build_prefecture_shapes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- projection ------------------------------------------------------------------------------------


def test_municipalities_land_in_their_own_prefecture() -> None:
    """Shapes and points projected alike: a municipality's office lies inside its prefecture's outline."""
    places = [p for p in _municipalities() if maps.coordinates(p) is not None]
    assert len(places) == len(_municipalities())  # JpGeocode knows every municipality (丹波篠山市 by its alias)
    m = maps.japan_map("all", {}, [(p, "current") for p in places])
    rings = {s.code[:2]: _ring(s.d) for s in m.prefectures}
    # off the map counts as a miss too: a wrong inset would otherwise just drop 北海道 from the count
    outside = m.unplaced + [p.name for p in m.points if not _inside(p.x, p.y, rings[p.code[:2]])]
    share = 1 - len(outside) / len(places)
    assert share >= MIN_INSIDE_SHARE, f"{share:.1%} inside; outside their prefecture: {', '.join(outside)}"
    assert len(m.points) + len(m.unplaced) == len(places)
    # off the map: only the far islands south of the frame (小笠原, 対馬 and 五島, 種子島 to 与論, 先島, 大東)
    assert {_place(n).prefecture for n in m.unplaced} <= {"東京都", "長崎県", "鹿児島県", "沖縄県"}
    assert len(m.unplaced) < 40


@pytest.mark.parametrize(
    ("name", "prefecture"),
    [
        ("北海道札幌市", "北海道"),
        ("北海道函館市", "北海道"),
        ("沖縄県那覇市", "沖縄県"),
        ("神奈川県横浜市", "神奈川県"),
        ("福岡県福岡市", "福岡県"),
        ("東京都千代田区", "東京都"),
        ("大阪府大阪市", "大阪府"),
        ("宮城県仙台市", "宮城県"),
        ("長野県松本市", "長野県"),
        ("兵庫県丹波篠山市", "兵庫県"),
    ],
)
def test_well_known_municipalities(name: str, prefecture: str) -> None:
    m = maps.japan_map("t", {}, [(_place(name), "current")])
    (point,) = m.points
    containing = [s.name for s in m.prefectures if _inside(point.x, point.y, _ring(s.d))]
    assert containing == [prefecture]


def test_coordinates() -> None:
    lon, lat = maps.coordinates(_place("兵庫県丹波篠山市")) or (0, 0)  # renamed from 篠山市 in 2019
    assert 135.1 < lon < 135.3 and 35.0 < lat < 35.2
    lon, lat = maps.coordinates(_place("北海道札幌市")) or (0, 0)  # real coordinates, the inset is the map's
    assert 141 < lon < 142 and 42.9 < lat < 43.2
    assert maps.coordinates(_prefecture("東京都")) is None
    assert maps.coordinates(Place("999999", "東京都", "架空村")) is None


# -- japan_map -------------------------------------------------------------------------------------


def test_shading_and_classes() -> None:
    counts = {"東京都": 1, "長野県": 3, "新潟県": 7, "北海道": 10, "群馬県": 0, "沖縄県": 250}
    m = maps.japan_map("t", {_prefecture(n).code: c for n, c in counts.items()}, [])
    assert [p.name for p in m.prefectures] == sorted(gazetteer().prefectures, key=lambda n: _prefecture(n).code)
    shaded = {p.name: (p.count, p.shade) for p in m.prefectures if p.shade}
    assert shaded == {"東京都": (1, 1), "長野県": (3, 2), "新潟県": (7, 3), "北海道": (10, 4), "沖縄県": (250, 4)}
    assert {p.name for p in m.prefectures if p.count} == {n for n, c in counts.items() if c}
    assert m.legend == [("1", 1), ("2–4", 2), ("5–9", 3), ("10以上", 4)]
    assert [maps.shade_class(n) for n in (0, 1, 2, 4, 5, 9, 10)] == [0, 1, 2, 2, 3, 3, 4]
    assert not any(p.focus or p.href for p in m.prefectures)
    assert maps.japan_map("t", {"130001": 0}, []).legend == []  # nothing shaded, no shading legend


def test_shading_keys() -> None:
    tokyo = _place("東京都千代田区")
    for key in (tokyo.prefecture_code, "130001", "130000"):  # without the check digit is accepted too
        m = maps.japan_map("t", {key: 4}, [])
        assert [(p.code, p.shade) for p in m.prefectures if p.shade] == [("130001", 2)]
    with pytest.raises(ValueError, match="no prefecture code"):
        maps.japan_map("t", {tokyo.code: 1}, [])  # a municipality
    with pytest.raises(ValueError, match="no prefecture code"):
        maps.japan_map("t", {}, [], focus="480000")
    with pytest.raises(ValueError, match="twice"):
        maps.japan_map("t", {"130000": 1, "130001": 2}, [])


def test_points_states_order_and_unplaced() -> None:
    given = [
        (_place("長野県松本市"), "new"),
        (_place("北海道札幌市"), "current"),
        (_place("東京都小笠原村"), "current"),  # 1,000 km south: outside the frame
        (_place("沖縄県南大東村"), "ended"),
        (_place("福岡県福岡市"), "ended"),
        (_prefecture("長野県"), "current"),  # prefectures are no points
        (Place("999999", "東京都", "<架空村>"), "new"),  # no coordinates
        (_place("大阪府大阪市"), "current"),
    ]
    m = maps.japan_map(
        "t",
        {},
        given,
        place_href=lambda p: f"places/{p.code}.html",
        prefecture_href=lambda p: f"prefectures/{p.code}.html",
    )
    assert [(p.name, p.state) for p in m.points] == [
        ("福岡県福岡市", "ended"),
        ("北海道札幌市", "current"),
        ("大阪府大阪市", "current"),
        ("長野県松本市", "new"),
    ]
    assert m.unplaced == ["東京都小笠原村", "沖縄県南大東村", "東京都<架空村>"]
    assert all(p.href == f"places/{p.code}.html" for p in m.points)
    assert all(p.href == f"prefectures/{p.code}.html" for p in m.prefectures)
    frame = _view_box(m)
    assert all(frame[0] <= p.x <= frame[2] and frame[1] <= p.y <= frame[3] for p in m.points)
    assert 500 <= m.width <= 540 and 400 <= m.height <= 700
    with pytest.raises(ValueError, match="state"):
        maps.japan_map("t", {}, [(_place("長野県松本市"), "gone")])


@pytest.mark.parametrize("prefecture", ["長野県", "東京都", "北海道", "沖縄県", "鹿児島県", "香川県"])
def test_focus_crops_to_the_prefecture(prefecture: str) -> None:
    code = _prefecture(prefecture).code
    own = [(p, "current") for p in _municipalities() if p.prefecture == prefecture]
    others = [(_place("福岡県福岡市"), "new"), (_place("北海道札幌市"), "ended")]
    country = maps.japan_map("t", {}, own + others)
    m = maps.japan_map("t", {code: 3}, own + others, focus=code)
    frame, whole = _view_box(m), _view_box(country)
    assert whole[0] <= frame[0] < frame[2] <= whole[2] and whole[1] <= frame[1] < frame[3] <= whole[3]
    assert (frame[2] - frame[0]) * (frame[3] - frame[1]) < 0.5 * (whole[2] - whole[0]) * (whole[3] - whole[1])
    (focused,) = [p for p in m.prefectures if p.focus]
    assert focused.name == prefecture and len(m.prefectures) == 47
    x0, y0, x1, y1 = _box(_ring(focused.d))
    assert frame[0] <= x0 and frame[1] <= y0 and x1 <= frame[2] and y1 <= frame[3]
    # every point of the prefecture that the country map places is on the focused map, or listed under it when
    # it lies far off the outline (islands), so that the prefecture is not shrunk into a corner
    own_codes = {p.code for p in country.points if p.code[:2] == code[:2]}
    shown = {p.code for p in m.points}
    assert {p.name for p in country.points if p.code in own_codes - shown} <= set(m.unplaced)
    assert len(own_codes & shown) >= 0.8 * len(own_codes)
    assert all(frame[0] <= p.x <= frame[2] and frame[1] <= p.y <= frame[3] for p in m.points)
    assert max(m.width, m.height) == 520


# -- the template ----------------------------------------------------------------------------------
def _render(m: maps.JapanMap) -> str:
    from renkei.report.html import _environment

    template = _environment().from_string(
        '{% from "map.html.j2" import japan_map %}<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        "<title>t</title></head><body>{{ japan_map(m) }}</body></html>"
    )
    return template.render(m=m)


def test_the_macro_is_strict_html5_escapes_names_and_requests_nothing() -> None:
    import html5lib

    hostile = Place("999999", "東京都", '<script>alert("x")</script>村')
    m = maps.japan_map(
        "<b>題</b>",
        {_prefecture("群馬県").code: 3},
        [(_place("群馬県川場村"), "new"), (_place("長野県松本市"), "ended"), (hostile, "current")],
        prefecture_href=lambda p: f"prefectures/{p.code}.html",
        place_href=lambda p: f"municipalities/{p.code}.html",
    )
    text = _render(m)
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert "<script" not in text and "&lt;script&gt;" in text and "<b>題</b>" not in text
    svg = "{http://www.w3.org/2000/svg}"
    shaded = {p.get("data-name") for p in document.iter(f"{svg}path") if int(p.get("data-count") or 0) > 0}
    assert shaded == {"群馬県"}
    circles = {c.get("data-code"): c.get("class") for c in document.iter(f"{svg}circle") if c.get("data-code")}
    assert circles == {_place("群馬県川場村").code: "place new", _place("長野県松本市").code: "place ended"}
    for element in document.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert not re.match(r"([a-z][a-z0-9+.-]*:|//)", value), value
    assert "地図外" in "".join(document.find(".//figcaption").itertext())  # the unknown place is listed
