"""Table headers recognised by what their cells mean, not by exact words: the seven fields' synonyms
(`LABEL_SYNONYMS`), a label matched after NFKC with spaces, line breaks and notes removed (`match_label`), a
header row as the fields it names (`find_header`), and the ward a sheet name or title row names (`ward_named`).
Shared by the readers (which look for the header to find their columns) and by `table` (which classifies rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from renkei.errors import EditionReadError
from renkei.normalise.text import display_text
from renkei.records import Ward

COLUMN_COUNT = 7
WARD_COLUMN, NAME_COLUMN, PARTNERS_COLUMN = 0, 2, 4
# The publisher's labels (2026 edition), in its column order: the order every data row leaves this stage in.
HEADER_LABELS = ("各特別区名", "連携カテゴリ", "事業名称等", "事業主体", "連携相手方", "事業内容", "事業開始年度")
FIELD_NAMES = ("ward", "category", "name", "body", "partners", "content", "start")
TITLE_MARK = "連携事業一覧"
_SPACES = re.compile(r"[\s\u3000]+")

# -- header labels ---------------------------------------------------------------------------------------------
# The labels a compiler would plausibly give each of the seven columns, compared after NFKC with every space and
# line break removed (so "各特別 区名", "事業\n主体", "ｶﾃｺﾞﾘ" and "事業名称等" in full width all match). A label may
# carry a note in brackets or after ※ ("連携相手方（自治体名）"): the note is dropped before comparing. No label of
# one field contains a label of another (tests/test_headers.py checks it), so a longer label that contains one
# ("主な事業内容") is read by the longest label it contains: 事業名 never matches 事業内容 or 事業主体.
LABEL_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("各特別区名", "特別区名", "各区名", "区名", "特別区"),
    ("連携カテゴリ", "連携カテゴリー", "カテゴリ", "カテゴリー", "連携分野", "分野", "事業分野", "連携区分", "区分",
     "分類", "種別"),
    ("事業名称等", "事業名称", "事業名", "事業名等", "名称", "連携事業名", "連携事業名称", "取組名", "取組名称"),
    ("事業主体", "実施主体", "主体", "事業実施主体", "運営主体", "実施機関", "実施団体", "実施者", "主催", "主催者"),
    ("連携相手方", "連携相手", "連携相手先", "相手方", "相手先", "連携先", "連携自治体", "連携自治体名", "連携先自治体",
     "連携先自治体名", "連携相手自治体", "連携相手方自治体", "相手方自治体", "相手方自治体名", "相手自治体",
     "連携市町村", "連携団体"),
    ("事業内容", "事業内容等", "内容", "概要", "事業概要", "事業の概要", "事業の内容", "取組内容", "連携内容"),
    ("事業開始年度", "開始年度", "開始年", "開始時期", "開始", "事業開始年", "事業開始時期", "連携開始年度",
     "連携開始年", "連携開始時期"),
)  # fmt: skip
# A header row: at least this many of the seven fields recognised, the program's name and its partners among them
# (a table without either is not this table: a budget, a list of names). Four leaves room for a year's table that
# lacked a column or two, and is still more than any title or data row of the 2026 edition reaches (one or none).
HEADER_MIN_FIELDS = 4
HEADER_REQUIRED = (NAME_COLUMN, PARTNERS_COLUMN)
# A label contains a synonym only if it is this short: a data cell (a description, a program name) that happens
# to contain "内容" or "連携先" is no label.
MAX_LABEL_CHARS = 16
LOOKED_FOR = (
    f"looked for {HEADER_LABELS[0]} … {HEADER_LABELS[-1]}: {HEADER_MIN_FIELDS} of the {COLUMN_COUNT} columns, "
    f"{HEADER_LABELS[NAME_COLUMN]} and {HEADER_LABELS[PARTNERS_COLUMN]} among them"
)
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|※.*$")
_SYNONYM_FIELD: dict[str, int] = {
    synonym: index for index, synonyms in enumerate(LABEL_SYNONYMS) for synonym in synonyms
}


@dataclass(frozen=True)
class Label:
    """What a header cell names: a field (index into HEADER_LABELS), `exact` when the whole label is a synonym
    (else it contains one), and `rest`: text after the publisher's label in the same cell, a value fused into the
    header by text extraction (2026 edition: "連携カテ ゴリ 産業")."""

    field: int
    exact: bool = True
    rest: str = ""


def _label_key(cell: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", cell))


@lru_cache(maxsize=65536)
def match_label(cell: str, *, fused: bool = False) -> Label | None:
    """The field a header cell names, or None.

    The label (NFKC, spaces and line breaks removed, a bracketed or ※ note dropped) is first compared whole with
    every synonym; with `fused` (extracted text only), a cell starting with one of the publisher's own labels is
    that label plus a fused value; otherwise a short label containing synonyms names the field of the longest
    (two fields' synonyms equally long: None, ambiguous).
    """
    key = _label_key(cell)
    if not key:
        return None
    bare = _NOTE.sub("", key).strip(":：・")
    if bare in _SYNONYM_FIELD:
        return Label(_SYNONYM_FIELD[bare])
    if fused:
        for index, label in enumerate(HEADER_LABELS):
            if key.startswith(label):
                return Label(index, rest=key[len(label) :])
    if not bare or len(bare) > MAX_LABEL_CHARS:
        return None
    hits = [(len(synonym), index) for synonym, index in _SYNONYM_FIELD.items() if synonym in bare]
    if not hits:
        return None
    longest = max(length for length, _ in hits)
    fields = {index for length, index in hits if length == longest}
    return Label(fields.pop(), exact=False) if len(fields) == 1 else None


def label_of(cell: str) -> int | None:
    """The field (index into HEADER_LABELS) whose label `cell` is ("事業 主体" → 3, "実施主体" → 3), or None."""
    label = match_label(cell, fused=True)
    return None if label is None else label.field


@dataclass(frozen=True)
class Header:
    """A header row read: `columns[field]` is the cell index holding that field (None: no such column); `fused`
    the values fused into its labels by field; `ignored` the (index, text) of the cells read as no field: extra
    columns (No., 備考) or a second column for a field already found."""

    cells: tuple[str, ...]
    columns: tuple[int | None, ...]
    fused: tuple[tuple[int, str], ...] = ()
    ignored: tuple[tuple[int, str], ...] = ()

    @property
    def width(self) -> int:
        return len(self.cells)

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(f for f, column in enumerate(self.columns) if column is None)

    def seven(self, cells: Sequence[str]) -> tuple[str, ...]:
        """A row's cells in the publisher's order (a field without a column is empty)."""
        return tuple(cells[c] if c is not None and c < len(cells) else "" for c in self.columns)

    def agrees_with(self, other: Header) -> bool:
        """Whether every field this header places is where `other` has it: a page's repeat of the header."""
        return self.width == other.width and all(
            column is None or column == other.columns[f] for f, column in enumerate(self.columns)
        )


PUBLISHER_HEADER = Header(HEADER_LABELS, tuple(range(COLUMN_COUNT)))


def _recognised(cells: Sequence[str], fused: bool) -> dict[int, tuple[int, Label]]:
    """Field → (cell index, label) of a row's cells, one cell per field: an exact label before a contained one,
    then the leftmost."""
    found: dict[int, tuple[int, Label]] = {}
    for index, cell in enumerate(cells):
        label = match_label(cell, fused=fused) if cell else None
        if label is None:
            continue
        held = found.get(label.field)
        if held is None or (label.exact and not held[1].exact):
            found[label.field] = (index, label)
    return found


def find_header(cells: Sequence[str], *, fused: bool = False) -> Header | None:
    """The row as a header (see HEADER_MIN_FIELDS), or None; `fused`: values may be fused into the publisher's
    labels (extracted text)."""
    found = _recognised(cells, fused)
    if len(found) < HEADER_MIN_FIELDS or any(f not in found for f in HEADER_REQUIRED):
        return None
    columns = tuple(found[f][0] if f in found else None for f in range(COLUMN_COUNT))
    used = set(columns)
    return Header(
        cells=tuple(cells),
        columns=columns,
        fused=tuple((f, label.rest) for f, (_, label) in sorted(found.items()) if label.rest),
        ignored=tuple((i, c) for i, c in enumerate(cells) if c and i not in used),
    )


# -- refusing a file without a header ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A row that came closest to a header, for the refusal: where it is, its cells and the fields it names."""

    where: str
    cells: tuple[str, ...]
    fields: tuple[int, ...]

    def describe(self) -> str:
        shown = [c if len(c) <= 12 else c[:11] + "…" for c in (display_text(c) for c in self.cells if c)]
        text = ", ".join(shown[:6]) + (", …" if len(shown) > 6 else "")
        lacking = [FIELD_NAMES[f] for f in HEADER_REQUIRED if f not in self.fields]
        parts = [f"no {', '.join(lacking)} column{'s' if len(lacking) > 1 else ''}"] if lacking else []
        if self.fields and len(self.fields) < HEADER_MIN_FIELDS:
            named = ", ".join(FIELD_NAMES[f] for f in self.fields)
            parts.append(f"recognised {named} ({HEADER_MIN_FIELDS} needed)")
        return f"{self.where}: {text} — {'; '.join(parts)}"


def header_candidate(cells: Sequence[str], where: str) -> Candidate:
    return Candidate(where, tuple(cells), tuple(sorted(_recognised(cells, False))))


def closest_candidates(candidates: Iterable[Candidate], limit: int = 3) -> list[Candidate]:
    """The candidates naming the most fields (the first row seen when none names any), in reading order."""
    pool = list(candidates)
    naming = [c for c in pool if c.fields]
    if not naming:
        return pool[:1]
    best = sorted(naming, key=lambda c: -len(c.fields))[:limit]
    return [c for c in naming if c in best]


def no_header_error(path: object, candidates: Sequence[Candidate], subject: str, more: str = "") -> EditionReadError:
    """The one-line refusal of a file without a table header, naming the closest rows and what each lacks."""
    seen = "; ".join(c.describe() for c in candidates) or "no row holds text"
    return EditionReadError(f"{path}: {subject} ({LOOKED_FOR}); {seen}{more}; not an edition of 連携事業一覧")


# -- the ward of a table without a ward column -------------------------------------------------------------------
_NUMBERING = re.compile(r"^(?:No\.?)?\d+[.,、_\-)\]:]*")
_WRAPPING = str.maketrans("", "", "【】「」『』[]〔〕<>")


def ward_named(text: str) -> Ward | None:
    """The ward a sheet name or a title row names: "千代田区", "千代田", "01千代田区", "1.千代田区", "【港区】",
    "千代田区(令和5年度)", or a title starting with a ward's full name ("千代田区の連携事業"); else None."""
    from renkei.normalise.wards import all_wards, ward_from_cell

    key = _label_key(text).translate(_WRAPPING)
    key = _NUMBERING.sub("", _NOTE.sub("", key))
    if not key:
        return None
    ward = ward_from_cell(key)
    if ward is not None:
        return ward
    return next((w for w in all_wards() if key.startswith(w.name)), None)
