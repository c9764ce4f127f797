"""The careful downloader and the source settings, against a local HTTP server (tests/http_server.py): real
edition bytes landing under their sha256 whatever the URL or Content-Type claims, conditional GETs, failures
that leave the downloads folder as it was (5xx, 4xx, timeouts, a 2 GB body, foreign redirects, HTML, an empty
body), the listing page, the `[source]` settings and the folder source.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import formatdate
from pathlib import Path

import pytest

from renkei.config import editions_dir
from renkei.errors import EditionReadError, SettingsError
from renkei.settings import DEFAULT_MAX_FILE_BYTES
from renkei.sources import download
from renkei.sources.acquire import folder_editions, listing_edition_link
from renkei.sources.download import Downloaded, DownloadError, download_edition, fetch_page
from renkei.sources.listing import EditionLink
from renkei.sources.settings import SourceSettings
from tests.conftest import PROJECT_ROOT, REAL_EDITION, tree
from tests.http_server import FixtureServer, Route, listing_page, zeros

PDF = (PROJECT_ROOT / "tests" / "fixtures" / "2026-first40-publisher.pdf").read_bytes()
XLSX = (PROJECT_ROOT / "tests" / "fixtures" / "2026-first40.xlsx").read_bytes()
TEXT = REAL_EDITION.read_bytes()
EPOCH = formatdate(0, usegmt=True)  # the Last-Modified the fixture server adds to a route with an etag
TWO_GB = 2 * 1024**3
TABLE = "各特別区と全国市町村等連携事業一覧"
SOURCE_VARIABLES = (
    "RENKEI_CONFIG",
    "RENKEI_SOURCE_FOLDER",
    "RENKEI_SOURCE_URL",
    "RENKEI_SOURCE_LISTING",
    "RENKEI_ALLOWED_HOSTS",
    "RENKEI_DOWNLOAD_TIMEOUT",
    "RENKEI_DOWNLOAD_MAX_BYTES",
)


@pytest.fixture(autouse=True)
def _no_source_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings tests must see only what they set, not the environment the suite happens to run in."""
    for variable in SOURCE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def state(folder: Path) -> dict[str, dict[str, str]]:
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))


# -- landing: content sniffed, named by sha256, recorded in state.json ------------------------------------------


def _core(landed: Downloaded) -> tuple[object, ...]:
    """What a download landed, without its provenance (checked on its own)."""
    return (landed.url, landed.path, landed.sha256, landed.source_format, landed.not_modified)


def test_a_content_disposition_names_the_publishers_file(server: FixtureServer, folder: Path) -> None:
    server.routes["/dl?id=8"] = Route(
        body=PDF, headers={"Content-Disposition": "attachment; filename*=UTF-8''%E9%80%A3%E6%90%BA.pdf"}
    )
    server.routes["/dl?id=9"] = Route(body=TEXT, headers={"Content-Disposition": 'attachment; filename="r9.txt"'})
    assert download_edition(server.url("/dl?id=8"), folder, SourceSettings()).file_name == "連携.pdf"
    assert download_edition(server.url("/dl?id=9"), folder, SourceSettings()).file_name == "r9.txt"


