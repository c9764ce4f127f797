"""PDF editions via pdfplumber. This module is the only one that touches pdfplumber objects.

Each page's ruled table is found with explicit settings; its rows come back as cells, a row-spanning merged
cell as None in the rows it covers below its first (read as an empty cell: the row continues the program
above, exactly as the text path reads a continuation row). A cell's lines are joined with one space, the way
the extractor behind the text path joined wrapped lines, so the shared stages (`table.classify_rows`,
`assemble`) read every format by the same rules. Columns are matched to the seven header labels by position;
a page without a header keeps the columns of the page before.

Pages are read in worker processes, a few at a time, so memory stays bounded by the pages in flight. Rows and
cells are held to their caps as pages arrive (read/limits.py): a PDF far too big is refused on the page where its
rows pass the cap, and page tasks not yet started are dropped.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from renkei.errors import EditionReadError
from renkei.parse.header import COLUMN_COUNT, HEADER_LABELS, NAME_COLUMN, label_of
from renkei.parse.read.limits import RowCount, check_cells
from renkei.parse.source import SourceRow, SourceTable
from renkei.records import Provenance
from renkei.settings import ParseSettings

# Ruled tables only: the publisher draws every cell border. Tolerances absorb lines drawn as thin rectangles
# or a point off; edge_min_length keeps short tick marks out of the grid.
TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}
PAGES_PER_TASK = 4
CID_SHARE_LIMIT = 0.05  # more undecodable glyphs than this and the text cannot be trusted
# Text in a table but in no cell (a cell left open at the foot of a page): a character hanging past a border
# is tolerated, a name or description lost is not.
STRAY_MINIMUM, STRAY_SHARE_LIMIT = 20, 0.005
_SPACES = re.compile(r"[\s\u3000]+")
# Characters that come back changed from a PDF whose Japanese font has no ToUnicode map (pdfminer maps the
# Adobe-Japan1 CIDs): the em dash as a combining overlay, the tilde as a small tilde, and the full-width tilde
# as WAVE DASH — JIS X 0208's 1-33, which Windows (CP932), and so the text and XLSX editions, write as U+FF5E.
_CID_FOLDS = str.maketrans({"\u0336": "\u2014", "\u02dc": "~", "\u301c": "\uff5e"})

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PageTable:
    """One table of a page: its column edges and its rows (None: covered by a merged cell from above)."""

    columns: tuple[tuple[float, float], ...]
    rows: tuple[tuple[str | None, ...], ...]
    top: float


@dataclass(frozen=True)
class PageContent:
    number: int
    title_lines: tuple[str, ...]  # text above the first table (read on the first page only)
    tables: tuple[PageTable, ...]
    chars: int
    undecodable: int
    stray: int = 0  # characters inside a table's outline that lie in none of its cells


def _describe(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc  # pdfplumber wraps pdfminer's exception as its first argument
    text = str(inner) or type(inner).__name__
    return f"{type(inner).__name__}: {text}" if type(inner).__name__ not in text else text


# -- one page -----------------------------------------------------------------------------------------------
def _lines_of(chars: list[dict[str, Any]]) -> list[str]:
    """Characters → text lines, top to bottom; a gap wider than a third of the font size is a space."""
    if not chars:
        return []
    ordered = sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    for char in ordered:
        if lines and abs(char["top"] - lines[-1][0]["top"]) <= char["size"] * 0.5:
            lines[-1].append(char)
        else:
            lines.append([char])
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = ""
        previous = None
        for char in line:
            if previous is not None and char["x0"] - previous["x1"] > char["size"] / 3:
                text += " "
            text += char["text"]
            previous = char
        text = _SPACES.sub(" ", text.translate(_CID_FOLDS)).strip()
        if text:
            out.append(text)
    return out


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """A cell's lines joined with one space (a wrapped line is one text, as in the extracted text)."""
    return " ".join(_lines_of(chars))


def _table_rows(table: Any, chars: list[dict[str, Any]], mids: list[float]) -> PageTable:
    """Cell texts of one pdfplumber table; chars are sorted by vertical middle (`mids`) for quick lookup."""
    rows = table.rows
    xs = sorted({cell[0] for cell in table.cells})
    # a column runs to the next one's left edge (a cell spanning several columns must not widen the first)
    edges = [*xs, max(cell[2] for cell in table.cells)]
    columns = tuple(pairwise(edges))
    out: list[tuple[str | None, ...]] = []
    for row in rows:
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, top, x1, bottom = cell
            start, end = bisect.bisect_left(mids, top), bisect.bisect_left(mids, bottom)
            inside = [c for c in chars[start:end] if x0 <= (c["x0"] + c["x1"]) / 2 < x1]
            texts.append(_cell_text(inside))
        out.append(tuple(texts))
    return PageTable(columns=columns, rows=tuple(out), top=table.bbox[1])


