"""The first step of an update run: the edition files a source offers, as local paths."""

from __future__ import annotations

from pathlib import Path

from renkei.errors import EditionReadError
from renkei.sources.download import DownloadError, fetch_page
from renkei.sources.listing import EditionLink, newest_edition_link
from renkei.sources.settings import SourceSettings

_NOT_EDITIONS = {".md", ".json", ".toml"}  # notes and state kept beside editions


def folder_editions(folder: Path) -> list[Path]:
    """Every edition file in `folder` (hidden files and notes left out), by name."""
    if not folder.is_dir():
        raise EditionReadError(f"{folder}: not a folder of edition files")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix not in _NOT_EDITIONS
    )
    if not files:
        raise EditionReadError(f"{folder}: no edition files found")
    return files


def listing_edition_link(listing_url: str, settings: SourceSettings) -> EditionLink:
    """The newest link to the table on the publisher's listing page."""
    html, final_url = fetch_page(listing_url, settings)
    link = newest_edition_link(html, final_url)
    if link is None:
        raise DownloadError(f"{listing_url}: no link naming 各特別区と全国市町村等連携事業一覧 on the page")
    return link
