"""Fetch the listing page and edition files over HTTP, carefully: conditional GET (ETag / Last-Modified),
timeouts, a size cap, redirects followed only within the allowed hosts, and the content sniffed rather than
trusted from its name. A downloaded edition lands in the downloads folder (inside the snapshot store)
under its sha256 before anything parses it; a failed download leaves that folder as it was.

Every failure is a DownloadError that says whether trying again may help (`transient`: a 5xx status, a
timeout, a dropped connection) or not (a 4xx status, a foreign redirect, a body over the cap, not an edition).
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from renkei.errors import RenkeiError
from renkei.parse.read.sniff import sniff_format
from renkei.sources.settings import SourceSettings
from renkei.store import temporary_prefix

MAX_REDIRECTS = 5
TOTAL_TIME_FACTOR = 20  # a whole body may take 20 read timeouts (10 minutes at the default 30 s)
MAX_PAGE_BYTES = 5 * 1024 * 1024
STATE_FILE = "state.json"
_EXTENSIONS = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DETECTED = ("utf-8", "cp932", "euc_jp")  # UTF-8 first: Shift_JIS and EUC-JP text rarely decodes as strict UTF-8
# Labels browsers accept (WHATWG Encoding) that Python's codecs do not know.
_CHARSET_ALIASES = {"x-sjis": "cp932", "windows-31j": "cp932", "x-euc-jp": "euc_jp", "cseucpkdfmtjapanese": "euc_jp"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_USER_AGENT = "renkei (change-tracking ETL for the Tokyo special wards partnership table)"  # headers are ASCII


class DownloadError(RenkeiError):
    """A page or edition could not be downloaded (`transient`: trying again may succeed)."""

    exit_code = 1

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Downloaded:
    url: str
    path: Path  # the edition file in the downloads folder
    sha256: str
    source_format: str
    not_modified: bool  # the server answered 304: the file is the one fetched before
    final_url: str | None = None  # after redirects
    file_name: str | None = None  # the publisher's name for the file (Content-Disposition, else the URL's path)
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # when the body was fetched (UTC, ISO 8601); kept across 304 answers


def fetch_page(url: str, settings: SourceSettings) -> tuple[str, str]:
    """The text of an HTML page and its final URL (after allowed redirects), at most MAX_PAGE_BYTES."""
    with _client(settings) as client, _open(client, url, settings, {}) as response:
        _raise_for_status(response, url)
        body = bytearray()
        for chunk in _chunks(response, url, settings):
            body += chunk
            if len(body) > MAX_PAGE_BYTES:
                raise DownloadError(f"{url}: page larger than {MAX_PAGE_BYTES} bytes; refused")
        page = bytes(body)
        return page.decode(_page_encoding(response, page), errors="replace"), str(response.url)


def download_edition(url: str, folder: Path, settings: SourceSettings) -> Downloaded:
    """Download one edition file into `folder` (conditionally: a 304 returns the file fetched before)."""
    state = _read_state(folder)
    known = state.get(url)
    headers = {}
    if known and (folder / known["file"]).is_file():
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
    with _client(settings) as client, _open(client, url, settings, headers) as response:
        if response.status_code == 304 and headers and known:
            path = folder / known["file"]
            return Downloaded(
                url,
                path,
                known["sha256"],
                known["format"],
                not_modified=True,
                final_url=known.get("final_url") or str(response.url),
                file_name=known.get("file_name"),
                etag=known.get("etag"),
                last_modified=known.get("last_modified"),
                fetched_at=known.get("fetched_at"),
            )
        _raise_for_status(response, url)
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_bytes:
            raise DownloadError(
                f"{url}: the server announces {int(declared)} bytes, over the {settings.max_bytes}-byte cap"
            )
        landed = _land(response, url, folder, settings)
        landed = replace(
            landed,
            final_url=str(response.url),
            file_name=_file_name(response),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    state[url] = {
        "etag": landed.etag,
        "last_modified": landed.last_modified,
        "sha256": landed.sha256,
        "file": landed.path.name,
        "format": landed.source_format,
        "fetched_at": landed.fetched_at,
        "final_url": landed.final_url,
        "file_name": landed.file_name,
    }
    _write_state(folder, state)
    return landed


def _file_name(response: httpx.Response) -> str | None:
    """The publisher's file name: Content-Disposition's filename* / filename, else the URL path's last part."""
    disposition = response.headers.get("content-disposition", "")
    encoded = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", disposition, re.IGNORECASE)
    if encoded:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return unquote(encoded.group(2).strip().strip('"'), encoding=encoded.group(1), errors="strict")
    plain = re.search(r'filename\s*=\s*"?([^";]+)"?', disposition, re.IGNORECASE)
    if plain:
        return plain.group(1).strip()
    last = unquote(urlsplit(str(response.url)).path.rsplit("/", 1)[-1])
    return last or None


def _client(settings: SourceSettings) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_seconds),
        follow_redirects=False,  # followed by hand, host by host
        headers={"User-Agent": _USER_AGENT},
    )


