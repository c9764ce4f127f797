"""PDF and XLSX editions read as faithfully as the text: the same records apart from provenance.

The expectations are the text path's records for the real 2026 edition (themselves checked by hand in
test_real_edition.py). Editions are rendered from those records (tests/render/): small committed fixtures, and
the full edition rendered in three PDF layouts and two XLSX layouts during the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.diff import diff_editions
from renkei.parse.edition import read_edition
from renkei.records import Edition, Record, record_to_dict
from renkei.settings import ParseSettings
from tests.conftest import REAL_EDITION
from tests.render import bad
from tests.render.pdf import ALTERNATIVE, PUBLISHER, REPEATED, PdfLayout, render_pdf
from tests.render.xlsx import render_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def _content(record: Record) -> dict:  # type: ignore[type-arg]
    """A record as the contract writes it, without where it came from (the formats differ there) and without
    warnings (they name the text's own quirks: orphan rows, markup, a header fused with a category)."""
    data = record_to_dict(record)
    data.pop("provenance")
    data.pop("warnings")
    return data


def _shape(record: Record) -> tuple:  # type: ignore[type-arg]
    """What any faithful reading must agree on: the entry, its partner places, its start years."""
    places = tuple(sorted({p.code for p in record.partners if p.code}))
    return record.ward.code, record.name_key, places, record.start.fiscal_years


@pytest.fixture(scope="session")
def text_edition() -> Edition:
    return read_edition(REAL_EDITION)


# -- the committed fixtures (the first 40 programs) ------------------------------------------------------------
def test_publisher_pdf_fixture_reads_as_the_text(text_edition: Edition) -> None:
    pdf = read_edition(FIXTURES / "2026-first40-publisher.pdf")
    assert (pdf.as_of, pdf.title, pdf.source_format) == (date(2026, 3, 31), text_edition.title, "pdf")
    assert [_content(r) for r in pdf.records] == [_content(r) for r in text_edition.records[:40]]
    # where things are, checked on the rendered pages: the header is row 1 of every page
    first, second = pdf.records[0], pdf.records[1]
    assert first.provenance.to_dict() == {"pages": [1], "rows": [2]}
    assert second.provenance.to_dict() == {"pages": [1], "rows": [3, 4]}  # two partners, two sub-rows
    long_list = next(r for r in pdf.records if r.name.startswith("災害応急対策の相互応援"))
    assert long_list.provenance.pages == (2, 3) and len(long_list.partners) == 22  # broken over a page


def test_xlsx_fixture_reads_as_the_text(text_edition: Edition) -> None:
    workbook = read_edition(FIXTURES / "2026-first40.xlsx")
    assert (workbook.as_of, workbook.source_format) == (date(2026, 3, 31), "xlsx")
    assert [_content(r) for r in workbook.records] == [_content(r) for r in text_edition.records[:40]]
    # title row 1, as-of row 2, header row 4
    assert workbook.records[0].provenance.to_dict() == {"sheet": "連携事業一覧", "rows": [5]}
    assert workbook.records[1].provenance.to_dict() == {"sheet": "連携事業一覧", "rows": [6, 7]}


def test_alternative_pdf_fixture_has_the_same_entries_places_and_years(text_edition: Edition) -> None:
    pdf = read_edition(FIXTURES / "2026-first40-alternative.pdf")
    assert [_shape(r) for r in pdf.records] == [_shape(r) for r in text_edition.records[:40]]


def test_progress_follows_every_page_and_workers_do_not_change_the_result() -> None:
    path = FIXTURES / "2026-first40-publisher.pdf"
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
    calls: list[tuple[int, int]] = []
    one = read_edition(path, ParseSettings(workers=1), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, pages) for n in range(1, pages + 1)]
    two = read_edition(path, ParseSettings(workers=2))
    assert one == two


# -- the full edition rendered --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rendered:
    path: Path
    edition: Edition


def _render_pdf(folder: Path, text_edition: Edition, layout: PdfLayout, name: str, as_of: date | None = None) -> Path:
    path = folder / name
    render_pdf(text_edition.records, path, title=text_edition.title, as_of=as_of or text_edition.as_of, layout=layout)
    return path