@pytest.mark.parametrize(
    ("body", "path", "content_type", "source_format", "extension"),
    [
        pytest.param(PDF, "/download/file.txt", "text/plain; charset=utf-8", "pdf", "pdf", id="pdf-named-txt"),
        pytest.param(XLSX, "/download/edition.pdf", "application/pdf", "xlsx", "xlsx", id="xlsx-named-pdf"),
        pytest.param(
            TEXT,
            "/download/edition.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text",
            "txt",
            id="text-named-xlsx",
        ),
    ],
)
def test_an_edition_lands_under_its_sha256_with_the_sniffed_format(
    server: FixtureServer,
    folder: Path,
    body: bytes,
    path: str,
    content_type: str,
    source_format: str,
    extension: str,
) -> None:
    server.routes[path] = Route(body=body, headers={"Content-Type": content_type}, etag=f'"{extension}-v1"')
    url = server.url(path)
    digest = sha(body)

    landed = download_edition(url, folder, SourceSettings())

    assert _core(landed) == _core(Downloaded(url, folder / f"{digest}.{extension}", digest, source_format, False))
    assert (landed.final_url, landed.file_name, landed.etag) == (url, path.rsplit("/", 1)[1], f'"{extension}-v1"')
    assert landed.last_modified == EPOCH and landed.fetched_at is not None
    assert tree(folder).keys() == {f"{digest}.{extension}", "state.json"}  # no temporary left beside it
    assert landed.path.read_bytes() == body
    recorded = state(folder)
    fetched_at = datetime.fromisoformat(recorded[url].pop("fetched_at"))
    assert fetched_at.tzinfo is not None
    assert recorded == {
        url: {
            "etag": f'"{extension}-v1"',
            "last_modified": EPOCH,
            "sha256": digest,
            "file": f"{digest}.{extension}",
            "format": source_format,
            "final_url": url,
            "file_name": path.rsplit("/", 1)[1],
        }
    }


def test_the_downloads_folder_lists_the_edition_but_not_the_state_file(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=PDF)
    landed = download_edition(server.url("/e.pdf"), folder, SourceSettings())
    assert folder_editions(folder) == [landed.path]


# -- conditional GET ------------------------------------------------------------------------------------------


def test_a_second_download_is_conditional_and_a_304_changes_nothing(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=PDF, etag='"r8"')
    url = server.url("/e.pdf")
    first = download_edition(url, folder, SourceSettings())
    before = tree(folder)

    second = download_edition(url, folder, SourceSettings())

    assert _core(second) == _core(Downloaded(url, first.path, first.sha256, "pdf", not_modified=True))
    # a 304 is the file fetched before: its provenance is the first fetch's, not this request's
    assert (second.fetched_at, second.etag, second.final_url) == (first.fetched_at, '"r8"', url)
    hits = server.hits("/e.pdf")
    assert len(hits) == 2
    assert "if-none-match" not in hits[0].headers
    assert hits[1].headers["if-none-match"] == '"r8"'
    assert hits[1].headers["if-modified-since"] == EPOCH
    assert tree(folder) == before  # same files, same bytes, state.json not rewritten


def test_a_deleted_landed_file_means_an_unconditional_download(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.xlsx"] = Route(body=XLSX, etag='"r8"')
    url = server.url("/e.xlsx")
    first = download_edition(url, folder, SourceSettings())
    first.path.unlink()

    again = download_edition(url, folder, SourceSettings())

    hits = server.hits("/e.xlsx")
    assert len(hits) == 2
    # A 304 now would point at a file that is gone: the request must not be conditional.
    assert "if-none-match" not in hits[1].headers
    assert "if-modified-since" not in hits[1].headers
    assert _core(again) == _core(Downloaded(url, first.path, first.sha256, "xlsx", not_modified=False))
    assert again.path.read_bytes() == XLSX


def test_a_changed_edition_at_the_same_url_lands_beside_the_old_one(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.txt"] = Route(body=TEXT, etag='"v1"')
    url = server.url("/e.txt")
    old = download_edition(url, folder, SourceSettings())
    changed = TEXT.replace("令和8年3月31日現在".encode(), "令和8年4月1日現在".encode(), 1)
    server.routes["/e.txt"] = Route(body=changed, etag='"v2"')

    new = download_edition(url, folder, SourceSettings())

    assert server.hits("/e.txt")[1].headers["if-none-match"] == '"v1"'  # the old tag no longer matches
    assert _core(new) == _core(Downloaded(url, folder / f"{sha(changed)}.txt", sha(changed), "text", False))
    assert new.etag == '"v2"'
    assert tree(folder).keys() == {old.path.name, new.path.name, "state.json"}
    assert state(folder)[url]["etag"] == '"v2"'
    assert state(folder)[url]["sha256"] == sha(changed)


# -- failures leave the folder as it was -------------------------------------------------------------------------


def test_a_500_is_transient_and_creates_no_folder(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(status=500, body=b"oops")
    url = server.url("/e.pdf")
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value) == f"{url}: the server answered 500 Internal Server Error"
    assert caught.value.transient is True
    assert not folder.exists()


def test_a_500_after_a_good_download_leaves_the_folder_unchanged(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=PDF, etag='"r8"')
    url = server.url("/e.pdf")
    download_edition(url, folder, SourceSettings())
    before = tree(folder)
    server.routes["/e.pdf"] = Route(status=500, body=b"oops")

    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())

    assert str(caught.value) == f"{url}: the server answered 500 Internal Server Error"
    assert caught.value.transient is True
    assert tree(folder) == before


def test_a_404_is_not_transient(server: FixtureServer, folder: Path) -> None:
    url = server.url("/missing.pdf")  # no route: the fixture server answers 404
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value) == f"{url}: the server answered 404 Not Found"
    assert caught.value.transient is False
    assert not folder.exists()


