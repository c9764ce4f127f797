"""The reference data bundled in renkei/data/ and its validation: the municipality list (全国地方公共団体コード)
and the table of former municipalities merged into a current one."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from renkei.errors import ReferenceDataError

COLUMNS = ("code", "prefecture", "city", "prefecture_kana", "city_kana")
PREFECTURE_COUNT = 47
WARD_CODES = tuple(f"131{n:02d}" for n in range(1, 24))  # first five digits of 千代田区 … 江戸川区


@dataclass(frozen=True)
class Place:
    """A prefecture (`city` is None) or a municipality from the reference list."""

    code: str
    prefecture: str
    city: str | None
    prefecture_kana: str = ""
    city_kana: str = ""

    @property
    def name(self) -> str:
        return self.prefecture + (self.city or "")

    @property
    def is_prefecture(self) -> bool:
        return self.city is None

    @property
    def prefecture_code(self) -> str:
        """The code of the prefecture the place is in, with its check digit (東京都: 130001)."""
        return _prefecture_code(self.code[:2])


@lru_cache(maxsize=64)
def _prefecture_code(first_two: str) -> str:
    first_five = first_two + "000"
    return first_five + str(check_digit(first_five))


def check_digit(first_five: str) -> int:
    """JIS X 0402 check digit of a 5-digit local government code."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def reference_path() -> Path:
    return Path(str(resources.files("renkei") / "data" / "municipalities.csv"))


