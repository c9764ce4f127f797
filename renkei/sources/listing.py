"""The publisher's listing page: find the link to 各特別区と全国市町村等連携事業一覧 among the page's other
documents, with the as-of date and the format the page announces for it.

Stored copies of the page (../shared/editions/README.md) read "各特別区と全国市町村等連携事業一覧（令和5年8月1日
現在） XLSX（約254KB）" beside other documents ("特別区連携自治体数一覧（令和5年8月1日現在） PDF（約395KB）", a
pamphlet, a policy) that must never be taken; the date is not always March 31. Japanese public sites also write
the title outside the link: before it in the list item, in another cell of the row, on the line above a bare
"PDF" link. So every link is read in its context (see `page_links` for the rule), in three pure stages:
_html_to_tree → _tree_to_entries → _entry_to_links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from renkei.normalise.eras import parse_as_of

TITLE = "各特別区と全国市町村等連携事業一覧"
_FORMATS = {
    "PDF": "pdf",
    "XLSX": "xlsx",
    "XLS": "xlsx",
    "EXCEL": "xlsx",
    "エクセル": "xlsx",
    "TXT": "text",
    "CSV": "text",
}
_SUFFIX_FORMATS = {".pdf": "pdf", ".xlsx": "xlsx", ".xls": "xlsx", ".txt": "text", ".csv": "text"}

# Pieces of text that announce a file but name no document (all on NFKC text: （）→(), ［］→[], ｜→|).
_BRACKETED = r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】"
_FORMAT = r"(?<![A-Za-z])(?:PDF|XLSX|XLS|EXCEL|TXT|CSV)(?![A-Za-z])|エクセル"
_SIZE = r"約?\s*\d[\d,.]*\s*(?:[KMG]i?B|バイト)(?![A-Za-z])"
_DATE = (
    r"(?:令和|平成|昭和)\s*(?:元|\d{1,2})\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
    r"|(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
)
_FILLER = r"現在|時点|形式|ファイル|版|約|ダウンロード|こちら"
_FORMAT_WORD = re.compile(_FORMAT, re.IGNORECASE)
# The notes right after a link belong to it ("<a>…一覧</a>（令和5年8月1日現在） XLSX（約254KB）").
_SEPARATORS = " /|・,、:;"
_NOTE = re.compile(rf"(?:[\s{re.escape(_SEPARATORS)}]|{_BRACKETED}|{_FORMAT}|{_SIZE}|形式|ファイル|版)*", re.IGNORECASE)
_NOT_A_NAME = re.compile(rf"{_BRACKETED}|{_FORMAT}|{_SIZE}|{_DATE}|{_FILLER}|[\W_]", re.IGNORECASE)
_SPACES = re.compile(r"\s+")

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
_SKIPPED = frozenset({"head", "script", "style", "template", "title", "noscript"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = _HEADINGS | {
    "#document", "html", "body", "address", "article", "aside", "blockquote", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "li", "main",
    "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# One record each: everything in a list item, a table row or a term with its descriptions is about one thing.
_RECORDS = frozenset({"li", "tr", "dt", "dd"})
_SIDE_BY_SIDE = frozenset({"td", "th", "dt", "dd"})  # a row's cells and a group's parts read as one line
# Start tags that end an open element (the HTML parsing algorithm, reduced): tag → (what it closes, where the
# search stops). html.parser builds no tree, and pages leave </li>, </td>, </p>, even </a> and </head> out.
_TABLE_PARTS = frozenset({"caption", "tbody", "td", "tfoot", "th", "thead", "tr"})
_P_CLOSERS = _BLOCKS - _TABLE_PARTS - {"#document", "html", "body"}
_P_SCOPE = frozenset({"table", "td", "th", "caption", "button"})
_IN_HEAD = frozenset({"html", "head", "base", "link", "meta", "noscript", "script", "style", "template", "title"})
_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_CLOSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr"}), _SECTIONS | {"table"}),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    **dict.fromkeys(_SECTIONS, (_SECTIONS, frozenset({"table"}))),
    "a": (frozenset({"a"}), frozenset({"td", "th", "table"})),  # a link does not hold another link
}


@dataclass(frozen=True)
class EditionLink:
    url: str  # absolute
    text: str  # what the page says around the link (its context), NFKC, spaces collapsed
    as_of: date | None
    announced_format: str | None  # "pdf", "xlsx", "text" as the page says (the file is sniffed anyway)


@dataclass(frozen=True)
class PageLink:
    """A link of the page read in its context (the intermediate stage, to see why a link was or was not taken)."""

    url: str  # absolute
    link_text: str  # the text inside <a> (an icon's alt included)
    context: str  # the text that names the link's document, NFKC, spaces collapsed


@dataclass(frozen=True)
class ListingChoice:
    """The edition link taken from a listing page, and every candidate it was chosen among."""

    chosen: EditionLink
    candidates: tuple[EditionLink, ...]  # newest first; `chosen` is the first
    page_url: str  # the page's final URL (after redirects): hrefs were resolved against it

    def describe(self) -> str:
        """One line for the run log: the page and every candidate, the chosen one marked."""
        return f"listing {self.page_url}: {listing_candidates_summary(self.candidates)}"


# -- stage 1: the page as a tree --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Element:
    tag: str
    href: str | None = None
    children: list[_Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#document")
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        values = dict(attrs)
        if tag == "img":
            # An icon link ("PDF" drawn as an image) carries its words in alt; outside links alt is decoration.
            if values.get("alt") and any(element.tag == "a" for element in self._open):
                self._open[-1].children.append(f" {values['alt']} ")
            return
        element = _Element(tag, values.get("href") if tag == "a" else None)
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return  # a stray end tag closes nothing, as in browsers

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def _close_implied(self, tag: str) -> None:
        if tag not in _IN_HEAD:  # the body has begun, <body> written or not
            self._close_open(frozenset({"head"}), frozenset())
        if tag in _P_CLOSERS:
            self._close_open(frozenset({"p"}), _P_SCOPE)
        if tag in _CLOSES:
            self._close_open(*_CLOSES[tag])

    def _close_open(self, closes: frozenset[str], stops: frozenset[str]) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag in closes:
                del self._open[depth:]
                return
            if self._open[depth].tag in stops:
                return


def _html_to_tree(html: str) -> _Element:
    """The page as a tree of elements and text, with the end tags pages leave out put back."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- stage 2: the tree as entries (records and blocks) -------------------------------------------------------------


