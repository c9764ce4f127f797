"""Shared fixtures: the real 2026 edition, an independent place-code lookup, small edition builders."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pytest

from renkei.edition import read_edition
from renkei.records import Edition

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_EDITION = PROJECT_ROOT / "snapshots" / "bundled" / "2026-03-31-extracted.txt"
REFERENCE_CSV = PROJECT_ROOT / "renkei" / "data" / "municipalities.csv"
HEADER = "各特別区名\t連携カテゴリ\t事業名称等\t事業主体\t連携相手方\t事業内容\t事業開始年度"


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        return {row["prefecture"] + row["city"]: row["code"] for row in csv.DictReader(handle)}


def place_code(name: str) -> str:
    """The code of a place written exactly as the reference list names it ("福島県塙町", "東京都")."""
    return _codes()[name]


@pytest.fixture(scope="session")
def real_edition() -> Edition:
    return read_edition(REAL_EDITION)


@pytest.fixture(scope="session")
def real_lines() -> list[str]:
    return REAL_EDITION.read_text(encoding="utf-8").splitlines()


def edition_text(*rows: str, as_of: str = "令和8年3月31日現在", header: str = HEADER) -> str:
    """A small extracted-text edition: title, as-of line, header, then the given TAB-separated rows."""
    return "\n".join(["各特別区と全国市町村等連携事業一覧", "", as_of, "", header, *rows]) + "\n"


def row(*cells: str) -> str:
    """One TAB-separated row, padded to seven cells."""
    padded = list(cells) + [""] * (7 - len(cells))
    return "\t".join(padded)


@pytest.fixture
def write_edition(tmp_path: Path):
    def write(text: str, name: str = "edition.txt", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
