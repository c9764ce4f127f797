"""The first step of an update run: the edition files a source offers, as local paths."""

from __future__ import annotations

from pathlib import Path

from renkei.errors import EditionReadError
from renkei.sources.listing import TITLE, EditionLink, ListingChoice, links_to_editions, page_links
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
    return choose_edition_link(listing_url, settings).chosen


def choose_edition_link(listing_url: str, settings: SourceSettings) -> ListingChoice:
    """The newest link to the table on the publisher's listing page, with every candidate it was chosen among."""
    from renkei.sources.download import DownloadError, fetch_page  # httpx: folder runs never import it

    html, page_url = fetch_page(listing_url, settings)
    links = page_links(html, page_url)  # relative hrefs resolve against the final URL, after redirects
    candidates = links_to_editions(links)
    if not candidates:
        raise DownloadError(
            f"{listing_url}: no link naming {TITLE} on the page; looked in the text in and around each of its "
            f"{len(links)} link{'' if len(links) == 1 else 's'} (the list item, table row or line it stands in)"
        )
    return ListingChoice(candidates[0], tuple(candidates), page_url)