@pytest.mark.parametrize(
    ("status", "transient"),
    [(503, True), (502, True), (429, True), (403, False), (410, False)],
)
def test_the_status_decides_whether_a_retry_may_help(
    server: FixtureServer, folder: Path, status: int, transient: bool
) -> None:
    server.routes["/e.pdf"] = Route(status=status, body=b"no")
    with pytest.raises(DownloadError) as caught:
        download_edition(server.url("/e.pdf"), folder, SourceSettings())
    assert caught.value.transient is transient
    assert f" {status} " in str(caught.value)
    assert not folder.exists()


def test_no_answer_within_the_timeout_is_transient(server: FixtureServer, folder: Path) -> None:
    server.routes["/slow.pdf"] = Route(body=PDF, delay=3.0)
    url = server.url("/slow.pdf")
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings(timeout_seconds=0.5))
    assert time.monotonic() - started < 2.5  # gave up at the timeout, did not wait for the server
    assert str(caught.value) == f"{url}: no answer within 0.5 s"
    assert caught.value.transient is True
    assert not folder.exists()


def test_a_body_that_stalls_midway_is_transient_and_leaves_no_temporary(server: FixtureServer, folder: Path) -> None:
    def stalling() -> Iterator[bytes]:
        yield PDF[:4096]
        time.sleep(3.0)
        yield PDF[4096:]

    folder.mkdir()
    server.routes["/stall.pdf"] = Route(stream=stalling)
    url = server.url("/stall.pdf")
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings(timeout_seconds=0.5))
    assert str(caught.value) == f"{url}: the download stalled (read timeout)"
    assert caught.value.transient is True
    assert list(folder.iterdir()) == []  # the partly written temporary is gone


def test_a_refused_connection_is_transient(folder: Path) -> None:
    url = "http://127.0.0.1:1/e.pdf"  # port 1: nothing listens there
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value).startswith(f"{url}: cannot connect")
    assert caught.value.transient is True
    assert not folder.exists()


def test_an_announced_2_gb_body_is_refused_without_reading_it(server: FixtureServer, folder: Path) -> None:
    server.routes["/huge.pdf"] = Route(headers={"Content-Length": str(TWO_GB)}, stream=zeros(TWO_GB))
    url = server.url("/huge.pdf")
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    # Reading even the 200 MB cap would take far longer than this.
    assert time.monotonic() - started < 2.0
    assert str(caught.value) == (
        f"{url}: the server announces {TWO_GB} bytes, over the {DEFAULT_MAX_FILE_BYTES}-byte cap"
    )
    assert caught.value.transient is False
    assert not folder.exists()


def test_an_unannounced_2_gb_body_stops_at_the_cap(server: FixtureServer, folder: Path) -> None:
    cap = 5 * 1024 * 1024
    folder.mkdir()
    server.routes["/huge.pdf"] = Route(stream=zeros(TWO_GB))  # no Content-Length: ends when the server closes
    url = server.url("/huge.pdf")
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings(max_bytes=cap))
    assert time.monotonic() - started < 5.0
    assert str(caught.value) == f"{url}: the body passed the {cap}-byte cap; download stopped"
    assert caught.value.transient is False
    assert list(folder.iterdir()) == []  # neither the temporary nor a final file


