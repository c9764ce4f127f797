"""The `renkei` command line: the outermost shell that wires the core, the database and the flows together.

Heavy modules (SQLAlchemy, Prefect) are imported inside the commands that need them, so `renkei parse`
starts fast. Every RenkeiError becomes one line on stderr and exit status 2; anything else is a bug and keeps
its traceback (exit 1).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

# Typer's own (vendored) Click exception, which Typer re-exports only as BadParameter's base class.
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from renkei.errors import RenkeiError


class _OneLineErrors(TyperGroup):
    """The command group, with every usage error (unknown option or command, bad value, missing argument) as
    one line on stderr and exit status 2, like every other refusal — never Typer's panels or usage block."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: object,
    ) -> object:
        try:
            result = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except ClickException as exc:
            if not standalone_mode:
                raise
            where = f"{exc.ctx.command_path}: " if getattr(exc, "ctx", None) is not None else ""
            message = " ".join(exc.format_message().split())
            hint = f" (see {exc.ctx.command_path} --help)" if getattr(exc, "ctx", None) is not None else ""
            typer.echo(f"Error: {where}{message}{hint}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("Error: aborted", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="renkei",
    help="Change-tracking ETL for 各特別区と全国市町村等連携事業一覧 (Tokyo special wards' partnership programs).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reference_app = typer.Typer(help="The municipality reference list (全国地方公共団体コード).", no_args_is_help=True)
app.add_typer(reference_app, name="reference")
db_app = typer.Typer(help="The warehouse database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
review_app = typer.Typer(help="Flow runs held for review (a Prefect server is needed).", no_args_is_help=True)
app.add_typer(review_app, name="review")


DIRECT_RUN_LINE = "no Prefect server configured (PREFECT_API_URL unset): running the update's stages in this process"


class ParseFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class ExportFormat(StrEnum):
    jsonl = "jsonl"


class TimelineFormat(StrEnum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


class ChangesFormat(StrEnum):
    jsonl = "jsonl"
    md = "md"
    table = "table"


def _ward_option(value: str | None) -> str | None:
    """A ward given as 千代田, 千代田区, 東京都千代田区, ちよだ, チヨダ or 131016 → its code (with "did you mean")."""
    if value is None:
        return None
    from renkei.errors import UnknownNameError
    from renkei.normalise.wards import ward_named

    try:
        return ward_named(value).code
    except UnknownNameError as exc:
        raise typer.BadParameter(str(exc), param_hint="--ward") from None


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _fail(exc: RenkeiError) -> NoReturn:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=exc.exit_code)


def _read_edition(path: Path):  # type: ignore[no-untyped-def]
    """read_edition with a progress bar over a PDF's pages on stderr (when it is a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from renkei.parse.edition import read_edition

    console = Console(stderr=True)
    if not console.is_terminal:
        return read_edition(path)
    columns = (TextColumn(path.name), BarColumn(), MofNCompleteColumn(), TextColumn("pages"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = progress.add_task("pages", total=total)
            progress.update(task, completed=done)

        return read_edition(path, progress=update)


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
    from renkei.records import record_to_dict

    try:
        edition = _read_edition(path)
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
        Path | None, typer.Option("--editions", help="Read this folder of edition files instead of the source.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Download the edition file at this URL.")] = None,
    listing: Annotated[
        str | None, typer.Option("--listing", help="Take the newest edition linked from this listing page.")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="A file whose as-of date is stored with other content replaces it."),
    ] = False,
    accept_changes: Annotated[
        bool,
        typer.Option("--accept-changes", help="Load an edition whose change volume is above the review thresholds."),
    ] = False,
    flow: Annotated[
        bool,
        typer.Option(
            "--flow", help="Run as a Prefect flow run even without PREFECT_API_URL (Prefect starts a temporary server)."
        ),
    ] = False,
    logs: Annotated[
        bool | None,
        typer.Option("--logs/--no-logs", help="The run's logs on stderr (default: only when stderr is a terminal)."),
    ] = None,
) -> None:
    """The main job: one update run — find new editions, store them, diff them, write the reports.

    The source is the configured one (RENKEI_SOURCE_FOLDER / _URL / _LISTING or renkei.toml; by default the
    bundled editions) unless an option names another. Each new edition passes the validation gate and the
    review of its change volume before anything of it is written. A source with nothing new ends as a no-op.
    With PREFECT_API_URL set the run is a flow run on that server; without it the same stages run here.

    Example: renkei run --listing https://www.tokyo23city-kuchokai.jp/...
    """
    show_logs = Console(stderr=True).is_terminal if logs is None else logs
    source = {"folder": str(editions) if editions else None, "url": url, "listing": listing}
    try:
        if flow or _prefect_api_configured():
            summary = _run_as_flow(source, replace, accept_changes, show_logs)
        else:
            summary = _run_directly(source, replace, accept_changes, show_logs)
    except RenkeiError as exc:
        _fail(exc)
    from renkei.summary import summary_lines

    for line in summary_lines(summary):
        typer.echo(line)


def _run_directly(source: dict[str, str | None], replace: bool, accept_changes: bool, show_logs: bool):  # type: ignore[no-untyped-def]
    """The update run's stages in this process: no Prefect server, no Prefect import."""
    import logging

    from flows.pipeline import DirectDriver, Places, run_update
    from renkei.sources.settings import SourceSettings

    typer.echo(DIRECT_RUN_LINE)
    logger = logging.getLogger("renkei.run")
    if show_logs:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    settings = SourceSettings.load().with_overrides(**source)
    driver = DirectDriver(accept_changes=accept_changes, logger=logger)
    return run_update(driver, settings, Places.resolve(), replace_edition=replace)


def _run_as_flow(source: dict[str, str | None], replace: bool, accept_changes: bool, show_logs: bool):  # type: ignore[no-untyped-def]
    """The update run as a Prefect flow run (on the configured server, or a temporary one with --flow)."""
    _require_prefect_server()
    _prefect_defaults()
    from flows.update import update

    if not show_logs:
        from flows.console import silence_console_logs

        silence_console_logs()
    on_hold = "accept" if accept_changes else "stop"
    return update(**source, replace_edition=replace, on_hold=on_hold)


def _prefect_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile — read without importing Prefect."""
    import os
    import tomllib

    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL") or None


def _prefect_api_configured() -> bool:
    return _prefect_api_url() is not None


def _require_prefect_server() -> None:
    """A configured Prefect server must answer before anything is run on it: one line, not a traceback."""
    import httpx

    url = _prefect_api_url()
    if url is None:
        return
    try:
        answer = httpx.get(url.rstrip("/") + "/health", timeout=10)
        problem = None if answer.status_code in (200, 401) else f"it answered {answer.status_code}"
    except httpx.HTTPError as exc:
        problem = f"no answer ({type(exc).__name__})"
    if problem:
        typer.echo(
            f"Error: the Prefect server at PREFECT_API_URL={url} cannot be used: {problem}; start it, "
            "or unset PREFECT_API_URL to run the stages in this process",
            err=True,
        )
        raise typer.Exit(code=1)


@app.command()
def serve(
    cron: Annotated[
        str | None, typer.Option("--cron", help="When to run, in Asia/Tokyo time (default RENKEI_SCHEDULE_CRON).")
    ] = None,
) -> None:
    """Serve the update deployment on its schedule (and the backfill deployment on demand) until stopped.

    At most one run at a time. Needs a Prefect server (PREFECT_API_URL) to schedule against.
    Example: PREFECT_API_URL=http://127.0.0.1:4200/api renkei serve --cron "0 10 * * 1-5"
    """
    if not _prefect_api_configured():
        typer.echo(
            "Error: renkei serve needs a Prefect server: set PREFECT_API_URL (for example "
            "http://127.0.0.1:4200/api after `prefect server start`)",
            err=True,
        )
        raise typer.Exit(code=2)
    _require_prefect_server()
    _prefect_defaults()
    from flows.serve import serve_deployments

    try:
        serve_deployments(cron)
    except RenkeiError as exc:
        _fail(exc)


@app.command()
def deploy(
    pool: Annotated[str, typer.Option("--pool", help="The Prefect work pool whose workers run the flows.")],
    cron: Annotated[
        str | None, typer.Option("--cron", help="When to run, in Asia/Tokyo time (default RENKEI_SCHEDULE_CRON).")
    ] = None,
) -> None:
    """Register the update and backfill deployments with a work pool instead of serving them here.

    A worker of the pool runs them (`prefect worker start --pool NAME`); needs PREFECT_API_URL.
    Example: prefect work-pool create renkei --type process && renkei deploy --pool renkei
    """
    _prefect_defaults()
    from flows.serve import deploy_to_work_pool

    try:
        names = deploy_to_work_pool(pool, cron)
    except RenkeiError as exc:
        _fail(exc)
    for name in names:
        typer.echo(f"deployment {name} registered with work pool {pool}")


@review_app.command("approve")
def review_approve(
    run_id: Annotated[str, typer.Argument(help="The held flow run's id (shown in the Prefect UI and the log).")],
    note: Annotated[str, typer.Option("--note", help="Why (kept in the run's log).")] = "",
) -> None:
    """Approve a flow run held for review: it loads the held editions.

    Example: renkei review approve 0b7c…  (needs PREFECT_API_URL)
    """
    _decide(run_id, approve=True, note=note)


@review_app.command("reject")
def review_reject(
    run_id: Annotated[str, typer.Argument(help="The held flow run's id.")],
    note: Annotated[str, typer.Option("--note", help="Why (kept in the run's log).")] = "",
) -> None:
    """Reject a flow run held for review: it ends without writing anything.

    Example: renkei review reject 0b7c… --note "new layout, parser needs work"
    """
    _decide(run_id, approve=False, note=note)


@review_app.command("list")
def review_list() -> None:
    """List the flow runs waiting for review (Paused), newest first.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api renkei review list
    """
    _prefect_defaults()
    from flows.review import held_runs

    try:
        for line in held_runs():
            typer.echo(line)
    except RenkeiError as exc:
        _fail(exc)


def _decide(run_id: str, *, approve: bool, note: str) -> None:
    _prefect_defaults()
    from flows.review import decide

    try:
        typer.echo(decide(run_id, approve=approve, note=note))
    except RenkeiError as exc:
        _fail(exc)


def _warehouse():  # type: ignore[no-untyped-def]
    """The configured warehouse, its snapshot store first brought in line with it (db.reconcile)."""
    from db.reconcile import reconcile
    from db.session import database
    from renkei.config import snapshot_dir
    from renkei.store import SnapshotStore

    db = database()
    reconcile(db, SnapshotStore(snapshot_dir()))
    return db


@app.command()
def doctor(
    restore: Annotated[
        list[Path] | None,
        typer.Option("--restore", help="A copy of a stored source file that has gone missing (matched by sha256)."),
    ] = None,
) -> None:
    """Check the warehouse against the snapshot store and repair what can be repaired, saying what was done.

    Exit 0 when everything is consistent (after repairs), 1 when something cannot be repaired here.
    Example: renkei doctor --restore ~/Downloads/renkei_r8.pdf
    """
    from db.reconcile import reconcile
    from db.session import database, describe_url
    from renkei.config import snapshot_dir
    from renkei.store import SnapshotStore

    store = SnapshotStore(snapshot_dir())
    try:
        db = database()
        done = reconcile(db, store, restore=restore or ())
    except RenkeiError as exc:
        _fail(exc)
    for line in done.repaired:
        typer.echo(f"repaired: {line}")
    for line in done.problems:
        typer.echo(f"problem: {line}", err=True)
    verdict = "consistent" if done.consistent else f"{len(done.problems)} problem(s) left"
    typer.echo(f"{describe_url(db.url)} and {store.root}: {verdict}")
    if not done.consistent:
        raise typer.Exit(code=1)


def _prefect_defaults() -> None:
    """Where the user has no Prefect set-up (no PREFECT_HOME, no ~/.prefect profiles), Prefect keeps its
    state under RENKEI_HOME beside the embedded database; a temporary server gets time for its first start.
    Set before Prefect is imported."""
    import os

    from renkei.config import EPHEMERAL_STARTUP_SECONDS, home_dir

    if "PREFECT_HOME" not in os.environ and not (Path.home() / ".prefect" / "profiles.toml").is_file():
        prefect_home = home_dir() / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level itself
        os.environ["PREFECT_HOME"] = str(prefect_home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(EPHEMERAL_STARTUP_SECONDS))


@reference_app.command("refresh")
def reference_refresh(
    csv_file: Annotated[
        Path, typer.Argument(help="The ministry's new list, UTF-8 CSV: code,prefecture,city,prefecture_kana,city_kana.")
    ],
    update_database: Annotated[
        bool, typer.Option("--database/--no-database", help="Also update the warehouse's municipality table.")
    ] = True,
) -> None:
    """Validate a new municipality list, replace the bundled one, and update the warehouse's table.

    Example: renkei reference refresh ~/Downloads/municipalities-2027.csv
    """
    from renkei.reference import load_reference, refresh_reference

    try:
        prefectures, municipalities = refresh_reference(csv_file)
        typer.echo(f"reference list replaced: {prefectures} prefectures, {municipalities} municipalities")
        if update_database:
            from db.reference import sync_municipalities
            from db.session import describe_url

            db = _warehouse()
            with db.writing() as session:
                added, updated, unlisted = sync_municipalities(session, load_reference())
            where = describe_url(db.url)
            typer.echo(f"{where}: municipality table {added} added, {updated} updated, {unlisted} unlisted")
    except RenkeiError as exc:
        _fail(exc)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Edition files (text, PDF or XLSX), in any order.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Re-version an edition whose as-of date is stored with other content.")
    ] = False,
) -> None:
    """Store editions: snapshot plus versioned tables, one transaction each; an already ingested file is a no-op.

    Example: renkei ingest snapshots/bundled/2026-03-31-extracted.txt
    """
    from db.ingest import ingest_file
    from renkei.config import snapshot_dir
    from renkei.store import SnapshotStore

    try:
        parsed = [(path, _read_edition(path)) for path in paths]  # every file is checked before anything is written
        parsed.sort(key=lambda item: item[1].as_of)  # date order: appends, not rebuilds
        db, store = _warehouse(), SnapshotStore(snapshot_dir())
        for path, edition in parsed:
            result = ingest_file(db, path, store, replace=replace, parsed=edition)
            typer.echo(result.describe())
    except RenkeiError as exc:
        _fail(exc)


@app.command()
def editions(
    output_format: Annotated[ParseFormat, typer.Option("--format", help="jsonl or table.")] = ParseFormat.table,
) -> None:
    """List the ingested editions, oldest first.

    Example: renkei editions --format jsonl
    """
    from db.queries import editions as stored_editions

    try:
        with _warehouse().reading() as session:
            rows = [
                {
                    "as_of": e.as_of.isoformat(),
                    "title": e.title,
                    "source_name": e.source_name,
                    "format": e.source_format,
                    "sha256": e.sha256,
                    "size": e.size_bytes,
                    "records": e.record_count,
                    "ingested_at": e.ingested_at.isoformat(timespec="seconds"),
                    "source": e.source,
                    **({"supersedes": e.supersedes} if e.supersedes else {}),
                }
                for e in stored_editions(session)
            ]
    except RenkeiError as exc:
        _fail(exc)
    if output_format is ParseFormat.jsonl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    from rich.table import Table

    columns = ("as_of", "records", "format", "source_name", "sha256", "ingested_at")
    table = Table()
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c])[:12] if c == "sha256" else str(row[c]) for c in columns))
    _stdout().print(table)


@app.command()
def export(
    edition: Annotated[str, typer.Option("--edition", help="The edition's as-of date, YYYY-MM-DD.")],
    output_format: Annotated[ExportFormat, typer.Option("--format", help="jsonl (the record contract).")] = (
        ExportFormat.jsonl
    ),
) -> None:
    """Print the records of one ingested edition, exactly as `renkei parse` printed them.

    Example: renkei export --edition 2026-03-31
    """
    from db.queries import export_records
    from renkei.records import record_to_dict

    as_of = _parse_date(edition, "--edition")
    try:
        with _warehouse().reading() as session:
            records = export_records(session, as_of)
    except RenkeiError as exc:
        _fail(exc)
    for record in records:
        sys.stdout.write(json.dumps(record_to_dict(record), ensure_ascii=False) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (an empty database is also upgraded automatically on first use).

    Example: RENKEI_DATABASE_URL=postgresql://postgres@127.0.0.1/renkei renkei db upgrade
    """
    from db.migrate import head_revision
    from db.session import database, describe_url

    db = database()
    try:
        db.upgrade()
    except RenkeiError as exc:
        _fail(exc)
    typer.echo(f"{describe_url(db.url)}: schema at revision {head_revision()}")


@app.command()
def changes(
    from_date: Annotated[
        str | None, typer.Option("--from", help="Earlier edition (default: the one before --to).")
    ] = None,
    to_date: Annotated[str | None, typer.Option("--to", help="Later edition (default: the newest).")] = None,
    ward: Annotated[str | None, typer.Option("--ward", help="Only this ward: 千代田, 千代田区 or 131016.")] = None,
    output_format: Annotated[ChangesFormat, typer.Option("--format", help="jsonl, md or table.")] = ChangesFormat.table,
) -> None:
    """Print what changed between two editions: new, ended and renamed programs, partners, edited fields.

    Example: renkei changes --ward 千代田 --format md
    """
    from db.events import changes_between
    from db.queries import edition_on, stored_entries
    from db.queries import editions as stored_editions
    from renkei.errors import UnknownEditionError
    from renkei.report.view import ReportInput

    ward_code = _ward_option(ward)
    to_as_of = _parse_date(to_date, "--to") if to_date else None
    from_as_of = _parse_date(from_date, "--from") if from_date else None
    try:
        with _warehouse().reading() as session:
            ordered = [e.as_of for e in stored_editions(session)]
            if to_as_of is None:
                if not ordered:
                    raise UnknownEditionError("no edition is ingested yet")
                to_as_of = ordered[-1]
            new = edition_on(session, to_as_of)  # an unknown date is reported as such
            if from_as_of is None:
                earlier = [d for d in ordered if d < to_as_of]
                if not earlier:
                    raise UnknownEditionError(f"no edition before {to_as_of.isoformat()} to compare with")
                from_as_of = earlier[-1]
            events = changes_between(session, from_as_of, to_as_of)
            data = None
            if output_format is not ChangesFormat.jsonl:  # md and table show new and ended programs in full
                data = ReportInput(
                    title=new.title,
                    edition=to_as_of,
                    records=tuple(s.record for s in stored_entries(session, new)),
                    previous=from_as_of,
                    previous_records=tuple(s.record for s in stored_entries(session, edition_on(session, from_as_of))),
                    events=tuple(events),
                )
    except RenkeiError as exc:
        _fail(exc)
    _print_changes(events, output_format, data, ward_code)


def _print_changes(events: list, output_format: ChangesFormat, data=None, ward_code: str | None = None) -> None:  # type: ignore[no-untyped-def,type-arg]
    """jsonl: the events as the contract says; md and table: the view of `data` (renkei.report.changes)."""
    from renkei.diff import event_to_dict

    if output_format is ChangesFormat.jsonl:
        for event in events:
            if ward_code is None or event.ward.code == ward_code:
                sys.stdout.write(json.dumps(event_to_dict(event), ensure_ascii=False) + "\n")
        return
    from renkei.normalise.wards import all_wards
    from renkei.report.changes import changes_view

    ward = next((w for w in all_wards() if w.code == ward_code), None)
    view = changes_view(data, ward)
    if output_format is ChangesFormat.md:
        from renkei.report.markdown import render_changes_markdown

        sys.stdout.write(render_changes_markdown(view))
        return
    from renkei.console import changes_table

    _stdout().print(changes_table(view))


@app.command()
def report(
    edition: Annotated[
        str | None, typer.Option("--edition", help="The edition (YYYY-MM-DD); default: the newest.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder: new, empty or an earlier report (default: reports/<DATE>/)."),
    ] = None,
    headers: Annotated[
        str, typer.Option("--headers", help="CSV column names: ja (Japanese, for people) or en (keys, for scripts).")
    ] = "ja",
) -> None:
    """Write the changelog reports of one edition against the one before it (an overview for the first).

    Per ward Markdown and HTML, an index with charts, and the events as CSV (for Excel) and JSON.
    Example: renkei report --edition 2026-03-31 --out reports/2026
    """
    from db.reports import report_input
    from renkei.config import reports_dir
    from renkei.report.write import check_report_folder, write_report

    as_of = _parse_date(edition, "--edition") if edition else None
    if headers not in ("ja", "en"):
        raise typer.BadParameter(f"{headers!r} is not one of ja, en", param_hint="--headers")
    try:
        if out is not None:
            check_report_folder(out)  # before any work: a folder renkei may not write into is refused untouched
        with _warehouse().reading() as session:
            data = report_input(session, as_of)
        folder = out or reports_dir() / data.edition.isoformat()
        written = write_report(data, folder, headers=headers)
    except RenkeiError as exc:
        _fail(exc)
    what = "overview (first edition)" if written.kind == "overview" else f"changelog against {data.previous}"
    typer.echo(f"{written.folder}: {len(written.files)} files, {what}; open {written.folder / 'index.html'}")


@app.command()
def timeline(
    ward: Annotated[
        str | None, typer.Option("--ward", help="A ward: 千代田, 千代田区, 東京都千代田区, ちよだ or 131016.")
    ] = None,
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="A place: 群馬県嬬恋村, 嬬恋村 (when unique) or 104256.")
    ] = None,
    prefecture: Annotated[
        str | None, typer.Option("--prefecture", help="Every place of a prefecture: 群馬県, 群馬 or 100005.")
    ] = None,
    output_format: Annotated[TimelineFormat, typer.Option("--format", help="table, csv or jsonl.")] = (
        TimelineFormat.table
    ),
    headers: Annotated[
        str, typer.Option("--headers", help="CSV column names: ja (Japanese, for people) or en (keys, for scripts).")
    ] = "ja",
) -> None:
    """History of a ward's, a municipality's, a ward × municipality pair's or a prefecture's partnerships.

    Observed history (edition by edition) and declared history (from 事業開始年度, each year marked as the
    partner's own or the program's) are both shown.

    Example: renkei timeline --ward 世田谷 --municipality 川場村 (also --municipality 嬬恋村, --prefecture 群馬)
    """
    if headers not in ("ja", "en"):
        raise typer.BadParameter(f"{headers!r} is not one of ja, en", param_hint="--headers")
    from db.timeline import municipality_timeline, pair_timeline, prefecture_timeline, ward_timeline
    from renkei.errors import UnknownNameError
    from renkei.normalise.places import place_named
    from renkei.normalise.wards import ward_named
    from renkei.timeline import (
        municipality_rows,
        pair_rows,
        prefecture_named,
        prefecture_rows,
        suggest_place,
        to_csv,
        to_jsonl,
        ward_rows,
    )

    if prefecture is not None and (ward is not None or municipality is not None):
        raise typer.BadParameter("give --prefecture alone", param_hint="--prefecture")
    if prefecture is None and ward is None and municipality is None:
        raise typer.BadParameter(
            "give --ward, --municipality, both (one pair), or --prefecture", param_hint="--ward/--municipality"
        )
    code = _ward_option(ward)
    found = ward_named(code) if code is not None else None
    try:
        place = None
        if municipality is not None:
            try:
                place = place_named(municipality)
            except UnknownNameError as exc:
                suggestion = suggest_place(municipality) if "several places" not in str(exc) else None
                raise UnknownNameError(f"{exc}; did you mean {suggestion}?" if suggestion else str(exc)) from None
        region = prefecture_named(prefecture) if prefecture is not None else None
        with _warehouse().reading() as session:
            if region is not None:
                result = prefecture_timeline(session, region.code)
                rows = prefecture_rows(result)
            elif found is not None and place is not None:
                result = pair_timeline(session, found, place.code)
                rows = pair_rows(result)
            elif found is not None:
                result = ward_timeline(session, found)
                rows = ward_rows(result)
            elif place is not None:
                result = municipality_timeline(session, place.code)
                rows = municipality_rows(result)
    except RenkeiError as exc:
        _fail(exc)
    if output_format is TimelineFormat.jsonl:
        sys.stdout.write(to_jsonl(rows))
    elif output_format is TimelineFormat.csv:
        sys.stdout.write("\ufeff" + to_csv(rows, headers=headers))  # the BOM lets Excel read the UTF-8
    else:
        from renkei.console import timeline_tables

        _stdout().print(timeline_tables(result))
