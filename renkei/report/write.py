"""Write the report files of one edition into a folder (written beside, then moved into place).

The folder gets a manifest of its own (MANIFEST: the files written, the edition, the renkei version). A folder
is only ever replaced when it is new, empty, or an earlier renkei report; anything else is refused untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from renkei.errors import RenkeiError
from renkei.normalise.wards import all_wards
from renkei.report.csv_ import render_events_csvs, render_events_json
from renkei.report.html import render_site_html
from renkei.report.markdown import (
    escape,
    render_index_markdown,
    render_overview_markdown,
    render_ward_markdown,
    render_ward_overview_markdown,
)
from renkei.report.view import ReportInput, index_rows, overview, slug, source_view, ward_pages


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    files: tuple[Path, ...]
    kind: str  # "changelog" or "overview"


MANIFEST = ".renkei-report.json"
# What reports written before the manifest existed hold: such a folder is recognised as a renkei report.
_LEGACY_REPORT_FILE = re.compile(r"(index|wards/\d{6}_[^/]+)\.(md|html)|changes[^/]*\.(csv|json)")


JST = timezone(timedelta(hours=9), "JST")


def generated_text(moment: datetime) -> str:
    """When a report was made, in Tokyo time: "2026-12-03 21:15 JST"."""
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


class ReportFolderError(RenkeiError):
    """The report folder given is not a folder renkei may write into (a file, foreign files, unwritable)."""


def render_report(data: ReportInput, *, headers: str = "ja", generated: str | None = None) -> dict[str, str | bytes]:
    """Every file of the report, by relative path (pure: nothing is written); CSV headers `ja` or `en`; the
    HTML pages show `generated` as the time they were made, when given."""
    files = _render_files(data, headers)
    files.update(render_site_html(data, generated))
    return {name: _with_source_markdown(content, data) if name.endswith(".md") else content
            for name, content in files.items()}  # fmt: skip


def _with_source_markdown(text: str | bytes, data: ReportInput) -> str | bytes:
    """A Markdown page with the 出典 line under its title and every detail of the source at its foot."""
    view = source_view(data)
    if view is None or not isinstance(text, str):
        return text
    title, _, rest = text.partition("\n")
    head = [escape(view.headline)]
    if view.correction:
        head.append(f"**{escape(view.correction)}**")
    head += [f"**注意**: {escape(w)}" for w in view.warnings]
    foot = ["", "---", "", "## 出典", "", *(f"- {label}: {escape(value)}" for label, value in view.details)]
    return "\n".join([title, "", *head, rest.rstrip("\n"), *foot]) + "\n"


def _render_files(data: ReportInput, headers: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    if data.previous is None:
        view = overview(data.records)
        files["index.md"] = render_overview_markdown(view, data)
        for ward in all_wards():
            files[f"wards/{slug(ward)}.md"] = render_ward_overview_markdown(ward, view, data)
        return files
    pages = ward_pages(data)
    rows = index_rows(pages)
    files["index.md"] = render_index_markdown(rows, data)
    for page in pages:
        files[f"wards/{slug(page.ward)}.md"] = render_ward_markdown(page, data)
    for name, text in render_events_csvs(data.events, headers).items():
        files[name] = text.encode("utf-8-sig")  # the BOM lets Excel read the UTF-8
    files["changes.json"] = render_events_json(data.events)
    return files


def check_report_folder(folder: Path) -> None:
    """Refuse (ReportFolderError) a folder that is not new, empty, or an earlier renkei report; touch nothing."""
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                what = "is a file" if place == folder else f"is under {place}, which is a file"
                raise ReportFolderError(f"{folder}: {what}; choose an empty or new folder")
            break
    if not folder.is_dir():
        return
    foreign = _foreign_entries(folder)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ReportFolderError(f"{folder}: holds files renkei did not write: {shown}; choose an empty or new folder")


def _foreign_entries(folder: Path) -> list[str]:
    """Entries of `folder` that no renkei report wrote (its manifest's files; or, without one, report names)."""
    listed: set[str] | None = None
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            listed = set(json.loads(manifest.read_text(encoding="utf-8"))["files"]) | {MANIFEST}
        except (OSError, ValueError, KeyError, TypeError):
            listed = None  # a damaged manifest proves nothing: judge the files by their names
    foreign: list[str] = []
    for root, dirs, names in os.walk(folder):
        base = Path(root).relative_to(folder)
        for name in sorted(dirs):
            if (Path(root) / name).is_symlink():
                foreign.append((base / name).as_posix())
        dirs[:] = sorted(d for d in dirs if not (Path(root) / d).is_symlink())
        if not names and not dirs and base != Path("."):
            foreign.append(base.as_posix() + "/")  # an empty folder renkei never makes
        for name in sorted(names):
            relative = (base / name).as_posix()
            ours = relative in listed if listed is not None else bool(_LEGACY_REPORT_FILE.fullmatch(relative))
            if not ours or (Path(root) / name).is_symlink():
                foreign.append(relative)
    return foreign


def _manifest(data: ReportInput, files: dict[str, str | bytes], headers: str) -> str:
    try:
        renkei_version = version("renkei")
    except PackageNotFoundError:
        renkei_version = None
    content = {
        "generator": "renkei report",
        "renkei_version": renkei_version,
        "edition": data.edition.isoformat(),
        "previous": data.previous.isoformat() if data.previous else None,
        "headers": headers,
        "files": sorted(files),
    }
    return json.dumps(content, ensure_ascii=False, indent=1) + "\n"


def _staging_folder(folder: Path) -> Path:
    """A fresh folder beside `folder`; an impossible place (a file on the way, no permission) is refused."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ReportFolderError(f"{folder}: cannot write here ({reason}); choose another folder") from exc


def write_report(
    data: ReportInput, folder: Path, *, headers: str = "ja", generated: datetime | None = None
) -> ReportFiles:
    """Render and write a report; `folder` must be new, empty, or an earlier report, which is replaced whole.
    The pages say when they were made (`generated`, default now)."""
    files = render_report(data, headers=headers, generated=generated_text(generated or datetime.now(UTC)))
    check_report_folder(folder)
    staging = _staging_folder(folder)
    retired: Path | None = None
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (staging / MANIFEST).write_text(_manifest(data, files, headers), encoding="utf-8")
        check_report_folder(folder)  # again: the folder may have changed while the report was rendered
        if folder.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
            os.replace(folder, retired / folder.name)
        try:
            os.replace(staging, folder)
        except BaseException:
            if retired is not None:
                os.replace(retired / folder.name, folder)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired is not None and not any(retired.iterdir()):
            retired.rmdir()
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    kind = "overview" if data.previous is None else "changelog"
    return ReportFiles(folder, tuple(sorted(folder / r for r in files)), kind)