def test_a_body_of_exactly_the_cap_is_accepted(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=PDF)
    landed = download_edition(server.url("/e.pdf"), folder, SourceSettings(max_bytes=len(PDF)))
    assert landed.path.read_bytes() == PDF


# -- redirects ---------------------------------------------------------------------------------------------------


def test_a_redirect_within_the_host_is_followed(server: FixtureServer, folder: Path) -> None:
    server.routes["/latest"] = Route(status=302, headers={"Location": "/files/renkei_r8.pdf"})
    server.routes["/files/renkei_r8.pdf"] = Route(body=PDF)
    url = server.url("/latest")

    landed = download_edition(url, folder, SourceSettings())

    assert _core(landed) == _core(Downloaded(url, folder / f"{sha(PDF)}.pdf", sha(PDF), "pdf", not_modified=False))
    assert (landed.final_url, landed.file_name) == (server.url("/files/renkei_r8.pdf"), "renkei_r8.pdf")
    assert len(server.hits("/latest")) == 1
    assert len(server.hits("/files/renkei_r8.pdf")) == 1
    assert list(state(folder)) == [url]  # remembered under the URL asked for


def test_a_redirect_to_a_foreign_host_is_refused(server: FixtureServer, folder: Path) -> None:
    foreign = server.url("/files/renkei_r8.pdf", host="localhost")
    server.routes["/latest"] = Route(status=302, headers={"Location": foreign})
    server.routes["/files/renkei_r8.pdf"] = Route(body=PDF)
    url = server.url("/latest")

    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())

    assert str(caught.value) == (
        f"{url}: redirects to {foreign}, outside the allowed hosts (127.0.0.1); "
        "add the host to RENKEI_ALLOWED_HOSTS if it is the publisher's"
    )
    assert caught.value.transient is False
    assert server.hits("/files/renkei_r8.pdf") == []  # refused before asking the foreign host
    assert not folder.exists()


def test_a_redirect_to_an_allowed_host_is_followed(server: FixtureServer, folder: Path) -> None:
    server.routes["/latest"] = Route(
        status=302, headers={"Location": server.url("/files/renkei_r8.pdf", host="localhost")}
    )
    server.routes["/files/renkei_r8.pdf"] = Route(body=PDF)
    url = server.url("/latest")

    landed = download_edition(url, folder, SourceSettings(allowed_hosts=("127.0.0.1", "localhost")))

    assert landed.path == folder / f"{sha(PDF)}.pdf"
    assert landed.path.read_bytes() == PDF
    assert server.hits("/files/renkei_r8.pdf")[0].headers["host"] == f"localhost:{server.port}"


def test_five_redirects_are_followed(server: FixtureServer, folder: Path) -> None:
    for step in range(5):
        server.routes[f"/hop{step}"] = Route(status=302, headers={"Location": f"/hop{step + 1}"})
    server.routes["/hop5"] = Route(body=PDF)
    landed = download_edition(server.url("/hop0"), folder, SourceSettings())
    assert landed.path.read_bytes() == PDF


def test_a_redirect_loop_is_given_up(server: FixtureServer, folder: Path) -> None:
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    url = server.url("/loop")
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value) == f"{url}: more than 5 redirects"
    assert caught.value.transient is False
    assert len(server.hits("/loop")) == 6  # the first request and five redirects
    assert not folder.exists()


# -- bodies that are not editions ----------------------------------------------------------------------------------


def test_an_html_page_is_not_an_edition(server: FixtureServer, folder: Path) -> None:
    # A publisher's "file moved" page, served 200 where the PDF was.
    server.routes["/e.pdf"] = Route(body=listing_page(), headers={"Content-Type": "application/pdf"})
    url = server.url("/e.pdf")
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value) == f"{url}: the server sent an HTML page, not an edition file (PDF, XLSX or text)"
    assert caught.value.transient is False
    assert not folder.exists()


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(b"\xef\xbb\xbf" + listing_page(), id="utf8-bom"),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>moved</p></body></html>',
            id="xhtml",
        ),
    ],
)
def test_an_html_page_with_a_prologue_is_not_an_edition(server: FixtureServer, folder: Path, page: bytes) -> None:
    server.routes["/e.pdf"] = Route(body=page)
    with pytest.raises(DownloadError):
        download_edition(server.url("/e.pdf"), folder, SourceSettings())
    assert not folder.exists()


