"""Caps on input (rows, programs, partners per program, characters per cell): a file far too big is refused
with one line naming the file, the cap, the setting that raises it and where it bit — while it is read, before
memory grows. Small caps are set in the environment so the tests stay fast; the real edition passes under the
defaults, and at exactly its own measured size.

Generators of big inputs live here too; benchmarks/caps_bench.py uses them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import get_column_letter
from typer.testing import CliRunner

from renkei.cli import app
from renkei.errors import SettingsError
from renkei.parse.edition import read_edition
from renkei.parse.read import read_source
from renkei.records import Edition, record_to_dict
from renkei.settings import ParseSettings
from tests.conftest import HEADER, PROJECT_ROOT, REAL_EDITION, edition_text, row

FIXTURES = Path(__file__).parent / "fixtures"
XLSX_FIXTURE = FIXTURES / "2026-first40.xlsx"
PDF_FIXTURE = FIXTURES / "2026-first40-publisher.pdf"
SHEET = "連携事業一覧"
runner = CliRunner()

# What the 2026 edition holds (measured here, quoted in renkei/settings.py): rows holding text, characters in
# its longest cell, programs, partners of its largest program.
REAL_SIZES = {
    "RENKEI_MAX_ROWS": 1791,
    "RENKEI_MAX_CELL_CHARS": 415,
    "RENKEI_MAX_PROGRAMS": 842,
    "RENKEI_MAX_PARTNERS": 172,
}


def _refused(path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """`renkei parse path` under `env`: exit 2 and exactly one line on stderr, which is returned."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2, result.stdout[:300]
    assert result.stdout == "" and result.stderr.count("\n") == 1
    return result.stderr.removesuffix("\n")


def _content(edition: Edition) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for record in edition.records:
        data = record_to_dict(record)
        data.pop("provenance")
        data.pop("warnings")
        out.append(data)
    return out


def _real_lines() -> list[str]:
    return REAL_EDITION.read_text(encoding="utf-8").splitlines()


# -- generators (also used by benchmarks/caps_bench.py) --------------------------------------------------------
def _head_and_data() -> tuple[list[str], list[str]]:
    """The real edition's lines up to its first header, and its data lines that hold text."""
    lines = _real_lines()
    header = next(i for i, line in enumerate(lines) if line.startswith("各特別区名"))
    return lines[: header + 1], [line for line in lines[header + 1 :] if line.strip()]


