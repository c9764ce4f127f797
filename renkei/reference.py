"""The municipality reference list (全国地方公共団体コード) bundled in renkei/data/, and its validation."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
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
        return self.code[:2] + "0000"


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
    """A hash of the municipality list in use: a parse cached under another list is not reused."""
    return hashlib.sha256(reference_path().read_bytes()).hexdigest()[:16]


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
    reference_path().write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    load_reference.cache_clear()
    prefectures = sum(1 for p in places if p.is_prefecture)
    return prefectures, len(places) - prefectures