def test_an_empty_body_is_not_an_edition(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=b"")
    url = server.url("/e.pdf")
    with pytest.raises(DownloadError) as caught:
        download_edition(url, folder, SourceSettings())
    assert str(caught.value) == f"{url}: the server sent an empty body"
    assert caught.value.transient is False
    assert not folder.exists()


def test_an_empty_body_leaves_an_existing_folder_as_it_was(server: FixtureServer, folder: Path) -> None:
    server.routes["/e.pdf"] = Route(body=PDF, etag='"r8"')
    url = server.url("/e.pdf")
    download_edition(url, folder, SourceSettings())
    before = tree(folder)
    server.routes["/e.pdf"] = Route(body=b"")
    with pytest.raises(DownloadError):
        download_edition(url, folder, SourceSettings())
    assert tree(folder) == before


# -- the shipped User-Agent ----------------------------------------------------------------------------------------


def test_the_shipped_user_agent_is_sent(server: FixtureServer, folder: Path) -> None:
    # httpx sends header values as ASCII: a User-Agent with Japanese text made every request fail with a
    # UnicodeEncodeError before anything was sent (the first version of the downloader did).
    server.routes["/e.pdf"] = Route(body=PDF)
    landed = download_edition(server.url("/e.pdf"), folder, SourceSettings())
    assert landed.path.read_bytes() == PDF
    assert server.hits("/e.pdf")[0].headers["user-agent"] == download._USER_AGENT
    assert download._USER_AGENT.startswith("renkei")


def test_the_shipped_user_agent_fetches_the_listing(server: FixtureServer) -> None:
    server.routes["/list.html"] = Route(body=listing_page(("/r8.pdf", f"{TABLE}（令和8年3月31日現在） PDF")))
    link = listing_edition_link(server.url("/list.html"), SourceSettings())
    assert link.url == server.url("/r8.pdf")
    assert server.hits("/list.html")[0].headers["user-agent"] == download._USER_AGENT


# -- the listing page ----------------------------------------------------------------------------------------------


def test_the_newest_edition_link_is_found_as_an_absolute_url(server: FixtureServer) -> None:
    # Relative hrefs behind a redirect: they resolve against the page's final URL, not the one asked for.
    server.routes["/renkei.html"] = Route(status=301, headers={"Location": "/katsudo/zenkoku/renkei.html"})
    server.routes["/katsudo/zenkoku/renkei.html"] = Route(
        body=listing_page(
            ("../files/renkei_r7.xlsx", f"{TABLE}（令和7年3月31日現在） XLSX（約254KB）"),
            ("../files/renkei_r8.pdf", f"{TABLE}（令和8年3月31日現在） PDF（約1.2MB）"),
        ),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )

    link = listing_edition_link(server.url("/renkei.html"), SourceSettings())

    assert link == EditionLink(
        url=server.url("/katsudo/files/renkei_r8.pdf"),
        text=f"{TABLE}(令和8年3月31日現在) PDF(約1.2MB)",
        as_of=date(2026, 3, 31),
        announced_format="pdf",
    )


def test_a_listing_on_a_foreign_host_is_refused(server: FixtureServer) -> None:
    server.routes["/renkei.html"] = Route(body=listing_page(("/r8.pdf", f"{TABLE}（令和8年3月31日現在） PDF")))
    url = server.url("/renkei.html", host="localhost")
    with pytest.raises(DownloadError) as caught:
        listing_edition_link(url, SourceSettings(allowed_hosts=("127.0.0.1",)))
    assert str(caught.value) == (
        f"{url}: is on {url}, outside the allowed hosts (127.0.0.1); "
        "add the host to RENKEI_ALLOWED_HOSTS if it is the publisher's"
    )
    assert server.hits("/renkei.html") == []


