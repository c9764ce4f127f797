"""The command line: contract output, exit statuses and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.records import record_from_dict, record_to_dict
from tests.conftest import REAL_EDITION

runner = CliRunner()


def test_parse_jsonl_is_the_contract_record(real_edition) -> None:
    result = runner.invoke(app, ["parse", str(REAL_EDITION)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(real_edition.records)
    first = json.loads(lines[0])
    assert list(first) == [
        "edition", "ward", "seq", "category", "category_tags", "name", "name_key", "body", "content", "start",
        "partners", "provenance", "warnings",
    ]  # fmt: skip
    assert first["edition"] == "2026-03-31"
    assert first["ward"] == {"code": "131016", "name": "千代田区"}
    assert first["partners"][0] == {
        "text": "群馬県嬭恋村", "name": "群馬県嬬恋村", "code": "104256", "kind": "municipality",
        "start_fiscal_year": None, "correction": "嬭恋村→嬬恋村",
    }  # fmt: skip
    assert "\\u" not in result.stdout  # real characters, no escapes
    assert [record_from_dict(json.loads(line)) for line in lines] == list(real_edition.records)


def test_record_json_round_trips(real_edition) -> None:
    for record in real_edition.records:
        assert record_from_dict(json.loads(json.dumps(record_to_dict(record), ensure_ascii=False))) == record


def test_parse_table_and_report() -> None:
    table = runner.invoke(app, ["parse", str(REAL_EDITION), "--format", "table"])
    assert table.exit_code == 0 and "つまごい祭り" in table.stdout
    report = runner.invoke(app, ["parse", str(REAL_EDITION), "--report"])
    assert report.exit_code == 0
    for kind in ("correction_applied", "orphan_attached", "duplicate_row_merged", "unresolved_partner"):
        assert kind in report.stdout
    assert "line 1220" in report.stdout


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "file is empty"),
        (bytes(range(256)) * 50, "binary data"),
        (b"col1,col2\nx,y\n", "no table header"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: bytes, detail: str) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}: ") and detail in line


def test_a_missing_column_is_read_as_empty_with_a_warning(tmp_path: Path, real_edition) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: a field other than the ward missing from the header (and the rows) is read as empty."""
    lines = REAL_EDITION.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "missing-column.txt"
    path.write_text(
        "\n".join("\t".join(c for i, c in enumerate(line.split("\t")) if i != 3) for line in lines), encoding="utf-8"
    )
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["name_key"] for r in records] == [r.name_key for r in real_edition.records]
    assert {r["body"] for r in records} == {""}
    report = runner.invoke(app, ["parse", str(path), "--report"]).stdout  # an edition warning, not a record's
    assert "column_missing" in report and "no 事業主体 column: read as empty" in report


def test_strict_turns_warnings_into_exit_2() -> None:
    result = runner.invoke(app, ["parse", str(REAL_EDITION), "--strict"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "warnings in strict mode" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["parse", str(REAL_EDITION), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
