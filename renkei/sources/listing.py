"""The publisher's listing page: find the link to 各特別区と全国市町村等連携事業一覧 among the page's other
documents, with the as-of date and the format its link text announces.

Link texts read like "各特別区と全国市町村等連携事業一覧（令和5年8月1日現在） XLSX（約254KB）", beside other
documents ("特別区連携自治体数一覧（令和5年8月1日現在） PDF（約395KB）", a pamphlet…) that must not be taken.
The date is not always March 31.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin

from renkei.normalise.eras import parse_as_of

TITLE = "各特別区と全国市町村等連携事業一覧"
_FORMATS = {"PDF": "pdf", "XLSX": "xlsx", "XLS": "xlsx", "EXCEL": "xlsx", "TXT": "text", "CSV": "text"}
_FORMAT_WORD = re.compile(r"\b(PDF|XLSX|XLS|EXCEL|TXT|CSV)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class EditionLink:
    url: str  # absolute
    text: str  # the link's text, spaces collapsed
    as_of: date | None
    announced_format: str | None  # "pdf", "xlsx", "text" as the page says (the file is sniffed anyway)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._tail_of: int | None = None  # text right after a link ("XLSX（約254KB）") belongs to it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []
        elif tag in ("li", "p", "tr", "div", "br"):
            self._tail_of = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._tail_of = len(self.links) - 1
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        elif self._tail_of is not None and data.strip():
            href, text = self.links[self._tail_of]
            self.links[self._tail_of] = (href, f"{text} {data}")


def edition_links(html: str, base_url: str) -> list[EditionLink]:
    """Every link whose text names the table, newest as-of date first (undated ones last)."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href, raw in parser.links:
        text = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
        if TITLE not in text.replace(" ", ""):
            continue
        word = _FORMAT_WORD.search(text)
        found.append(
            EditionLink(
                url=urljoin(base_url, href),
                text=text,
                as_of=parse_as_of(text),
                announced_format=_FORMATS[word.group(1).upper()] if word else None,
            )
        )
    return sorted(found, key=lambda link: (link.as_of is None, -(link.as_of or date.min).toordinal()))


def newest_edition_link(html: str, base_url: str) -> EditionLink | None:
    links = edition_links(html, base_url)
    return links[0] if links else None