def test_a_listing_page_over_the_page_cap_is_refused(server: FixtureServer) -> None:
    server.routes["/renkei.html"] = Route(stream=zeros(download.MAX_PAGE_BYTES + 1))
    url = server.url("/renkei.html")
    with pytest.raises(DownloadError) as caught:
        fetch_page(url, SourceSettings())
    assert str(caught.value) == f"{url}: page larger than {download.MAX_PAGE_BYTES} bytes; refused"


def test_a_shift_jis_listing_is_decoded_by_its_declared_charset(server: FixtureServer) -> None:
    page = listing_page(("/r8.pdf", f"{TABLE}（令和8年3月31日現在） PDF")).decode().replace("utf-8", "Shift_JIS")
    server.routes["/renkei.html"] = Route(
        body=page.encode("shift_jis"), headers={"Content-Type": "text/html; charset=Shift_JIS"}
    )
    html, final = fetch_page(server.url("/renkei.html"), SourceSettings())
    assert html == page
    assert final == server.url("/renkei.html")


def test_a_shift_jis_listing_declared_only_in_the_page_is_decoded(server: FixtureServer) -> None:
    page = listing_page(("/r8.pdf", f"{TABLE}（令和8年3月31日現在） PDF")).decode().replace("utf-8", "Shift_JIS")
    server.routes["/renkei.html"] = Route(body=page.encode("shift_jis"), headers={"Content-Type": "text/html"})
    link = listing_edition_link(server.url("/renkei.html"), SourceSettings())
    assert link.url == server.url("/r8.pdf")


# -- source settings -----------------------------------------------------------------------------------------------


def write_config(folder: Path, text: str) -> Path:
    path = folder / "renkei.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_file_in_renkei_home_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    write_config(tmp_path, '[source]\nlisting = "http://127.0.0.1:1/list.html"\n')

    settings = SourceSettings.load()

    assert settings == SourceSettings(listing="http://127.0.0.1:1/list.html")
    assert settings.kind == "listing"
    assert settings.hosts == frozenset({"127.0.0.1"})


def test_a_source_url_in_the_environment_replaces_the_files_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    write_config(tmp_path, '[source]\nlisting = "http://127.0.0.1:1/list.html"\ntimeout_seconds = 7\n')
    monkeypatch.setenv("RENKEI_SOURCE_URL", "https://publisher.example/files/renkei_r8.pdf")

    settings = SourceSettings.load()

    assert settings.kind == "url"
    assert settings.url == "https://publisher.example/files/renkei_r8.pdf"
    assert settings.listing is None
    assert settings.timeout_seconds == 7  # the file's other settings stay
    assert settings.hosts == frozenset({"publisher.example"})


def test_the_environment_sets_the_download_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    monkeypatch.setenv("RENKEI_SOURCE_LISTING", "https://publisher.example/renkei.html")
    monkeypatch.setenv("RENKEI_ALLOWED_HOSTS", " Publisher.example, cdn.example ,")
    monkeypatch.setenv("RENKEI_DOWNLOAD_TIMEOUT", "2.5")
    monkeypatch.setenv("RENKEI_DOWNLOAD_MAX_BYTES", "5_000_000")

    assert SourceSettings.load() == SourceSettings(
        listing="https://publisher.example/renkei.html",
        allowed_hosts=("publisher.example", "cdn.example"),
        timeout_seconds=2.5,
        max_bytes=5_000_000,
    )


def test_nothing_configured_means_the_bundled_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    settings = SourceSettings.load()
    assert settings == SourceSettings()
    assert settings.kind == "folder"
    assert settings.location == str(editions_dir())
    assert settings.hosts == frozenset()


def test_renkei_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    write_config(tmp_path, '[source]\nurl = "https://home.example/e.pdf"\n')  # not the one named
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    monkeypatch.setenv("RENKEI_CONFIG", str(write_config(elsewhere, '[source]\nfolder = "/data/editions"\n')))
    assert SourceSettings.load() == SourceSettings(folder="/data/editions")