@contextlib.contextmanager
def _open(client: httpx.Client, url: str, settings: SourceSettings, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """A streaming response for `url`, following at most MAX_REDIRECTS redirects within the allowed hosts."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        _check_host(current, url, settings)
        try:
            response = client.send(client.build_request("GET", current, headers=headers), stream=True)
        except httpx.TimeoutException:
            raise DownloadError(f"{url}: no answer within {settings.timeout_seconds:g} s", transient=True) from None
        except httpx.TransportError as exc:
            raise DownloadError(f"{url}: cannot connect ({exc})", transient=True) from None
        if response.is_redirect and response.headers.get("location"):
            response.close()
            current = urljoin(current, response.headers["location"])
            continue
        try:
            yield response
        finally:
            response.close()
        return
    raise DownloadError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _check_host(current: str, original: str, settings: SourceSettings) -> None:
    parts = urlsplit(current)
    host = (parts.hostname or "").lower()
    allowed = settings.hosts or frozenset([(urlsplit(original).hostname or "").lower()])
    if parts.scheme not in ("http", "https") or host not in allowed:
        where = "redirects to" if current != original else "is on"
        raise DownloadError(
            f"{original}: {where} {current}, outside the allowed hosts ({', '.join(sorted(allowed))}); "
            "add the host to RENKEI_ALLOWED_HOSTS if it is the publisher's"
        )


def _raise_for_status(response: httpx.Response, url: str) -> None:
    status = response.status_code
    if status >= 500 or status == 429:
        raise DownloadError(f"{url}: the server answered {status} {response.reason_phrase}", transient=True)
    if status >= 300:
        raise DownloadError(f"{url}: the server answered {status} {response.reason_phrase}")


def _chunks(response: httpx.Response, url: str, settings: SourceSettings):  # type: ignore[no-untyped-def]
    """The body in chunks, within the read timeout per chunk and TOTAL_TIME_FACTOR × it for the whole body
    (a server dripping a byte now and then would otherwise hold the run, and the next ones, forever)."""
    limit = settings.timeout_seconds * TOTAL_TIME_FACTOR
    deadline = time.monotonic() + limit
    try:
        for chunk in response.iter_bytes():  # as the bytes arrive (a chunk size would wait to fill it)
            if time.monotonic() > deadline:
                raise DownloadError(f"{url}: the download took longer than {limit:g} s; stopped", transient=True)
            yield chunk
    except httpx.TimeoutException:
        raise DownloadError(f"{url}: the download stalled (read timeout)", transient=True) from None
    except httpx.TransportError as exc:
        raise DownloadError(f"{url}: the connection broke during the download ({exc})", transient=True) from None


def _land(response: httpx.Response, url: str, folder: Path, settings: SourceSettings) -> Downloaded:
    """Stream the body into a temporary file beside its final place; sniff, hash, then rename it in."""
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(".download-"), dir=folder)
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(handle, "wb") as out:
            for chunk in _chunks(response, url, settings):
                size += len(chunk)
                if size > settings.max_bytes:
                    raise DownloadError(f"{url}: the body passed the {settings.max_bytes}-byte cap; download stopped")
                if len(head) < 2048:
                    head += chunk[: 2048 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DownloadError(f"{url}: the server sent an empty body")
        source_format = sniff_format(head)
        if source_format == "text" and _looks_like_html(head):
            raise DownloadError(f"{url}: the server sent an HTML page, not an edition file (PDF, XLSX or text)")
        sha256 = digest.hexdigest()
        final = folder / f"{sha256}.{_EXTENSIONS[source_format]}"
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        for made in created:  # a failed download leaves no trace, not even an empty snapshot store
            with contextlib.suppress(OSError):
                made.rmdir()
        raise
    return Downloaded(url, final, sha256, source_format, not_modified=False)


def _looks_like_html(head: bytes) -> bool:
    """An HTML (or XHTML) page: markup first, an html element early. Editions start with their title."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return start.startswith(b"<") and (b"<html" in start or b"<!doctype html" in start)


def _page_encoding(response: httpx.Response, body: bytes) -> str:
    """The codec a page is read with: a byte-order mark, else the Content-Type charset, else the page's own <meta
    charset> / <meta http-equiv content="…; charset=…">, else detected (strict UTF-8, then CP932, then EUC-JP).

    A declared charset is taken when Python knows it and the bytes decode with it: Japanese servers still send
    `charset=UTF-8` for Shift_JIS pages, and a page read with the wrong codec would hide the edition's link. When
    nothing decodes cleanly, the first known declaration (else UTF-8) is used with replacement characters.
    """
    for mark, codec in _BOMS:
        if body.startswith(mark):
            return codec
    found = _META_CHARSET.search(body[:4096])
    declared = [_codec(response.charset_encoding), _codec(found.group(1).decode("ascii") if found else None)]
    known = [codec for codec in declared if codec]
    for codec in [*known, *_DETECTED]:
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return known[0] if known else "utf-8"


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None. Shift_JIS is read as CP932, the Windows superset Japanese
    pages are written in (①, ㈱ and NEC/IBM kanji fail in strict Shift_JIS)."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        codec = codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return "cp932" if codec == "shift_jis" else codec


def _read_state(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / STATE_FILE
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}  # a damaged state only costs an unconditional download
    return state if isinstance(state, dict) else {}


def _write_state(folder: Path, state: dict[str, dict[str, str]]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(".state-"), dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(state, out, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(temporary, folder / STATE_FILE)