class _Mark(Enum):
    BREAK = "line break"  # <br>, <hr> or the edge of a block


@dataclass(frozen=True)
class _Link:
    url: str
    text: str  # as written, spaces kept (cleaned once the context is joined)


_Piece = str | _Link | _Mark


@dataclass(eq=False)
class _Entry:
    record: bool  # a list item, a table row or a dt/dd group (else a block outside those)
    pieces: list[_Piece] = field(default_factory=list)


def _tree_to_entries(root: _Element, base_url: str) -> list[_Entry]:
    """The page's entries in document order: each li, tr and dt/dd group, and outside those each block; an entry's
    pieces are its own text, links and line breaks, without the entries nested in it."""
    entries: list[_Entry] = []

    def visit(node: _Element | str, entry: _Entry) -> None:
        if isinstance(node, str):
            entry.pieces.append(node)
        elif node.tag in _SKIPPED:
            pass
        elif node.tag == "a" and (url := _link_target(node.href, base_url)):
            entry.pieces.append(_Link(url, _text_of(node)))
        elif node.tag in ("br", "hr"):
            entry.pieces.append(_Mark.BREAK)
        elif node.tag == "dl":
            entry.pieces.append(_Mark.BREAK)
            for group in _term_groups(node):
                visit_entry(group, record=True)
            entry.pieces.append(_Mark.BREAK)
        elif entry.record and node.tag in _SIDE_BY_SIDE:  # a cell of the row, a term or description of the group
            visit_within(node, entry, edge=" ")
        elif node.tag in _RECORDS or (node.tag in _BLOCKS and not entry.record):
            entry.pieces.append(_Mark.BREAK)
            visit_entry(node.children, record=node.tag in _RECORDS)
            entry.pieces.append(_Mark.BREAK)
        elif node.tag in _BLOCKS:  # a block inside a record: a line of it
            visit_within(node, entry, edge=_Mark.BREAK)
        else:
            for child in node.children:
                visit(child, entry)

    def visit_within(node: _Element, entry: _Entry, edge: _Piece) -> None:
        entry.pieces.append(edge)
        for child in node.children:
            visit(child, entry)
        entry.pieces.append(edge)

    def visit_entry(nodes: Sequence[_Element | str], *, record: bool) -> None:
        entry = _Entry(record)
        entries.append(entry)
        for child in nodes:
            visit(child, entry)

    visit_entry(root.children, record=False)
    return entries