def test_two_sources_in_the_file_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    write_config(tmp_path, '[source]\nurl = "https://p.example/e.pdf"\nlisting = "https://p.example/list.html"\n')
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value) == "set one source, not url and listing"


def test_an_unknown_key_is_refused_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    path = write_config(tmp_path, '[source]\nurl = "https://p.example/e.pdf"\ntimeout = 5\n')
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value) == f"{path}: unknown [source] settings: timeout"


def test_an_invalid_toml_file_is_refused_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    path = write_config(tmp_path, "[source\nurl = \n")
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value).startswith(f"{path}: not a valid TOML file")


@pytest.mark.parametrize(
    ("where", "value"),
    [("file", "ftp://publisher.example/e.pdf"), ("file", "/data/e.pdf"), ("environment", "file:///data/e.pdf")],
)
def test_a_url_that_is_not_http_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, value: str
) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    if where == "file":
        write_config(tmp_path, f'[source]\nurl = "{value}"\n')
    else:
        monkeypatch.setenv("RENKEI_SOURCE_URL", value)
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value) == f"source url {value!r} is not an http(s) URL"


def test_renkei_config_naming_a_missing_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere" / "renkei.toml"
    monkeypatch.setenv("RENKEI_CONFIG", str(missing))
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value) == f"{missing}: RENKEI_CONFIG names a file that does not exist"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RENKEI_DOWNLOAD_TIMEOUT", "soon", "RENKEI_DOWNLOAD_TIMEOUT='soon' is not a number"),
        ("RENKEI_DOWNLOAD_MAX_BYTES", "5MB", "RENKEI_DOWNLOAD_MAX_BYTES='5MB' is not a number"),
        ("RENKEI_DOWNLOAD_TIMEOUT", "0", "download timeout must be positive, got 0.0"),
        ("RENKEI_DOWNLOAD_MAX_BYTES", "-1", "download size cap must be positive, got -1"),
    ],
)
def test_bad_download_rules_in_the_environment_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        SourceSettings.load()
    assert str(caught.value) == message


@pytest.mark.parametrize("line", ['timeout_seconds = "30"', 'max_bytes = "5000000"'])
def test_a_setting_of_the_wrong_type_in_the_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    monkeypatch.setenv("RENKEI_HOME", str(tmp_path))
    write_config(tmp_path, f"[source]\n{line}\n")
    with pytest.raises(SettingsError):
        SourceSettings.load()


def test_a_new_source_replaces_the_old_one() -> None:
    settings = SourceSettings(url="https://p.example/e.pdf", timeout_seconds=3)
    folder = settings.with_overrides(folder="/data/editions")
    assert folder == SourceSettings(folder="/data/editions", timeout_seconds=3)
    assert folder.kind == "folder"
    assert folder.location == "/data/editions"
    # Empty values override nothing.
    assert settings.with_overrides(folder=None, listing="", allowed_hosts=()) == settings


def test_hosts_default_to_the_source_urls_host() -> None:
    assert SourceSettings(url="https://WWW.Publisher.Example:8443/e.pdf").hosts == frozenset({"www.publisher.example"})
    assert SourceSettings(listing="http://127.0.0.1:1/list.html").hosts == frozenset({"127.0.0.1"})
    given = SourceSettings(url="https://p.example/e.pdf").with_overrides(allowed_hosts="P.example, CDN.example")
    assert given.allowed_hosts == ("p.example", "cdn.example")
    assert given.hosts == frozenset({"p.example", "cdn.example"})


def test_the_source_urls_host_bounds_the_download(server: FixtureServer, folder: Path) -> None:
    # A listing on 127.0.0.1 allows 127.0.0.1 only: an edition link pointing at localhost is not fetched.
    settings = SourceSettings(listing=server.url("/renkei.html"))
    url = server.url("/e.pdf", host="localhost")
    server.routes["/e.pdf"] = Route(body=PDF)
    with pytest.raises(DownloadError, match="outside the allowed hosts"):
        download_edition(url, folder, settings)
    assert server.hits("/e.pdf") == []


