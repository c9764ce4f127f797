"""Report output that never harms (issue 14): `--out` refuses folders renkei did not write, and never ends in
a traceback; every CSV cell a spreadsheet would evaluate is neutralised, codes keep their zeros."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from renkei.cli import app
from renkei.diff import diff_editions
from renkei.parse.edition import read_edition
from renkei.records import Provenance, Record
from renkei.report import write as report_write
from renkei.report.csv_ import CSV_FILES, JA_HEADERS, neutralise, provenance_text
from renkei.report.view import ReportInput
from renkei.report.write import MANIFEST, ReportFolderError, render_report, write_report
from renkei.timeline import CSV_COLUMNS, CSV_HEADERS_JA, to_csv
from tests.conftest import REAL_EDITION, tree

EVALUABLE = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ('=HYPERLINK("http://x","y")', "+81-3-1234", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1")


def _hostile_pair() -> ReportInput:
    """2025 = the real edition; 2026 = the same with names, descriptions and categories that start with = + - @,
    and 千代田区 without 053619 in 2025 (so events carry codes with a leading zero: 053619)."""
    real = read_edition(REAL_EDITION)
    old: list[Record] = [replace(r, edition=date(2025, 3, 31)) for r in real.records]
    for i, record in enumerate(old):  # 秋田県五城目町 (053619) joins 千代田区 in 2026
        old[i] = replace(record, partners=tuple(p for p in record.partners if p.code != "053619"))
    new = list(real.records)
    for i, text in enumerate(HOSTILE):
        new[10 + i] = replace(new[10 + i], content=text + " 事業内容", category=text)
        new[20 + i] = replace(new[20 + i], name=text, name_key=text)
    return ReportInput(
        title=real.title,
        edition=real.as_of,
        records=tuple(new),
        previous=old[0].edition,
        previous_records=tuple(old),
        events=tuple(diff_editions(tuple(old), tuple(new))),
    )


@pytest.fixture(scope="module")
def hostile() -> ReportInput:
    return _hostile_pair()


@pytest.fixture(scope="module")
def rendered(hostile: ReportInput) -> dict[str, str | bytes]:
    return render_report(hostile)


def _rows(raw: str | bytes) -> list[list[str]]:
    assert isinstance(raw, bytes) and raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


# -- CSV: neutralised, codes as text, readable provenance, headers ------------------------------------------
def test_every_csv_cell_reads_back_as_text_after_an_xlsx_conversion(rendered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert set(CSV_FILES) <= set(rendered) and "changes.csv" not in rendered
    hostile_seen = 0
    for name in CSV_FILES:
        rows = _rows(rendered[name])
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)  # every cell as the string the csv module read
        book.save(tmp_path / f"{name}.xlsx")
        back = load_workbook(tmp_path / f"{name}.xlsx").active
        for cells, row in zip(back.iter_rows(), rows, strict=True):
            for cell, text in zip(cells, row, strict=True):
                if text == "":
                    continue
                # XML keeps no bare CR: a CR inside a cell comes back as a line feed
                assert cell.data_type == "s" and cell.value == text.replace("\r", "\n"), (name, text)
                assert not text.startswith(EVALUABLE), (name, text)
                hostile_seen += any(text.startswith("'" + h) for h in HOSTILE)
    assert hostile_seen >= len(HOSTILE)  # the hostile names and descriptions are there, each behind its quote


def test_hostile_cells_keep_their_text_behind_one_quote(rendered) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(rendered["changes_programs.csv"])
    header = rows[0]
    cells = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    names = {c[JA_HEADERS["program_name"]] for c in cells}
    assert {"'" + h for h in HOSTILE} <= names
    news = {c[JA_HEADERS["new"]] for c in cells}
    assert "'-2+3 事業内容" in news and "'@SUM(A1:A9) 事業内容" in news
    assert neutralise("区") == "区" and neutralise("=1") == "'=1" and neutralise("") == ""


def test_codes_keep_their_leading_zeros(rendered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    codes = set()
    for name in ("changes_partners.csv", "changes_municipalities.csv"):
        rows = _rows(rendered[name])
        column = rows[0].index(JA_HEADERS["partner_code"])
        codes |= {row[column] for row in rows[1:]}
    assert "053619" in codes
    book = Workbook()
    book.active.append(sorted(codes))
    book.save(tmp_path / "codes.xlsx")
    back = [c.value for c in next(load_workbook(tmp_path / "codes.xlsx").active.iter_rows())]
    assert "053619" in back


def test_provenance_is_readable_text(rendered) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(rendered["changes_programs.csv"])
    column = rows[0].index(JA_HEADERS["new_source"])
    sources = [row[column] for row in rows[1:] if row[column]]
    assert sources and all(s.startswith("行 ") for s in sources)
    assert provenance_text(Provenance(lines=(18,))) == "行 18"
    assert provenance_text(Provenance(lines=(67, 68, 69, 71))) == "行 67–69、71"
    assert provenance_text(Provenance(pages=(3,), rows=(5,))) == "p.3 行 5"
    assert provenance_text(Provenance(sheet="連携事業一覧", rows=(17,))) == "シート 連携事業一覧 行 17"
    assert provenance_text(None) == ""


def test_japanese_headers_by_default_and_english_on_request(hostile, rendered) -> None:  # type: ignore[no-untyped-def]
    english = render_report(hostile, headers="en")
    for name, (kinds, columns) in CSV_FILES.items():
        ja, en = _rows(rendered[name]), _rows(english[name])
        assert ja[0] == [JA_HEADERS[c] for c in columns] and en[0] == list(columns)
        assert ja[1:] == en[1:] and len(ja) > 1, name
        kind = columns.index("kind")
        assert {row[kind] for row in en[1:]} <= set(kinds)
    assert sum(len(_rows(rendered[n])) - 1 for n in CSV_FILES) == len(hostile.events)
    assert json.loads(str(rendered["changes.json"]))[0]["kind"] == hostile.events[0].kind  # JSON as before
    with pytest.raises(ValueError, match="headers"):
        render_report(hostile, headers="fr")


def test_timeline_csv_is_neutralised_with_both_headers() -> None:
    rows = [
        {"section": "link", "basis": "observed", "edition": "2026-03-31", "place": {"code": "053619", "name": "=X"},
         "ward": {"code": "131016", "name": "千代田区"}, "program_names": ["+a", "b"]},
    ]  # fmt: skip
    ja = list(csv.reader(io.StringIO(to_csv(rows), newline="")))
    en = list(csv.reader(io.StringIO(to_csv(rows, headers="en"), newline="")))
    assert ja[0] == [CSV_HEADERS_JA[c] for c in CSV_COLUMNS] and en[0] == list(CSV_COLUMNS)
    assert ja[1] == en[1]
    cells = dict(zip(CSV_COLUMNS, ja[1], strict=True))
    assert (cells["place_code"], cells["place_name"], cells["program_names"]) == ("053619", "'=X", "'+a / b")


# -- the report folder ---------------------------------------------------------------------------------------
def test_a_folder_with_foreign_files_is_refused_untouched(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (folder / "mynotes.txt").write_text("大事なメモ", encoding="utf-8")
    (folder / "sub" / "x.txt").write_text("x", encoding="utf-8")
    (folder / "index.html").write_text("looks like ours", encoding="utf-8")
    before = tree(tmp_path)
    with pytest.raises(ReportFolderError) as caught:
        write_report(hostile, folder)
    message = str(caught.value)
    assert "\n" not in message and str(folder) in message
    assert "renkei did not write: mynotes.txt, sub/x.txt;" in message and "index.html" not in message
    assert tree(tmp_path) == before


def test_an_earlier_report_is_replaced_whole(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    folder.mkdir()  # an empty folder is fine
    write_report(hostile, folder, headers="en")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["edition"] == "2026-03-31" and manifest["headers"] == "en"
    assert set(manifest["files"]) == {p.relative_to(folder).as_posix() for p in folder.rglob("*.*")} - {MANIFEST}
    (folder / "changes.old.csv").write_text("x", encoding="utf-8")  # a file an older report listed
    manifest["files"].append("changes.old.csv")
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    written = write_report(hostile, folder)
    assert not (folder / "changes.old.csv").exists()
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["headers"] == "ja"
    assert all(p.is_file() for p in written.files)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # nothing left beside it


def test_a_report_written_before_the_manifest_is_recognised(hostile, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "2026-03-31"
    (folder / "wards").mkdir(parents=True)
    for name in ("index.md", "index.html", "changes.csv", "changes.json", "wards/131016_千代田区.md"):
        (folder / name).write_text("old", encoding="utf-8")
    write_report(hostile, folder)
    assert not (folder / "changes.csv").exists() and (folder / MANIFEST).is_file()


def test_a_failed_replacement_keeps_the_earlier_report(hostile, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    write_report(hostile, folder)
    before = tree(tmp_path)
    original = report_write.os.replace
    calls = 0

    def failing_replace(source, target):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:  # the old report is set aside, then moving the new one in fails
            raise OSError("disk full")
        return original(source, target)

    monkeypatch.setattr(report_write.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(hostile, folder)
    assert tree(tmp_path) == before


def test_an_unwritable_place_is_one_error(hostile, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(report_write.tempfile, "mkdtemp", refuse)
    with pytest.raises(ReportFolderError, match=r"out: cannot write here \(Permission denied\)"):
        write_report(hostile, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# -- the command ---------------------------------------------------------------------------------------------
@pytest.fixture
def runner() -> CliRunner:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(REAL_EDITION)]).exit_code == 0
    return runner


def _one_line_refusal(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output, result.stderr
    for word in words:
        assert word in result.stderr


def test_out_naming_a_file_or_a_path_under_one_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    afile = tmp_path / "report.txt"
    afile.write_text("mine", encoding="utf-8")
    _one_line_refusal(runner.invoke(app, ["report", "--out", str(afile)]), str(afile), "is a file")
    under = afile / "sub"
    _one_line_refusal(runner.invoke(app, ["report", "--out", str(under)]), str(under), f"under {afile}")
    assert afile.read_text(encoding="utf-8") == "mine" and sorted(tmp_path.iterdir()) == [afile]


def test_out_with_foreign_files_is_refused_and_a_report_is_rewritten(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (folder / "mynotes.txt").write_text("notes", encoding="utf-8")
    (folder / "sub" / "x.txt").write_text("x", encoding="utf-8")
    before = tree(tmp_path)
    _one_line_refusal(runner.invoke(app, ["report", "--out", str(folder)]), "mynotes.txt, sub/x.txt", "empty or new")
    assert tree(tmp_path) == before
    report = tmp_path / "report"
    assert runner.invoke(app, ["report", "--out", str(report), "--headers", "en"]).exit_code == 0
    assert runner.invoke(app, ["report", "--out", str(report)]).exit_code == 0
    assert json.loads((report / MANIFEST).read_text(encoding="utf-8"))["headers"] == "ja"
    bad = runner.invoke(app, ["report", "--out", str(tmp_path / "other"), "--headers", "fr"])
    assert bad.exit_code == 2 and not (tmp_path / "other").exists()