def parse_reference(text: str, source: str) -> tuple[Place, ...]:
    """Read and validate the reference CSV: its columns, every code's check digit, 47 prefectures, 23 wards."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ReferenceDataError(f"{source}: expected columns {','.join(COLUMNS)}, found {reader.fieldnames}")
    places: list[Place] = []
    for line_number, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        if len(code) != 6 or not code.isdigit() or check_digit(code[:5]) != int(code[5]):
            raise ReferenceDataError(f"{source}: line {line_number}: invalid code {code!r}")
        if not row["prefecture"]:
            raise ReferenceDataError(f"{source}: line {line_number}: empty prefecture")
        places.append(
            Place(
                code=code,
                prefecture=row["prefecture"].strip(),
                city=(row["city"] or "").strip() or None,
                prefecture_kana=(row["prefecture_kana"] or "").strip(),
                city_kana=(row["city_kana"] or "").strip(),
            )
        )
    prefectures = [p for p in places if p.is_prefecture]
    if len(prefectures) != PREFECTURE_COUNT:
        raise ReferenceDataError(f"{source}: {len(prefectures)} prefectures, expected {PREFECTURE_COUNT}")
    codes = {p.code[:5] for p in places}
    missing = [c for c in WARD_CODES if c not in codes]
    if missing:
        raise ReferenceDataError(f"{source}: special wards missing: {', '.join(missing)}")
    if len(codes) != len(places):
        raise ReferenceDataError(f"{source}: duplicate codes")
    return tuple(places)


def reference_fingerprint() -> str:
    """A hash of the reference data in use (both tables): a parse cached under other data is not reused."""
    digest = hashlib.sha256(reference_path().read_bytes())
    digest.update(former_municipalities_path().read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def load_reference() -> tuple[Place, ...]:
    """The bundled reference list, validated once per process."""
    path = reference_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot read reference list ({exc.strerror})") from exc
    return parse_reference(text, str(path))


def refresh_reference(new_file: Path) -> tuple[int, int]:
    """Validate `new_file` and replace the bundled list with it; return (prefectures, municipalities)."""
    try:
        text = new_file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"{new_file}: cannot read as UTF-8 ({exc})") from exc
    places = parse_reference(text, str(new_file))
    parse_former_municipalities(_read_former_text(), str(former_municipalities_path()), places)
    reference_path().write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    load_reference.cache_clear()
    load_former_municipalities.cache_clear()
    prefectures = sum(1 for p in places if p.is_prefecture)
    return prefectures, len(places) - prefectures


# -- former municipalities ---------------------------------------------------------------------------
FORMER_COLUMNS = ("prefecture", "former", "short_name", "current_code", "current", "merged", "source")
_MUNICIPAL_ENDINGS = ("市", "町", "村")


@dataclass(frozen=True)
class FormerMunicipality:
    """A municipality merged away (志波姫町, 宮城県), the current one it became part of, and since when.

    `short_name` is the name as organisations write it without 市/町/村 ("志波姫物産振興協会"), set by hand only
    where that form names nothing else in the prefecture.
    """

    prefecture: str
    name: str
    current: Place
    merged: date
    source: str
    short_name: str = ""


def former_municipalities_path() -> Path:
    return Path(str(resources.files("renkei") / "data" / "former_municipalities.csv"))


def parse_former_municipalities(text: str, source: str, places: tuple[Place, ...]) -> tuple[FormerMunicipality, ...]:
    """Read and validate the former-municipality table against the municipality list `places`.

    Every row must name a prefecture of the list, a former name ending in 市/町/村 that is no current municipality
    of that prefecture, a `current_code` in the list whose name is `current`, an ISO `merged` date and a source;
    a `short_name` must begin the former name and begin no current municipality of the prefecture but its own.
    Raises ReferenceDataError naming the line.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != FORMER_COLUMNS:
        raise ReferenceDataError(f"{source}: expected columns {','.join(FORMER_COLUMNS)}, found {reader.fieldnames}")
    by_code = {p.code: p for p in places}
    prefectures = {p.prefecture for p in places if p.is_prefecture}
    cities: dict[str, dict[str, Place]] = {}
    for place in places:
        if place.city:
            cities.setdefault(place.prefecture, {})[place.city] = place
    rows: list[FormerMunicipality] = []
    seen: set[tuple[str, str]] = set()
    for line_number, row in enumerate(reader, start=2):
        where = f"{source}: line {line_number}"
        values = {column: (row[column] or "").strip() for column in FORMER_COLUMNS}
        prefecture, name, short = values["prefecture"], values["former"], values["short_name"]
        if prefecture not in prefectures:
            raise ReferenceDataError(f"{where}: {prefecture!r} is not a prefecture of the municipality list")
        if not name.endswith(_MUNICIPAL_ENDINGS) or len(name) < 2:
            raise ReferenceDataError(f"{where}: former name {name!r} does not end in 市, 町 or 村")
        if name in cities.get(prefecture, {}):
            raise ReferenceDataError(f"{where}: {prefecture}{name} is a current municipality, not a former one")
        current = by_code.get(values["current_code"])
        if current is None or current.is_prefecture:
            raise ReferenceDataError(
                f"{where}: current_code {values['current_code']!r} ({values['current']}) is not a municipality of "
                "the municipality list; correct the row (a later merger may have moved it again)"
            )
        if current.name != values["current"]:
            raise ReferenceDataError(
                f"{where}: current_code {current.code} is {current.name} in the municipality list, "
                f"not {values['current']}"
            )
        try:
            merged = date.fromisoformat(values["merged"])
        except ValueError:
            raise ReferenceDataError(f"{where}: merged {values['merged']!r} is not a date (YYYY-MM-DD)") from None
        if not values["source"]:
            raise ReferenceDataError(f"{where}: no source")
        if short:
            clashes = [c for c, p in cities.get(prefecture, {}).items() if c.startswith(short) and p != current]
            if not name.startswith(short) or len(short) < 2 or len(short) >= len(name) or clashes:
                raise ReferenceDataError(
                    f"{where}: short_name {short!r} must begin {name} and no current municipality of {prefecture}"
                    + (f" (it begins {'、'.join(clashes)})" if clashes else "")
                )
        if (prefecture, name) in seen:
            raise ReferenceDataError(f"{where}: {prefecture}{name} is listed twice")
        seen.add((prefecture, name))
        rows.append(FormerMunicipality(prefecture, name, current, merged, values["source"], short))
    return tuple(rows)


def _read_former_text() -> str:
    path = former_municipalities_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot read former-municipality table ({exc.strerror})") from exc


@lru_cache(maxsize=1)
def load_former_municipalities() -> tuple[FormerMunicipality, ...]:
    """The bundled former-municipality table, validated against the bundled municipality list once per process."""
    return parse_former_municipalities(_read_former_text(), str(former_municipalities_path()), load_reference())


def refresh_former_municipalities(new_file: Path) -> int:
    """Validate `new_file` against the bundled municipality list and replace the bundled table; return its rows."""
    try:
        text = new_file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"{new_file}: cannot read as UTF-8 ({exc})") from exc
    rows = parse_former_municipalities(text, str(new_file), load_reference())
    former_municipalities_path().write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    load_former_municipalities.cache_clear()
    return len(rows)