# -- the folder source ---------------------------------------------------------------------------------------------


def test_a_folder_source_skips_hidden_files_and_notes(tmp_path: Path) -> None:
    for name in ("2026.pdf", "2025.xlsx", "2024-03-31.txt", "edition", ".hidden.pdf", ".download-abc"):
        (tmp_path / name).write_bytes(b"x")
    for name in ("README.md", "state.json", "renkei.toml"):
        (tmp_path / name).write_text("note", encoding="utf-8")
    (tmp_path / "older").mkdir()
    (tmp_path / "older" / "2023.pdf").write_bytes(b"x")  # subfolders are not read

    assert folder_editions(tmp_path) == [tmp_path / n for n in ("2024-03-31.txt", "2025.xlsx", "2026.pdf", "edition")]


def test_a_folder_of_notes_only_has_no_editions(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    with pytest.raises(EditionReadError) as caught:
        folder_editions(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no edition files found"


def test_an_empty_folder_has_no_editions(tmp_path: Path) -> None:
    with pytest.raises(EditionReadError) as caught:
        folder_editions(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no edition files found"


def test_a_missing_folder_is_not_a_source(tmp_path: Path) -> None:
    with pytest.raises(EditionReadError) as caught:
        folder_editions(tmp_path / "absent")
    assert str(caught.value) == f"{tmp_path / 'absent'}: not a folder of edition files"


# -- review findings -----------------------------------------------------------------------------------------------


def test_a_304_to_an_unconditional_request_is_not_taken_for_the_file_fetched_before(
    server: FixtureServer, folder: Path
) -> None:
    server.routes["/e.txt"] = Route(body=REAL_EDITION.read_bytes(), etag='"v1"')
    first = download_edition(server.url("/e.txt"), folder, SourceSettings())
    first.path.unlink()  # the landed file is gone: the next request carries no validators
    server.routes["/e.txt"] = Route(status=304)  # a confused proxy answering 304 all the same
    with pytest.raises(DownloadError, match="answered 304"):
        download_edition(server.url("/e.txt"), folder, SourceSettings())


def test_a_state_file_that_is_not_an_object_only_costs_an_unconditional_download(
    server: FixtureServer, folder: Path
) -> None:
    folder.mkdir(parents=True)
    (folder / "state.json").write_text("[]", encoding="utf-8")
    server.routes["/e.txt"] = Route(body=REAL_EDITION.read_bytes(), etag='"v1"')
    landed = download_edition(server.url("/e.txt"), folder, SourceSettings())
    assert landed.path.read_bytes() == REAL_EDITION.read_bytes()
    assert server.hits("/e.txt")[0].headers.get("if-none-match") is None


def test_a_dripping_body_is_stopped_at_the_overall_deadline(
    server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(40):  # a byte every 0.2 s: never a read timeout, 8 s in all
            yield b"x"
            time.sleep(0.2)

    monkeypatch.setattr(download, "TOTAL_TIME_FACTOR", 2)  # 2 × 0.5 s
    server.routes["/slow.txt"] = Route(stream=drip)
    target = tmp_path / "new" / "store" / "downloads"
    started = time.monotonic()
    with pytest.raises(DownloadError, match="took longer than 1 s") as caught:
        download_edition(server.url("/slow.txt"), target, SourceSettings(timeout_seconds=0.5))
    assert caught.value.transient and time.monotonic() - started < 4
    assert not (tmp_path / "new").exists()  # every folder the download created is gone again


def test_a_charset_label_python_does_not_know_falls_back_to_the_page(server: FixtureServer) -> None:
    page = listing_page(("/r8.pdf", "各特別区と全国市町村等連携事業一覧（令和8年3月31日現在） PDF"))
    server.routes["/l.html"] = Route(body=page, headers={"Content-Type": "text/html; charset=x-no-such-label"})
    link = listing_edition_link(server.url("/l.html"), SourceSettings())
    assert link.url == server.url("/r8.pdf")
