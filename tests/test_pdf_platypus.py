"""The PDF reader is not tuned to one renderer: the real edition laid out by reportlab's platypus (its own table
splitting, wrapping and merged cells; tests/render/platypus_pdf.py) reads back to the same entries, partner
places and start years as the text it was made from."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.parse.edition import read_edition
from renkei.records import Record
from tests.conftest import REAL_EDITION
from tests.render.platypus_pdf import render_platypus_pdf


def _shape(record: Record) -> tuple[str, str, list[str], tuple[int, ...]]:
    """What any faithful reading must agree on: the entry, its partner places, its start years."""
    places = sorted({p.code for p in record.partners if p.code is not None})
    return record.ward.code, record.name_key, places, record.start.fiscal_years


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
def test_platypus_pdf_gives_the_entries_places_and_years_of_the_text(tmp_path: Path) -> None:
    text = read_edition(REAL_EDITION)
    path = render_platypus_pdf(text.records, tmp_path / "2026-platypus.pdf", title=text.title, as_of=text.as_of)
    pdf = read_edition(path)
    assert (pdf.source_format, pdf.as_of, pdf.title) == ("pdf", text.as_of, text.title)
    assert len(pdf.records) == len(text.records)
    differing = [
        (a.ward.name, a.seq, a.name, _shape(a), _shape(b))
        for a, b in zip(text.records, pdf.records, strict=True)
        if _shape(a) != _shape(b)
    ]
    assert differing == []


@pytest.mark.slow
def test_a_merged_cell_left_open_at_a_page_foot_is_refused_not_misread(tmp_path: Path) -> None:
    """reportlab leaves a merged cell cut at a page break without a bottom line; pdfplumber then finds no cell
    for the program's name and description: the reader says so instead of gluing programs together."""
    from renkei.errors import EditionReadError
    from tests.render.platypus_pdf import PlatypusLayout

    text = read_edition(REAL_EDITION)
    path = render_platypus_pdf(
        text.records[:300], tmp_path / "open.pdf", title=text.title, as_of=text.as_of,
        layout=PlatypusLayout(close_page_bottom=False),
    )  # fmt: skip
    with pytest.raises(EditionReadError, match="lie in no cell"):
        read_edition(path)