def _stray_chars(table: Any, chars: list[dict[str, Any]]) -> int:
    """Characters inside the table's outline but in none of its cells: text a missing border cut off."""
    x0, top, x1, bottom = table.bbox

    def inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
        middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return box[0] <= middle_x < box[2] and box[1] <= middle_y < box[3]

    within = [c for c in chars if c["text"].strip() and inside(c, (x0, top, x1, bottom))]
    return sum(1 for c in within if not any(inside(c, cell) for cell in table.cells))


def read_page(page: Any, number: int) -> PageContent:
    """Tables and (on the first page) the title lines of one pdfplumber page."""
    chars = [c for c in page.chars if c.get("text")]
    undecodable = sum(1 for c in chars if c["text"].startswith("(cid:"))
    found = sorted(page.find_tables(TABLE_SETTINGS), key=lambda t: t.bbox[1])
    chars.sort(key=lambda c: (c["top"] + c["bottom"]) / 2)
    mids = [(c["top"] + c["bottom"]) / 2 for c in chars]
    tables = tuple(_table_rows(t, chars, mids) for t in found)
    stray = sum(_stray_chars(t, chars) for t in found)
    title_lines: tuple[str, ...] = ()
    if number == 1:
        limit = tables[0].top if tables else float("inf")
        title_lines = tuple(_lines_of([c for c, mid in zip(chars, mids, strict=True) if mid < limit]))
    return PageContent(number, title_lines, tables, len(chars), undecodable, stray)


def _quiet_pdfminer() -> None:
    """pdfminer logs what it works around (a font without a bounding box…) as warnings on stderr; a bad file
    is reported in one line of ours instead."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _read_pages(path: str, numbers: list[int]) -> list[PageContent]:
    """Worker: read some pages of the PDF, releasing each page's objects before the next."""
    import pdfplumber

    _quiet_pdfminer()
    out = []
    with pdfplumber.open(path) as pdf:
        for number in numbers:
            page = pdf.pages[number - 1]
            out.append(read_page(page, number))
            page.close()
    return out


def _pages(path: Path, total: int, workers: int, progress: Progress | None) -> Iterator[PageContent]:
    """Every page's content in page order, read by `workers` processes (in-process for 1 or few pages)."""
    starts = range(1, total + 1, PAGES_PER_TASK)
    tasks = [list(range(start, min(start + PAGES_PER_TASK, total + 1))) for start in starts]
    done = 0
    if workers <= 1 or len(tasks) <= 1:
        for numbers in tasks:
            for content in _read_pages(str(path), numbers):
                done += 1
                if progress:
                    progress(done, total)
                yield content
        return
    import multiprocessing
    import threading

    # Fork is quick (nothing re-imported) and works whatever the main module is (a REPL, stdin); but a forked
    # child inherits locks other threads may hold (Prefect runs tasks in threads), so with threads: spawn.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if forkable else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        window = 2 * workers  # tasks in flight: memory stays bounded whatever the page count
        futures = [pool.submit(_read_pages, str(path), numbers) for numbers in tasks[:window]]
        next_task = window
        try:
            while futures:
                contents = futures.pop(0).result()
                if next_task < len(tasks):
                    futures.append(pool.submit(_read_pages, str(path), tasks[next_task]))
                    next_task += 1
                for content in contents:
                    done += 1
                    if progress:
                        progress(done, total)
                    yield content
        finally:  # the reader stopped early (a cap, a bad page): tasks not yet started are dropped
            for future in futures:
                future.cancel()


# -- the document ---------------------------------------------------------------------------------------------
def _column_map(columns: tuple[tuple[float, float], ...], header: list[tuple[float, float]]) -> list[int | None]:
    """For each table column, the header column it lies in (by the larger horizontal overlap)."""
    mapping: list[int | None] = []
    for x0, x1 in columns:
        overlaps = [max(0.0, min(x1, h1) - max(x0, h0)) for h0, h1 in header]
        best = max(range(len(header)), key=overlaps.__getitem__)
        mapping.append(best if overlaps[best] > 0.5 * (x1 - x0) else None)
    return mapping


def _header_columns(table: PageTable, row: tuple[str | None, ...]) -> list[tuple[float, float]] | None:
    """The seven label columns' edges when `row` is the header row: every label found, left to right, in a
    cell of its own (a cell may span several table columns; columns without a label are not read)."""
    own = [(index, text) for index, text in enumerate(row) if text is not None]
    found: dict[int, tuple[float, float]] = {}
    for position, (index, text) in enumerate(own):
        following = own[position + 1][0] if position + 1 < len(own) else len(table.columns)
        label = label_of(text) if text else None
        if label is not None and label not in found:
            found[label] = (table.columns[index][0], table.columns[following - 1][1])
    if len(found) < COLUMN_COUNT:
        return None
    edges = [found[i] for i in range(COLUMN_COUNT)]
    return edges if edges == sorted(edges) else None


