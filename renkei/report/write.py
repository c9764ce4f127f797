"""Write the report files of one edition into a folder (written beside, then moved into place)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from renkei.normalise.wards import all_wards
from renkei.report.csv_ import render_events_csv, render_events_json
from renkei.report.html import render_index_html, render_overview_html, render_ward_html, render_ward_overview_html
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


def render_report(data: ReportInput) -> dict[str, str | bytes]:
    """Every file of the report, by relative path (pure: nothing is written)."""
    files = _render_files(data)
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


def _render_files(data: ReportInput) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    if data.previous is None:
        view = overview(data.records)
        files["index.md"] = render_overview_markdown(view, data)
        files["index.html"] = render_overview_html(view, data)
        for ward in all_wards():
            files[f"wards/{slug(ward)}.md"] = render_ward_overview_markdown(ward, view, data)
            files[f"wards/{slug(ward)}.html"] = render_ward_overview_html(ward, view, data)
        return files
    pages = ward_pages(data)
    rows = index_rows(pages)
    files["index.md"] = render_index_markdown(rows, data)
    files["index.html"] = render_index_html(rows, data)
    for page in pages:
        files[f"wards/{slug(page.ward)}.md"] = render_ward_markdown(page, data)
        files[f"wards/{slug(page.ward)}.html"] = render_ward_html(page, data)
    files["changes.csv"] = render_events_csv(data.events).encode("utf-8-sig")
    files["changes.json"] = render_events_json(data.events)
    return files


def write_report(data: ReportInput, folder: Path) -> ReportFiles:
    """Render and write a report; an existing report in `folder` is replaced as a whole."""
    files = render_report(data)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kind = "overview" if data.previous is None else "changelog"
    return ReportFiles(folder, tuple(sorted(folder / r for r in files)), kind)
