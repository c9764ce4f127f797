"""Derive renkei/data/map/prefectures.json (47 prefecture outlines as SVG path data) from japanmap 0.6.0.

    .venv/bin/python scripts/build_prefecture_shapes.py PATH

PATH is japanmap's wheel (`pip download --no-deps japanmap==0.6.0`) or the `japanmap/japan.json` extracted
from it. japanmap (Apache-2.0, Saito Tsutomu) is not a dependency: it declares opencv-python and Pillow, which
the outlines do not need, so the derived file is vendored instead (see renkei/data/map/README.md).

japan.json is `[qp, qo]`: qp a list of `[[lon, lat], weight]` boundary points, qo[k] for prefecture k (JIS
order, 0 = 北海道 … 46 = 沖縄県) a list of `(neighbour, [point indices])` boundary pieces that, concatenated,
outline the area containing the prefectural capital (islands elsewhere are not in it). Like japanmap's
`pref_points` this moves 北海道 and 沖縄県 into insets (japanmap's `move_hokkaido`/`move_okinawa`), projects
with its aspect (x = lon × 0.812, y = −lat), then simplifies every boundary piece once (Douglas–Peucker, so
the two prefectures sharing a border keep sharing it exactly) and rounds to whole map units.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import zipfile
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from renkei.reference import load_reference  # noqa: E402

OUTPUT = ROOT / "renkei" / "data" / "map" / "prefectures.json"
MEMBER = "japanmap/japan.json"
VERSION = "0.6.0"

# japanmap's pref_map ratio (0.812, -1): roughly cos(36°), so east-west and north-south distances match
X_SCALE = 0.812
UNIT = 1000  # map units per degree of latitude: a whole unit is ~0.1 km, so rounding is invisible even zoomed
TOLERANCE = 10  # Douglas–Peucker tolerance in map units (~1 km; japan.json's points are ~3.7 km apart)
HOKKAIDO, OKINAWA = 0, 46
# japanmap's move_hokkaido and move_okinawa: (Δlon, Δlat) of the inset
INSETS = {HOKKAIDO: (-10.0, -4.5), OKINAWA: (4.5, 5.0)}

Point = tuple[float, float]


def read_source(path: Path) -> bytes:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(MEMBER)
    return path.read_bytes()


def _distance(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment a–b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: keep both ends and, recursively, the farthest point while it is beyond `tolerance`."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:  # a closed ring: split at the point farthest from its start
        far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
        return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, 0
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def path_data(ring: list[tuple[int, int]]) -> str:
    """ "M x y l dx dy dx dy … Z": relative whole-unit steps keep the file (and every SVG using it) small."""
    steps: list[str] = []
    for (x0, y0), (x1, y1) in pairwise(ring):
        for value in (x1 - x0, y1 - y0):
            steps.append(f" {value}" if steps and value >= 0 else str(value))  # a minus sign separates by itself
    return f"M{ring[0][0]} {ring[0][1]}l{''.join(steps)}Z"


def build(raw: bytes) -> dict[str, object]:
    qp, qo = json.loads(raw)
    if len(qo) != 47 or any(len(qo[k]) != 1 or qo[k][0][0] != 0 for k in INSETS):
        raise SystemExit("unexpected japan.json: 47 prefectures, 北海道 and 沖縄県 each one piece of coast expected")
    lonlat = [list(p[0]) for p in qp]
    for k, (dlon, dlat) in INSETS.items():
        for i in qo[k][0][1][:-1]:  # as japanmap does: the closing index repeats the first
            lonlat[i] = [lonlat[i][0] + dlon, lonlat[i][1] + dlat]
    lon0 = math.floor(min(lonlat[i][0] for pieces in qo for _, piece in pieces for i in piece))
    lat0 = math.ceil(max(lonlat[i][1] for pieces in qo for _, piece in pieces for i in piece))

    def project(i: int) -> Point:
        lon, lat = lonlat[i]
        return (lon - lon0) * X_SCALE * UNIT, (lat0 - lat) * UNIT

    simplified: dict[tuple[int, ...], list[Point]] = {}  # each shared border once, whichever side asks first

    def piece_points(indices: list[int]) -> list[Point]:
        key = min(tuple(indices), tuple(reversed(indices)))
        if key not in simplified:
            simplified[key] = simplify([project(i) for i in key], TOLERANCE)
        return simplified[key] if key == tuple(indices) else simplified[key][::-1]

    prefectures = {p.prefecture: p for p in load_reference() if p.is_prefecture}
    by_jis = sorted(prefectures.values(), key=lambda p: p.code)
    shapes = []
    for k, pieces in enumerate(qo):
        outline: list[Point] = []
        for _, indices in pieces:
            points = piece_points(indices)
            outline += points[1:] if outline else points  # consecutive pieces share their joining point
        ring: list[tuple[int, int]] = []
        for x, y in outline:
            point = (round(x), round(y))
            if not ring or ring[-1] != point:
                ring.append(point)
        if len(ring) > 1 and ring[-1] == ring[0]:
            ring.pop()
        if len(ring) < 3:
            raise SystemExit(f"prefecture {k + 1}: outline degenerated to {len(ring)} points")
        place = by_jis[k]
        shapes.append({"code": place.code, "name": place.prefecture, "d": path_data(ring)})
    inset_codes = {by_jis[k].code: {"lon": dlon, "lat": dlat} for k, (dlon, dlat) in INSETS.items()}
    return {
        "source": {
            "package": "japanmap",
            "version": VERSION,
            "file": MEMBER,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "licence": "Apache-2.0 (see LICENSE-japanmap.txt)",
            "copyright": "Copyright 2022 Saito Tsutomu",
            "url": "https://github.com/SaitoTsutomu/japanmap",
            "changes": (
                "Derived by scripts/build_prefecture_shapes.py: 北海道 and 沖縄県 moved into insets as japanmap's "
                "move_hokkaido/move_okinawa do, projected (see projection), each boundary piece simplified "
                f"(Douglas–Peucker, tolerance {TOLERANCE} map units), rounded to whole map units and written as "
                "SVG path data per prefecture, with codes and names from renkei's municipality list."
            ),
        },
        "projection": {
            "about": "x = (lon + inset.lon - lon0) * x_scale * unit, y = (lat0 - lat - inset.lat) * unit",
            "lon0": lon0,
            "lat0": lat0,
            "x_scale": X_SCALE,
            "unit": UNIT,
            "insets": inset_codes,
        },
        "prefectures": shapes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="japanmap-0.6.0-py3-none-any.whl or its japanmap/japan.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    data = build(read_source(args.path))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {len(data['prefectures'])} prefectures, {len(text.encode())} bytes")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