def read_pdf(path: Path, settings: ParseSettings, progress: Progress | None = None) -> SourceTable:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            total = len(pdf.pages)
    except (PdfminerException, MalformedPDFException, PDFSyntaxError, PSException) as exc:
        message = _describe(exc)
        if "password" in message.lower() or "encrypt" in message.lower():
            raise EditionReadError(f"{path}: the PDF is encrypted ({message}); provide an unencrypted copy") from exc
        raise EditionReadError(f"{path}: cannot read PDF ({message})") from exc
    if total > settings.max_pages:
        raise EditionReadError(
            f"{path}: {total} pages exceed the limit of {settings.max_pages} (max_pages; RENKEI_MAX_PAGES)"
        )
    if total == 0:
        raise EditionReadError(f"{path}: the PDF has no pages")
    rows: list[SourceRow] = []
    chars = undecodable = tables = stray = 0
    stray_pages: list[int] = []
    header: list[tuple[float, float]] | None = None
    above = [""] * COLUMN_COUNT
    kept = _Kept(path, settings, rows)
    try:
        with contextlib.closing(_pages(path, total, settings.workers, progress)) as pages:
            for content in pages:
                chars += content.chars
                undecodable += content.undecodable
                stray += content.stray
                if content.stray:
                    stray_pages.append(content.number)
                tables += len(content.tables)
                for line in content.title_lines:
                    kept.add(SourceRow((line,), Provenance(pages=(1,)), page=1))
                header = _page_rows(content, header, kept, above)
    except (PdfminerException, MalformedPDFException, PDFSyntaxError, PSException) as exc:
        raise EditionReadError(f"{path}: cannot read PDF ({_describe(exc)})") from exc
    if chars == 0:
        raise EditionReadError(
            f"{path}: the PDF has no text layer (a scanned image?); run OCR on it first, renkei reads text PDFs"
        )
    if undecodable > CID_SHARE_LIMIT * chars:
        raise EditionReadError(
            f"{path}: {undecodable:,} of {chars:,} characters have no Unicode mapping ((cid:…) glyphs); the text "
            "cannot be read reliably — a PDF with a ToUnicode map, or OCR, is needed"
        )
    if tables == 0:
        raise EditionReadError(f"{path}: no ruled table on any of its {total} pages; not an edition of 連携事業一覧")
    if stray > max(STRAY_MINIMUM, STRAY_SHARE_LIMIT * chars):
        pages = "、".join(str(n) for n in stray_pages[:5])
        raise EditionReadError(
            f"{path}: {stray:,} characters inside the table lie in no cell (pages {pages}…): a cell border is "
            "missing, so rows cannot be told apart reliably"
        )
    return SourceTable(path=str(path), source_format="pdf", rows=tuple(rows))


class _Kept:
    """The rows read so far; the row and cell caps are checked on each as it is added, page after page."""

    def __init__(self, path: Path, settings: ParseSettings, rows: list[SourceRow]) -> None:
        self.path, self.settings, self.rows = path, settings, rows
        self.count = RowCount(path, settings)

    def add(self, row: SourceRow) -> None:
        if not any(row.cells):  # an empty row is skipped by every later stage: neither kept nor counted
            return
        check_cells(self.path, self.settings, row.cells, row.provenance)
        self.count.add(row.provenance)
        self.rows.append(row)


def _page_rows(
    content: PageContent, header: list[tuple[float, float]] | None, out: _Kept, above: list[str]
) -> list[tuple[float, float]] | None:
    """Append a page's table rows as seven-cell source rows; return the header columns in force after it.

    `above` holds each column's last text, carried from page to page: a merged cell holds it below its first
    row, and a ward merged over its programs goes on after a page that broke inside one of them.
    """
    number = 0
    for table in content.tables:
        for row in table.rows:
            number += 1
            provenance = Provenance(pages=(content.number,), rows=(number,))
            found = _header_columns(table, row)
            if found is not None:
                header = found
            if header is None:
                cells = tuple(t or "" for t in row)  # before any header: as found (title boxes, stray tables)
                out.add(SourceRow(cells, provenance, page=content.number))
                continue
            mapping = _column_map(table.columns, header)
            seven, covered = [""] * COLUMN_COUNT, [False] * COLUMN_COUNT
            for index, text in enumerate(row):
                target = mapping[index] if index < len(mapping) else None
                if target is None:
                    continue
                if text is None:
                    covered[target] = True
                elif text:
                    seven[target] = f"{seven[target]} {text}".strip()
            if not any(seven):  # no text of its own (a spacer row): not a row, even under a merged ward cell
                continue
            # Under a merged name cell the row continues the program above. Otherwise it is a program of its
            # own, and a cell it shares with rows above (a ward merged over all its programs) is filled in.
            continues = covered[NAME_COLUMN]
            for column in range(COLUMN_COUNT if found is None else 0):  # a header row holds no program text
                if covered[column] and not continues and not seven[column]:
                    seven[column] = above[column]
                elif not covered[column] and seven[column]:
                    above[column] = seven[column]
            out.add(SourceRow(tuple(seven), provenance, page=content.number, continues=continues))
    return header


__all__ = ["HEADER_LABELS", "TABLE_SETTINGS", "read_page", "read_pdf"]