def write_big_text(path: Path, size: int, max_rows: int = ParseSettings().max_rows) -> int:
    """An extracted-text edition of about `size` bytes: the real title and header, then its data lines repeated.
    Returns the line at which `max_rows` rows are passed."""
    head, data = _head_and_data()
    block = ("\n".join(data) + "\n").encode()
    with path.open("wb") as handle:
        handle.write(("\n".join(head) + "\n").encode())
        for _ in range(max(1, size // len(block))):
            handle.write(block)
    held = [number for number, line in enumerate(head, start=1) if line.strip()]
    return len(head) + max_rows + 1 - len(held)  # every data line holds text


def write_big_xlsx(path: Path, rows: int, max_rows: int = ParseSettings().max_rows) -> int:
    """A workbook (openpyxl write-only) of `rows` table rows: the real title, as-of date and header, then its
    data lines repeated, one cell per TAB field. Returns the sheet row at which `max_rows` rows are passed."""
    head, data = _head_and_data()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    held = 0
    passed = 0
    for line in head:
        sheet.append(line.split("\t") if line.strip() else [])
        held += bool(line.strip())
    cells = [[cell or None for cell in line.split("\t")] for line in data]  # None: no cell written (faster)
    for index in range(rows):
        sheet.append(cells[index % len(cells)])
        if not passed and held + index + 1 > max_rows:
            passed = len(head) + index + 1
    workbook.save(path)
    return passed


def write_long_line(path: Path, size: int) -> None:
    """A text edition whose first program row has one cell of `size` characters (no line break)."""
    text = edition_text(row("千代田", "文化", "祭り", "区", "群馬県嬬恋村", "参加。", "平成元年度"))
    head, _, rest = text.partition("参加。")
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        chunk = "参加。" * 100_000
        for _ in range(size // len(chunk.encode())):
            handle.write(chunk)
        handle.write(rest)


PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "renkei", "parse", sys.argv[1]], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": done.returncode, "stderr": done.stderr, "seconds": seconds, "peak_mib": peak}))
"""


def parse_in_subprocess(path: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """`renkei parse path` in a fresh process: exit code, stderr, wall seconds and its peak RSS in MiB (measured
    by an intermediate process whose only child it is, so nothing else counts)."""
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_MAX_")} | (env or {})
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
    )
    return json.loads(out.stdout)


# -- settings ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("RENKEI_MAX_ROWS", "max_rows"),
        ("RENKEI_MAX_PROGRAMS", "max_programs"),
        ("RENKEI_MAX_PARTNERS", "max_partners"),
        ("RENKEI_MAX_CELL_CHARS", "max_cell_chars"),
    ],
)
def test_each_cap_is_a_setting_read_from_the_environment(
    variable: str, field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "1_234")
    assert getattr(ParseSettings.from_env(), field) == 1234
    monkeypatch.setenv(variable, "0")
    with pytest.raises(SettingsError, match=f"ParseSettings.{field} must be a positive integer"):
        ParseSettings.from_env()
    with pytest.raises(ValueError, match=field):
        ParseSettings.resolve({field: -1})


def test_the_defaults_are_ten_to_twenty_times_the_real_edition() -> None:
    defaults = ParseSettings()
    assert (defaults.max_rows, defaults.max_programs) == (40_000, 15_000)
    assert (defaults.max_partners, defaults.max_cell_chars) == (3_500, 20_000)
    assert defaults.max_file_bytes == defaults.max_xlsx_uncompressed_bytes == 64 * 1024 * 1024


# -- the real edition, under the defaults and at its own size ---------------------------------------------------
def test_the_real_edition_passes_under_the_defaults(real_edition: Edition) -> None:
    edition = read_edition(REAL_EDITION, ParseSettings())
    assert len(edition.records) == 842 and edition.records == real_edition.records


@pytest.mark.parametrize("variable", sorted(REAL_SIZES))
def test_the_real_edition_fits_a_cap_of_its_own_size_and_not_one_less(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, str(REAL_SIZES[variable]))
    assert len(read_edition(REAL_EDITION).records) == 842
    monkeypatch.setenv(variable, str(REAL_SIZES[variable] - 1))
    line = _refused(REAL_EDITION, {}, monkeypatch)
    assert re.fullmatch(
        rf"Error: {re.escape(str(REAL_EDITION))}: more than [\d,]+ .* \(\w+; {variable}\); refused at line \d+.*", line
    )


def test_a_realistic_workbook_passes_under_the_defaults(tmp_path: Path, real_edition: Edition) -> None:
    """The real edition's rows, one sheet row each (no merged cells): the same records as the text."""
    head, data = _head_and_data()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    for line in head + data:
        sheet.append(line.split("\t") if line.strip() else [])
    workbook.save(tmp_path / "real.xlsx")
    assert _content(read_edition(tmp_path / "real.xlsx", ParseSettings())) == _content(real_edition)


@pytest.mark.slow
@pytest.mark.xdist_group("full-renderings")
def test_the_full_xlsx_rendering_passes_under_the_defaults(tmp_path: Path, real_edition: Edition) -> None:
    from tests.render.xlsx import render_xlsx

    path = render_xlsx(real_edition.records, tmp_path / "2026.xlsx", title=real_edition.title, as_of=real_edition.as_of)
    assert _content(read_edition(path, ParseSettings())) == _content(real_edition)


def test_the_pdf_fixture_passes_under_the_defaults(real_edition: Edition) -> None:
    """The full PDF rendering is read under the defaults in test_pdf_xlsx.py (slow)."""
    assert _content(read_edition(PDF_FIXTURE, ParseSettings())) == _content(real_edition)[:40]


# -- text -------------------------------------------------------------------------------------------------------
def test_text_rows_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    held = [number for number, line in enumerate(_real_lines(), start=1) if line.strip()]
    line = _refused(REAL_EDITION, {"RENKEI_MAX_ROWS": "50"}, monkeypatch)
    assert line == f"Error: {REAL_EDITION}: more than 50 rows (max_rows; RENKEI_MAX_ROWS); refused at line {held[50]}"


def test_text_cell_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    number, column = next(
        (n, c)
        for n, text in enumerate(_real_lines(), start=1)
        for c, cell in enumerate(text.split("\t"), start=1)
        if len(cell) > 300
    )
    line = _refused(REAL_EDITION, {"RENKEI_MAX_CELL_CHARS": "300"}, monkeypatch)
    assert line == (
        f"Error: {REAL_EDITION}: more than 300 characters in a cell (max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        f"refused at line {number}, column {column}"
    )


def test_one_long_line_is_refused_before_it_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 5 MB cell on line 6 (column 6): refused once the line passes seven cells' worth, not read whole."""
    path = tmp_path / "long.txt"
    write_long_line(path, 5_000_000)
    line = _refused(path, {}, monkeypatch)
    assert line == (
        f"Error: {path}: more than 20,000 characters in a cell (max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        "refused at line 6, column 6"
    )


def test_a_line_of_many_small_cells_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tabs.txt"
    path.write_text(edition_text(row("千代田", "文化", "祭り") + "\tx" * 400), encoding="utf-8")
    line = _refused(path, {"RENKEI_MAX_CELL_CHARS": "100"}, monkeypatch)
    assert line == (
        f"Error: {path}: more than 707 characters in a line (7 cells of max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        "refused at line 6"
    )


def test_text_programs_cap(monkeypatch: pytest.MonkeyPatch, real_edition: Edition) -> None:
    first = min(real_edition.records[100].provenance.lines)
    line = _refused(REAL_EDITION, {"RENKEI_MAX_PROGRAMS": "100"}, monkeypatch)
    assert line == (
        f"Error: {REAL_EDITION}: more than 100 programs (max_programs; RENKEI_MAX_PROGRAMS); refused at line {first}"
    )


def test_text_partners_cap(write_edition, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = write_edition(
        edition_text(
            row("千代田", "交流", "祭り", "区", "群馬県嬬恋村 群馬県前橋市", "参加。", "平成元年度"),
            row("", "", "", "", "群馬県高崎市 群馬県桐生市", "", ""),
            row("港", "交流", "市", "区", "群馬県嬬恋村", "出店。", "平成2年度"),
        )
    )
    line = _refused(path, {"RENKEI_MAX_PARTNERS": "3"}, monkeypatch)
    assert line == (
        f"Error: {path}: more than 3 partners in one program (max_partners; RENKEI_MAX_PARTNERS); refused at line 7"
    )


# -- XLSX -------------------------------------------------------------------------------------------------------
def _sheet_texts(path: Path) -> list[tuple[int, list[str]]]:
    """(sheet row, cell texts) of the fixture's rows, as an independent reading."""
    sheet = load_workbook(path, read_only=True, data_only=True)[SHEET]
    return [
        (number, [" ".join(str(v).split()) if v is not None else "" for v in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]


def test_xlsx_rows_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    held = [number for number, cells in _sheet_texts(XLSX_FIXTURE) if any(cells)]
    line = _refused(XLSX_FIXTURE, {"RENKEI_MAX_ROWS": "50"}, monkeypatch)
    assert line == (
        f"Error: {XLSX_FIXTURE}: more than 50 rows (max_rows; RENKEI_MAX_ROWS); refused at sheet {SHEET} row {held[50]}"
    )


def test_xlsx_cell_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = load_workbook(XLSX_FIXTURE, read_only=True)[SHEET]
    number, column = next(
        (n, c)
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        for c, value in enumerate(values, start=1)
        if isinstance(value, str) and len(value) > 100
    )
    line = _refused(XLSX_FIXTURE, {"RENKEI_MAX_CELL_CHARS": "100"}, monkeypatch)
    assert line == (
        f"Error: {XLSX_FIXTURE}: more than 100 characters in a cell (max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        f"refused at sheet {SHEET} row {number}, column {get_column_letter(column)}"
    )


def test_xlsx_long_cell_is_refused_under_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(
        tmp_path / "long.xlsx", [["千代田", "文化", "祭り", "区", "群馬県嬬恋村", "参加。" * 10_000, "平成元年度"]]
    )
    line = _refused(path, {}, monkeypatch)
    assert line == (
        f"Error: {path}: more than 20,000 characters in a cell (max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        f"refused at sheet {SHEET} row 4, column F"
    )


def test_xlsx_programs_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    first = min(read_edition(XLSX_FIXTURE).records[39].provenance.rows)
    line = _refused(XLSX_FIXTURE, {"RENKEI_MAX_PROGRAMS": "39"}, monkeypatch)
    assert line == (
        f"Error: {XLSX_FIXTURE}: more than 39 programs (max_programs; RENKEI_MAX_PROGRAMS); "
        f"refused at sheet {SHEET} row {first}"
    )


def test_xlsx_partners_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workbook(
        tmp_path / "partners.xlsx",
        [
            ["千代田", "交流", "祭り", "区", "群馬県嬬恋村", "参加。", "平成元年度"],
            ["", "", "", "", "群馬県前橋市 群馬県高崎市 群馬県桐生市", "", ""],
        ],
    )
    line = _refused(path, {"RENKEI_MAX_PARTNERS": "3"}, monkeypatch)
    assert line == (
        f"Error: {path}: more than 3 partners in one program (max_partners; RENKEI_MAX_PARTNERS); "
        f"refused at sheet {SHEET} row 5"
    )


def _workbook(path: Path, rows: list[list[str]]) -> Path:
    """Title, as-of date, header (sheet row 3), then `rows` from sheet row 4."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(["各特別区と全国市町村等連携事業一覧"])
    sheet.append(["令和8年3月31日現在"])
    sheet.append(HEADER.split("\t"))
    for cells in rows:
        sheet.append(cells)
    workbook.save(path)
    return path


# -- PDF --------------------------------------------------------------------------------------------------------
def test_pdf_rows_cap_across_pages_with_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's 5 pages go to two worker processes; the count runs on over pages and stops at the cap."""
    where = read_source(PDF_FIXTURE, ParseSettings()).rows[100].provenance.describe()
    line = _refused(PDF_FIXTURE, {"RENKEI_MAX_ROWS": "100", "RENKEI_PDF_WORKERS": "2"}, monkeypatch)
    assert not where.startswith("page 1 ")  # counted on over pages
    assert line == f"Error: {PDF_FIXTURE}: more than 100 rows (max_rows; RENKEI_MAX_ROWS); refused at {where}"


def test_pdf_cell_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    row_, column = next(
        (r, c)
        for r in read_source(PDF_FIXTURE, ParseSettings()).rows
        for c, cell in enumerate(r.cells, start=1)
        if len(cell) > 100
    )
    line = _refused(PDF_FIXTURE, {"RENKEI_MAX_CELL_CHARS": "100"}, monkeypatch)
    assert line == (
        f"Error: {PDF_FIXTURE}: more than 100 characters in a cell (max_cell_chars; RENKEI_MAX_CELL_CHARS); "
        f"refused at {row_.provenance.describe()}, column {column}"
    )


def test_pdf_programs_and_partners_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    records = read_edition(PDF_FIXTURE).records
    line = _refused(PDF_FIXTURE, {"RENKEI_MAX_PROGRAMS": "39"}, monkeypatch)
    page, first = records[39].provenance.pages[0], min(records[39].provenance.rows)
    assert line == (
        f"Error: {PDF_FIXTURE}: more than 39 programs (max_programs; RENKEI_MAX_PROGRAMS); "
        f"refused at page {page} row {first}"
    )
    largest = max(len(r.partners) for r in records)
    monkeypatch.delenv("RENKEI_MAX_PROGRAMS")
    line = _refused(PDF_FIXTURE, {"RENKEI_MAX_PARTNERS": str(largest - 1)}, monkeypatch)
    assert re.fullmatch(
        rf"Error: {re.escape(str(PDF_FIXTURE))}: more than {largest - 1} partners in one program "
        r"\(max_partners; RENKEI_MAX_PARTNERS\); refused at page \d+ row \d+",
        line,
    )


# -- big inputs: refused within 30 s and 300 MB -----------------------------------------------------------------
SECONDS, PEAK_MIB = 30, 300
RAISED = {"RENKEI_MAX_FILE_BYTES": str(2**30), "RENKEI_MAX_XLSX_UNCOMPRESSED_BYTES": str(2**30)}


@pytest.fixture(scope="module")
def big_text(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("big") / "big.txt"
    return path, write_big_text(path, 150_000_000)


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    return path, write_big_xlsx(path, 300_000)


@pytest.mark.slow
@pytest.mark.parametrize("caps", ["defaults", "file-size-caps-raised"])
def test_a_150_mb_text_is_refused_quickly_in_little_memory(big_text: tuple[Path, int], caps: str) -> None:
    """Under the defaults the file size refuses it at once; with that cap raised, the row cap refuses it while
    streaming, after 40,000 rows — not after loading 150 MB."""
    path, passed = big_text
    run = parse_in_subprocess(path, RAISED if caps != "defaults" else None)
    assert run["code"] == 2
    if caps == "defaults":
        assert "exceeds the limit of 67,108,864 (max_file_bytes; RENKEI_MAX_FILE_BYTES)" in str(run["stderr"])
    else:
        assert run["stderr"] == (
            f"Error: {path}: more than 40,000 rows (max_rows; RENKEI_MAX_ROWS); refused at line {passed}\n"
        )
    assert run["seconds"] < SECONDS and run["peak_mib"] < PEAK_MIB, run


@pytest.mark.slow
@pytest.mark.parametrize("caps", ["defaults", "file-size-caps-raised"])
def test_a_300000_row_workbook_is_refused_quickly_in_little_memory(big_xlsx: tuple[Path, int], caps: str) -> None:
    path, passed = big_xlsx
    run = parse_in_subprocess(path, RAISED if caps != "defaults" else None)
    assert run["code"] == 2
    if caps == "defaults":
        assert "over the limit of 67,108,864 (max_xlsx_uncompressed_bytes" in str(run["stderr"])
    else:
        assert run["stderr"] == (
            f"Error: {path}: more than 40,000 rows (max_rows; RENKEI_MAX_ROWS); refused at sheet {SHEET} row {passed}\n"
        )
    assert run["seconds"] < SECONDS and run["peak_mib"] < PEAK_MIB, run