@pytest.fixture(scope="session")
def full_pdf(tmp_path_factory: pytest.TempPathFactory, text_edition: Edition) -> Rendered:
    path = _render_pdf(tmp_path_factory.mktemp("pdf"), text_edition, PUBLISHER, "2026-publisher.pdf")
    return Rendered(path, read_edition(path))


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
def test_full_pdf_gives_the_records_of_the_text(full_pdf: Rendered, text_edition: Edition) -> None:
    with pdfplumber.open(full_pdf.path) as pdf:
        assert len(pdf.pages) > 80  # the layout really breaks programs over many pages
    assert len(full_pdf.edition.records) == 842
    differing = [
        (a.ward.name, a.seq)
        for a, b in zip(text_edition.records, full_pdf.edition.records, strict=True)
        if _content(a) != _content(b)
    ]
    assert differing == []
    assert diff_editions(text_edition.records, full_pdf.edition.records) == []
    # the PDF has none of the text's extraction quirks: nothing had to be moved between programs
    assert not [w for w in full_pdf.edition.warnings if w.kind in ("orphan_attached", "fused_header")]


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
@pytest.mark.parametrize("ward_over_programs", [False, True], ids=["merged-per-program", "ward-merged-over-programs"])
def test_full_xlsx_gives_the_records_of_the_text(
    ward_over_programs: bool, tmp_path: Path, text_edition: Edition
) -> None:
    path = render_xlsx(
        text_edition.records, tmp_path / "2026.xlsx", title=text_edition.title, as_of=date(2026, 3, 31),
        ward_over_programs=ward_over_programs,
    )  # fmt: skip
    workbook = read_edition(path)
    assert [_content(r) for r in workbook.records] == [_content(r) for r in text_edition.records]


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
@pytest.mark.parametrize("layout", ["alternative", "repeated"])
def test_other_pdf_layouts_give_the_same_entries_places_and_years(
    layout: str, tmp_path: Path, text_edition: Edition
) -> None:
    chosen = {"alternative": ALTERNATIVE, "repeated": REPEATED}[layout]
    path = _render_pdf(tmp_path, text_edition, chosen, f"2026-{layout}.pdf")
    pdf = read_edition(path)
    assert [_shape(r) for r in pdf.records] == [_shape(r) for r in text_edition.records]


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
def test_xlsx_without_merged_cells_and_shifted_gives_the_same_entries(tmp_path: Path, text_edition: Edition) -> None:
    path = render_xlsx(
        text_edition.records, tmp_path / "filled.xlsx", title=text_edition.title, as_of=date(2026, 3, 31),
        merge=False, first_column=3,
    )  # fmt: skip
    workbook = read_edition(path)
    assert [_shape(r) for r in workbook.records] == [_shape(r) for r in text_edition.records]


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
def test_changes_between_the_text_and_a_pdf_of_it_are_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text_edition: Edition
) -> None:
    """Published a year later as a PDF with nothing changed, the edition shows no change at all."""
    pdf = _render_pdf(tmp_path, text_edition, PUBLISHER, "2027.pdf", as_of=date(2026, 9, 30))
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    assert runner.invoke(app, ["ingest", str(REAL_EDITION), str(pdf)]).exit_code == 0
    changes = runner.invoke(app, ["changes", "--format", "jsonl"])
    assert changes.exit_code == 0 and changes.stdout == ""
    editions = [json.loads(line) for line in runner.invoke(app, ["editions", "--format", "jsonl"]).stdout.splitlines()]
    assert [(e["as_of"], e["format"]) for e in editions] == [("2026-03-31", "text"), ("2026-09-30", "pdf")]


# -- bad files ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    return {
        "encrypted": bad.encrypted_pdf(folder / "encrypted.pdf"),
        "corrupt": bad.corrupt_pdf(folder / "corrupt.pdf"),
        "truncated": bad.truncated_pdf(FIXTURES / "2026-first40-publisher.pdf", folder / "truncated.pdf"),
        "table-less": bad.table_less_pdf(folder / "table-less.pdf"),
        "text-less": bad.text_less_pdf(folder / "scan.pdf"),
        "cid": bad.cid_only_pdf(folder / "cid.pdf"),
    }


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("encrypted", "the PDF is encrypted"),
        ("corrupt", "cannot read PDF"),
        ("truncated", "cannot read PDF"),
        ("table-less", "no ruled table"),
        ("text-less", "no text layer (a scanned image?); run OCR"),
        ("cid", "no Unicode mapping ((cid:…) glyphs)"),
    ],
)
def test_bad_pdfs_exit_2_with_one_line_and_write_nothing(
    kind: str, message: str, bad_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bad_files[kind]
    parsed = runner.invoke(app, ["parse", str(path)])
    assert parsed.exit_code == 2
    assert parsed.stderr.count("\n") == 1 and parsed.stderr.startswith(f"Error: {path}: ") and message in parsed.stderr
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path / "home"))
    ingested = runner.invoke(app, ["ingest", str(path)])
    assert ingested.exit_code == 2 and not (tmp_path / "home").exists()


def test_page_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_MAX_PAGES", "2")
    result = runner.invoke(app, ["parse", str(FIXTURES / "2026-first40-publisher.pdf")])
    assert result.exit_code == 2 and "exceed the limit of 2 (max_pages; RENKEI_MAX_PAGES)" in result.stderr
    monkeypatch.setenv("RENKEI_MAX_PAGES", "many")
    result = runner.invoke(app, ["parse", str(FIXTURES / "2026-first40-publisher.pdf")])
    assert result.exit_code == 2 and "RENKEI_MAX_PAGES='many' is not a whole number" in result.stderr


@pytest.mark.slow
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """600 MB of zeros in 0.6 MB: over the default 64 MiB limit, refused from the zip directory alone."""
    path = bad.zip_bomb_xlsx(tmp_path / "bomb.xlsx", 600 * 1024 * 1024)
    assert path.stat().st_size < 2 * 1024 * 1024
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "over the limit of 67,108,864 (max_xlsx_uncompressed_bytes" in (
        result.stderr
    )


def test_an_xlsx_without_the_table_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["特別区連携自治体数一覧"])
    workbook.active.append(["千代田区", 5])
    workbook.save(tmp_path / "other.xlsx")
    result = runner.invoke(app, ["parse", str(tmp_path / "other.xlsx")])
    assert result.exit_code == 2 and "no sheet has the table header" in result.stderr
