"""The `renkei` command line: the outermost shell that wires the core, the database and the flows together.

Heavy modules (SQLAlchemy, Prefect) are imported inside the commands that need them, so `renkei parse`
starts fast. Every RenkeiError becomes one line on stderr and exit status 2; anything else is a bug and keeps
its traceback (exit 1).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from renkei.errors import RenkeiError

app = typer.Typer(
    name="renkei",
    help="Change-tracking ETL for 各特別区と全国市町村等連携事業一覧 (Tokyo special wards' partnership programs).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reference_app = typer.Typer(help="The municipality reference list (全国地方公共団体コード).", no_args_is_help=True)
app.add_typer(reference_app, name="reference")


class ParseFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


def _fail(exc: RenkeiError) -> NoReturn:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=2)


def _stdout() -> Console:
    return Console(soft_wrap=False, width=max(Console().width, 160))


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="An edition file: extracted text, PDF or XLSX (detected from content).")],
    output_format: Annotated[
        ParseFormat, typer.Option("--format", help="jsonl (one record per line) or table.")
    ] = ParseFormat.jsonl,
    report: Annotated[
        bool, typer.Option("--report", help="Print the quality report (every warning) instead of the records.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat any warning as bad input (exit 2).")] = False,
) -> None:
    """Read one edition file and print its program records. Touches no database.

    Example: renkei parse snapshots/bundled/2026-03-31-extracted.txt --format table
    """
    from renkei.edition import read_edition
    from renkei.records import record_to_dict

    try:
        edition = read_edition(path)
    except RenkeiError as exc:
        _fail(exc)
    if strict and edition.warnings:
        typer.echo(
            f"Error: {path}: {len(edition.warnings)} warnings in strict mode (see renkei parse --report)", err=True
        )
        raise typer.Exit(code=2)
    if report:
        from renkei.console import quality_table
        from renkei.quality import quality_report

        _stdout().print(quality_table(quality_report(edition)))
        return
    if output_format is ParseFormat.table:
        from renkei.console import records_table

        _stdout().print(records_table(edition.records))
        return
    out = sys.stdout
    for record in edition.records:
        out.write(json.dumps(record_to_dict(record), ensure_ascii=False) + "\n")


@app.command()
def run(
    editions: Annotated[
        Path | None, typer.Option("--editions", help="Folder of edition files (default: the bundled editions).")
    ] = None,
) -> None:
    """The main job: read every edition in the editions folder and print a summary and the quality report.

    Example: renkei run
    """
    from renkei.config import editions_dir
    from renkei.console import edition_summary, quality_table
    from renkei.edition import read_edition
    from renkei.errors import EditionReadError
    from renkei.quality import quality_report

    folder = editions or editions_dir()
    files = sorted(
        p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
    )
    console = _stdout()
    try:
        if not files:
            raise EditionReadError(f"{folder}: no edition files found")
        for file in files:
            edition = read_edition(file)
            console.print(edition_summary(edition, file.name))
            console.print(quality_table(quality_report(edition)))
    except RenkeiError as exc:
        _fail(exc)


@reference_app.command("refresh")
def reference_refresh(
    csv_file: Annotated[
        Path,
        typer.Argument(help="The ministry's new list as UTF-8 CSV: code,prefecture,city,prefecture_kana,city_kana."),
    ],
) -> None:
    """Validate a new municipality list and replace the bundled one with it.

    Example: renkei reference refresh ~/Downloads/municipalities-2027.csv
    """
    from renkei.reference import refresh_reference

    try:
        prefectures, municipalities = refresh_reference(csv_file)
    except RenkeiError as exc:
        _fail(exc)
    typer.echo(f"reference list replaced: {prefectures} prefectures, {municipalities} municipalities")