def _term_groups(dl: _Element) -> Iterator[list[_Element | str]]:
    """A <dl>'s terms with their descriptions: one group from each run of <dt> to the last <dd> after it (the
    <div> HTML allows around a group is looked through); each part as a cell, side by side."""
    group: list[_Element | str] = []
    seen_description = False
    for child in _flatten_divs(dl.children):
        if isinstance(child, _Element) and child.tag == "dt" and seen_description:
            yield group
            group, seen_description = [], False
        seen_description = seen_description or (isinstance(child, _Element) and child.tag == "dd")
        group.append(child)
    if group:
        yield group


def _flatten_divs(nodes: list[_Element | str]) -> Iterator[_Element | str]:
    for node in nodes:
        if isinstance(node, _Element) and node.tag == "div":
            yield from _flatten_divs(node.children)
        else:
            yield node


def _link_target(href: str | None, base_url: str) -> str | None:
    """The absolute URL of a link to a document; None for in-page anchors, scripts and mail addresses."""
    href = (href or "").strip()
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:")):
        return None
    return urljoin(base_url, href)


def _text_of(node: _Element | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag in _SKIPPED:
        return ""
    if node.tag in _VOID:
        return " "  # <br> inside a link ("…一覧<br>（令和8年3月31日現在）") is a space, not a new line
    return "".join(_text_of(child) for child in node.children)


# -- stage 3: each link with the text that names it ---------------------------------------------------------------


def _entry_to_links(entry: _Entry) -> list[PageLink]:
    """Every link of an entry with its context: the whole entry when it links one target only; else the link's line,
    and on a line with several targets the link's own segment (see `page_links`)."""
    links = [piece for piece in entry.pieces if isinstance(piece, _Link)]
    if not links:
        return []
    if _one_target(links):
        context = _join(entry.pieces)
        return [PageLink(link.url, _clean(link.text), context) for link in links]
    found: list[PageLink] = []
    above: list[str] = []  # the link-free lines directly above the current line
    for line in _lines(entry.pieces):
        if not any(isinstance(piece, _Link) for piece in line):
            above.append(_join(line))
            continue
        found.extend(_line_to_links(line, " ".join(above)))
        above = []
    return found


def _line_to_links(line: list[_Piece], above: str) -> list[PageLink]:
    texts, links = _split_at_links(line)
    if _one_target(links):
        context = _borrow(above, _join(line))
        return [PageLink(link.url, _clean(link.text), context) for link in links]
    found = []
    lead, before = texts[0], above
    for link, after in zip(links, texts[1:], strict=True):
        note = _NOTE.match(after)
        # A separator ending the note ("（1MB） ／ <a>Excel</a>") leads into the next link, as read.
        cut = len(note.group(0).rstrip(_SEPARATORS)) if note else 0
        context = _borrow(before, _clean(f"{lead}{link.text}{after[:cut]}"))
        found.append(PageLink(link.url, _clean(link.text), context))
        lead, before = after[cut:], context
    return found


def _borrow(before: str, context: str) -> str:
    """A context that names nothing ("PDF", "（令和8年3月31日現在） XLSX") takes the name before it: one document
    offered in several formats, or a title on the line above its links."""
    return _clean(f"{before} {context}") if _names_nothing(context) else context


def _names_nothing(text: str) -> bool:
    return not _NOT_A_NAME.sub("", text)


def _one_target(links: Sequence[_Link]) -> bool:
    # An icon link and a text link to the same file are one document, not two.
    return len({link.url for link in links}) == 1


def _lines(pieces: list[_Piece]) -> Iterator[list[_Piece]]:
    line: list[_Piece] = []
    for piece in pieces:
        if piece is _Mark.BREAK:
            if line:
                yield line
            line = []
        else:
            line.append(piece)
    if line:
        yield line


def _split_at_links(line: list[_Piece]) -> tuple[list[str], list[_Link]]:
    """The text before each link and after the last one (len(texts) == len(links) + 1), NFKC."""
    texts, links = [""], []
    for piece in line:
        if isinstance(piece, _Link):
            links.append(piece)
            texts.append("")
        elif isinstance(piece, str):
            texts[-1] += piece
    return [unicodedata.normalize("NFKC", text) for text in texts], links


def _join(pieces: Sequence[_Piece | str]) -> str:
    # Pieces join as the page shows them: "…一覧</a>（令和5年…" has no space; a line break or a cell edge is one.
    return _clean("".join(" " if isinstance(p, _Mark) else p.text if isinstance(p, _Link) else p for p in pieces))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


# -- the edition among the links -------------------------------------------------------------------------------------


def page_links(html: str, base_url: str) -> list[PageLink]:
    """Every link of the page with the text that names its document, in page order.

    The rule: a link is named by the entry it stands in — a list item (li), a table row (tr), a term with its
    descriptions (dt + dd), or outside those the smallest block (p, div, h2…) — never by a neighbouring entry.
    An entry linking one target names it with all its text (before, inside and after the link, so the title may
    stand in any of them). An entry linking several is cut into lines at <br>s and inner blocks (a row's cells stay
    on one line); a line linking one target names it with the whole line; on a line linking several, each link gets
    the text since the previous link, its own text and the notes right after it ("（約254KB）", "PDF"). A context
    that then names nothing but formats, sizes and dates ("PDF") borrows the name before it: the previous link's
    context on its line, or the link-free lines just above it in the same entry.
    """
    entries = _tree_to_entries(_html_to_tree(html), base_url)
    return [link for entry in entries for link in _entry_to_links(entry)]


def links_to_editions(links: Sequence[PageLink]) -> list[EditionLink]:
    """The links whose context names the table, newest as-of date first, undated ones last (ties in page order),
    each URL once."""
    found: dict[str, EditionLink] = {}
    for link in links:
        if TITLE not in link.context.replace(" ", ""):
            continue
        edition = EditionLink(link.url, link.context, parse_as_of(link.context), _announced_format(link))
        known = found.get(link.url)
        if known is None or (known.as_of is None and edition.as_of is not None):
            found[link.url] = edition
    return sorted(found.values(), key=lambda e: (e.as_of is None, -(e.as_of or date.min).toordinal()))


def _announced_format(link: PageLink) -> str | None:
    """The format the link's own text announces, else the last its context names (a borrowed name comes first:
    "…一覧 PDF(約1MB) / Excel(約200KB)" is the Excel link's context), else its file name's suffix."""
    for text in (link.link_text, link.context):
        words = _FORMAT_WORD.findall(text)
        if words:
            return _FORMATS[words[-1].upper()]
    return _SUFFIX_FORMATS.get(PurePosixPath(urlsplit(link.url).path).suffix.lower())


def edition_links(html: str, base_url: str) -> list[EditionLink]:
    """Every link the page names as the table, newest as-of date first (undated ones last)."""
    return links_to_editions(page_links(html, base_url))


def newest_edition_link(html: str, base_url: str) -> EditionLink | None:
    links = edition_links(html, base_url)
    return links[0] if links else None


def listing_candidates_summary(links: Sequence[EditionLink]) -> str:
    """One line naming every candidate (date or 日付なし, format, URL), the first — the chosen one — marked `*`."""
    if not links:
        return "no candidates"
    rows = [
        f"{'* ' if i == 0 else ''}{link.as_of.isoformat() if link.as_of else '日付なし'} "
        f"{link.announced_format or '形式不明'} {link.url}"
        for i, link in enumerate(links)
    ]
    return f"{len(links)} candidate{'s' if len(links) != 1 else ''}: " + " | ".join(rows)
