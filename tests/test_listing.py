"""Finding the edition on the publisher's listing page (a page written like the stored copies described in
../shared/editions/README.md: the table among other documents, the as-of date and format around the link) — the
title inside the link or beside it (list item, table row, <br> line, paragraph, dt/dd), never a neighbour's
title, the newest of several candidates, and pages in Shift_JIS, EUC-JP or UTF-8 served over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from renkei.sources.acquire import choose_edition_link, listing_edition_link
from renkei.sources.download import DownloadError, fetch_page
from renkei.sources.listing import (
    EditionLink,
    ListingChoice,
    edition_links,
    listing_candidates_summary,
    newest_edition_link,
    page_links,
)
from renkei.sources.settings import SourceSettings
from tests.http_server import FixtureServer, Route

TABLE = "各特別区と全国市町村等連携事業一覧"
COUNT = "特別区連携自治体数一覧"  # the neighbouring document, on the same page
BASE = "https://publisher.example/katsudo/zenkoku.html"

PAGE = """<html><body><h1>特別区全国連携プロジェクト</h1>
<ul>
 <li><a href="/katsudo/pdf/pamphlet.pdf">特別区全国連携プロジェクト パンフレット</a> PDF（約2MB）</li>
 <li><a href="../files/renkei_r5.xlsx">各特別区と全国市町村等連携事業一覧（令和5年8月1日現在）</a> XLSX（約254KB）</li>
 <li><a href="/files/jichitaisu_r5.pdf">特別区連携自治体数一覧（令和5年8月1日現在）</a> PDF（約395KB）</li>
 <li><a href="/files/renkei_r8.pdf">各特別区と全国市町村等連携事業一覧<br>（令和8年3月31日現在）</a> PDF（約1.2MB）</li>
 <li><a href="/files/houshin.pdf">特別区全国連携プロジェクトの推進方針</a> PDF</li>
</ul></body></html>"""


def only(html: str) -> EditionLink:
    """The one edition link the page names; fails when there are none or several."""
    links = edition_links(html, BASE)
    assert len(links) == 1, links
    return links[0]


# -- the title inside the link (the stored copies' layout) ----------------------------------------------------------


def test_only_the_table_is_taken_newest_first_with_date_and_format() -> None:
    links = edition_links(PAGE, BASE)
    assert [(link.url, link.as_of, link.announced_format) for link in links] == [
        ("https://publisher.example/files/renkei_r8.pdf", date(2026, 3, 31), "pdf"),
        ("https://publisher.example/files/renkei_r5.xlsx", date(2023, 8, 1), "xlsx"),
    ]


def test_the_text_after_the_link_counts_and_is_kept_as_the_page_wrote_it() -> None:
    # NFKC (（）→()), spaces collapsed, the <br> inside the link a space: what a log or provenance record shows.
    assert [link.text for link in edition_links(PAGE, BASE)] == [
        f"{TABLE} (令和8年3月31日現在) PDF(約1.2MB)",
        f"{TABLE}(令和5年8月1日現在) XLSX(約254KB)",
    ]


def test_no_link_to_the_table_means_nothing_new() -> None:
    assert newest_edition_link(f"<a href='/x.pdf'>{COUNT}（令和8年3月31日現在）</a>", BASE) is None


# -- the title outside the link --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param(
            f"<ul><li>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX（約254KB）</a></li></ul>",
            f"{TABLE}(令和5年8月1日現在) XLSX(約254KB)",
            id="li",
        ),
        pytest.param(
            f"<table><tr><td>{TABLE}（令和5年8月1日現在）</td>"
            "<td><a href='/x.xlsx'>XLSX（約254KB）</a></td></tr></table>",
            f"{TABLE}(令和5年8月1日現在) XLSX(約254KB)",
            id="td",
        ),
        pytest.param(
            f"<div>{TABLE}（令和5年8月1日現在）<a href='/x.xlsx'>XLSX</a>（約254KB）<br>"
            f"{COUNT}（令和5年8月1日現在）<a href='/c.pdf'>PDF</a><br></div>",
            f"{TABLE}(令和5年8月1日現在)XLSX(約254KB)",
            id="br-line",
        ),
        pytest.param(
            f"<p>{TABLE}（令和5年8月1日現在）</p><p>{COUNT}</p>"
            f"<p>{TABLE}<br>（令和5年8月1日現在） <a href='/x.xlsx'>XLSX</a></p>",
            f"{TABLE} (令和5年8月1日現在) XLSX",
            id="p",
        ),
        pytest.param(
            f"<dl><dt>{TABLE}（令和5年8月1日現在）</dt><dd><a href='/x.xlsx'>XLSX</a></dd>"
            f"<dt>{COUNT}（令和5年8月1日現在）</dt><dd><a href='/c.pdf'>PDF</a></dd></dl>",
            f"{TABLE}(令和5年8月1日現在) XLSX",
            id="dt-dd",
        ),
    ],
)
def test_the_title_beside_the_link_names_it(html: str, text: str) -> None:
    assert only(html) == EditionLink("https://publisher.example/x.xlsx", text, date(2023, 8, 1), "xlsx")


def test_a_title_on_the_line_above_names_every_format_offered_below_it() -> None:
    html = (
        f"<div>{TABLE}<br>（令和7年3月31日現在）<br>"
        "<a href='r7.pdf'>PDF</a>（約1MB） ／ <a href='r7.xlsx'>Excel</a>（約200KB）<br>"
        f"{COUNT} <a href='c.pdf'>PDF</a></div>"
    )
    links = edition_links(html, BASE)
    assert [(link.url.rsplit("/", 1)[1], link.as_of, link.announced_format) for link in links] == [
        ("r7.pdf", date(2025, 3, 31), "pdf"),
        ("r7.xlsx", date(2025, 3, 31), "xlsx"),
    ]
    assert links[1].text == f"{TABLE} (令和7年3月31日現在) PDF(約1MB) / Excel(約200KB)"


def test_a_row_with_a_cell_per_format_reads_its_title_cell_for_each() -> None:
    html = (
        "<table><tr><th>資料名</th><th>PDF</th><th>Excel</th></tr>"
        f"<tr><td>{COUNT}（令和8年3月31日現在）<td><a href='c.pdf'>PDF</a><td><a href='c.xlsx'>XLSX</a>"
        f"<tr><td>{TABLE}（令和7年3月31日現在）<td><a href='r7.pdf'>PDF</a><td><a href='r7.xlsx'>XLSX</a>"
        "</table>"  # end tags left out, as pages do
    )
    assert [link.url.rsplit("/", 1)[1] for link in edition_links(html, BASE)] == ["r7.pdf", "r7.xlsx"]


def test_links_on_one_line_each_get_their_own_title_and_notes() -> None:
    html = (
        f"<p><a href='/r5.xlsx'>{TABLE}（令和5年8月1日現在）</a> XLSX（約254KB） "
        f"<a href='/c.pdf'>{COUNT}（令和6年8月1日現在）</a> PDF（約395KB）</p>"
    )
    contexts = {link.url.rsplit("/", 1)[1]: link.context for link in page_links(html, BASE)}
    assert contexts == {
        "r5.xlsx": f"{TABLE}(令和5年8月1日現在) XLSX(約254KB)",
        "c.pdf": f"{COUNT}(令和6年8月1日現在) PDF(約395KB)",
    }
    assert only(html).announced_format == "xlsx"


def test_a_page_that_leaves_out_its_end_tags_and_body_is_read() -> None:
    # No </head>, no <body>, no </li>: the list is still the body's, each item its own entry.
    html = (
        f"<html><head><title>特別区長会</title><ul><li>{TABLE}（令和8年3月31日現在） <a href=r8.pdf>PDF</a>"
        f"<li>{COUNT} <a href=c.pdf>PDF</a>"
    )
    assert only(html).url == "https://publisher.example/katsudo/r8.pdf"


# -- the neighbouring document is never taken ---------------------------------------------------------------------

NEIGHBOURS = {
    "same-list": (
        f"<ul><li>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX（約254KB）</a></li>"
        f"<li>{COUNT}（令和9年3月31日現在） <a href='/c.pdf'>PDF（約395KB）</a></li>"
        "<li>特別区全国連携プロジェクト パンフレット <a href='/p.pdf'>PDF</a></li></ul>"
    ),
    "same-list-no-end-tags": (
        f"<ul><li>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX</a><li>{COUNT}（令和9年3月31日現在） "
        "<a href='/c.pdf'>PDF</a></ul>"
    ),
    "same-table": (
        f"<table><tr><td>{TABLE}（令和5年8月1日現在）</td><td><a href='/x.xlsx'>XLSX</a></td></tr>"
        f"<tr><td>{COUNT}（令和9年3月31日現在）</td><td><a href='/c.pdf'>PDF</a></td></tr></table>"
    ),
    "next-br-line": (
        f"<p>{TABLE}（令和5年8月1日現在）<a href='/x.xlsx'>XLSX</a><br>"
        f"{COUNT}（令和9年3月31日現在）<a href='/c.pdf'>PDF</a><br></p>"
    ),
    "previous-br-line": (
        f"<p>{COUNT}（令和9年3月31日現在）<a href='/c.pdf'>PDF</a><br>"
        f"{TABLE}（令和5年8月1日現在）<a href='/x.xlsx'>XLSX</a></p>"
    ),
    "same-line": (
        f"<p>{TABLE}（令和5年8月1日現在）<a href='/x.xlsx'>XLSX</a>（約254KB） "
        f"{COUNT}（令和9年3月31日現在）<a href='/c.pdf'>PDF</a>（約395KB）</p>"
    ),
    "same-row": (
        f"<table><tr><td>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX</a></td>"
        f"<td>{COUNT}（令和9年3月31日現在） <a href='/c.pdf'>PDF</a></td></tr></table>"
    ),
    "unclosed-link-and-paragraphs": (
        f"<p>{COUNT}（令和9年3月31日現在） <a href='/c.pdf'>PDF<p>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX"
    ),
    "dl-without-end-tags": (
        f"<dl><dt>{TABLE}（令和5年8月1日現在）<dd><a href='/x.xlsx'>XLSX</a>"
        f"<dt>{COUNT}（令和9年3月31日現在）<dd><a href='/c.pdf'>PDF</a></dl>"
    ),
    "linkless-title-in-the-next-item": (
        f"<ul><li>{TABLE}（令和5年8月1日現在） <a href='/x.xlsx'>XLSX</a></li>"
        f"<li>{TABLE}（令和9年3月31日現在）（準備中）</li><li><a href='/c.pdf'>PDF（令和9年3月31日現在）</a></li></ul>"
    ),
}


@pytest.mark.parametrize("html", NEIGHBOURS.values(), ids=NEIGHBOURS.keys())
def test_a_newer_neighbouring_document_is_never_taken(html: str) -> None:
    # The neighbour is dated later: a rule that leaked its title would choose it as the newest.
    link = only(html)
    assert (link.url, link.as_of) == ("https://publisher.example/x.xlsx", date(2023, 8, 1))
    assert COUNT not in link.text


def test_an_icon_link_and_a_text_link_to_one_file_are_one_candidate() -> None:
    html = (
        f"<li><a href='/x.pdf'><img src='pdf.gif' alt='PDFファイル'></a> <a href='/x.pdf'>{TABLE}</a>"
        "（令和8年3月31日現在） <a href='#top'>ページの先頭へ</a></li>"
    )
    assert only(html) == EditionLink(
        "https://publisher.example/x.pdf",
        f"PDFファイル {TABLE}(令和8年3月31日現在) ページの先頭へ",
        date(2026, 3, 31),
        "pdf",
    )


# -- several candidates ----------------------------------------------------------------------------------------------


MANY = (
    "<ul>"
    f"<li>{TABLE}（令和6年3月31日現在） <a href='r6.pdf'>PDF</a></li>"
    f"<li>{TABLE} <a href='undated.txt'>TXT</a></li>"
    f"<li>{TABLE}（令和7年3月31日現在） <a href='r7.xlsx'>XLSX</a></li>"
    f"<li>{TABLE}（令和7年3月31日現在） <a href='r7.pdf'>PDF</a></li>"
    f"<li>{TABLE}（令和5年8月1日現在） <a href='r5.pdf'>PDF</a></li>"
    f"<li>{COUNT}（令和8年3月31日現在） <a href='count.pdf'>PDF</a></li>"
    "</ul>"
)


def test_several_candidates_newest_first_undated_last_ties_in_page_order() -> None:
    links = edition_links(MANY, BASE)
    assert [(link.url.rsplit("/", 1)[1], link.as_of) for link in links] == [
        ("r7.xlsx", date(2025, 3, 31)),
        ("r7.pdf", date(2025, 3, 31)),
        ("r6.pdf", date(2024, 3, 31)),
        ("r5.pdf", date(2023, 8, 1)),
        ("undated.txt", None),
    ]


def test_the_candidate_summary_names_every_candidate_on_one_line() -> None:
    summary = listing_candidates_summary(edition_links(MANY, "https://p.example/l.html"))
    assert summary == (
        "5 candidates: * 2025-03-31 xlsx https://p.example/r7.xlsx | 2025-03-31 pdf https://p.example/r7.pdf | "
        "2024-03-31 pdf https://p.example/r6.pdf | 2023-08-01 pdf https://p.example/r5.pdf | "
        "日付なし text https://p.example/undated.txt"
    )
    assert listing_candidates_summary([]) == "no candidates"


# -- over HTTP: the choice, relative links, the error, the encodings ----------------------------------------------


def html_page(body: str, charset: str | None = "utf-8", *, http_equiv: bool = False) -> str:
    if charset is None:
        meta = ""
    elif http_equiv:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    else:
        meta = f'<meta charset="{charset}">'
    return f"<!DOCTYPE html><html><head>{meta}<title>特別区長会</title></head><body>{body}</body></html>"


def test_the_choice_keeps_every_candidate_and_resolves_against_the_final_url(server: FixtureServer) -> None:
    server.routes["/zenkoku.html"] = Route(status=302, headers={"Location": "/katsudo/zenkoku.html"})
    server.routes["/katsudo/zenkoku.html"] = Route(body=html_page(MANY).encode())

    choice = choose_edition_link(server.url("/zenkoku.html"), SourceSettings())

    assert isinstance(choice, ListingChoice)
    assert choice.page_url == server.url("/katsudo/zenkoku.html")
    assert choice.chosen == EditionLink(
        server.url("/katsudo/r7.xlsx"), f"{TABLE}(令和7年3月31日現在) XLSX", date(2025, 3, 31), "xlsx"
    )
    assert choice.candidates[0] == choice.chosen
    assert [link.url for link in choice.candidates][-1] == server.url("/katsudo/undated.txt")
    assert choice.describe() == f"listing {choice.page_url}: {listing_candidates_summary(choice.candidates)}"
    assert listing_edition_link(server.url("/zenkoku.html"), SourceSettings()) == choice.chosen


def test_a_listing_without_the_table_is_an_error_that_says_what_was_looked_for(server: FixtureServer) -> None:
    body = (
        f"<ul><li>{COUNT}（令和8年3月31日現在） <a href='c.pdf'>PDF</a></li><li><a href='p.pdf'>パンフレット</a></li>"
    )
    server.routes["/renkei.html"] = Route(body=html_page(body).encode())
    url = server.url("/renkei.html")
    with pytest.raises(DownloadError) as caught:
        choose_edition_link(url, SourceSettings())
    assert str(caught.value) == (
        f"{url}: no link naming {TABLE} on the page; looked in the text in and around each of its 2 links "
        "(the list item, table row or line it stands in)"
    )
    assert caught.value.transient is False


def test_a_page_without_links_says_so(server: FixtureServer) -> None:
    server.routes["/renkei.html"] = Route(body=html_page(f"<p>{TABLE}は準備中です</p>").encode())
    with pytest.raises(DownloadError, match=r"each of its 0 links"):
        listing_edition_link(server.url("/renkei.html"), SourceSettings())


ENCODED_BODY = (
    f"<ul><li>{COUNT}（令和9年3月31日現在） <a href='/c.pdf'>PDF</a></li>"
    f"<li>{TABLE}（令和8年3月31日現在）① <a href='/r8.pdf'>PDF（約1MB）</a></li></ul>"  # ①: CP932, not Shift_JIS
)


@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
@pytest.mark.parametrize("declared", ["meta", "meta-http-equiv", "http-header", "wrong-http-header", "nowhere"])
def test_a_japanese_encoded_listing_is_decoded(server: FixtureServer, codec: str, declared: str) -> None:
    label = {"cp932": "Shift_JIS", "euc_jp": "EUC-JP"}[codec]
    body = ENCODED_BODY if codec == "cp932" else ENCODED_BODY.replace("①", "")  # ① is not in EUC-JP
    in_page = label if declared.startswith("meta") else None
    page = html_page(body, in_page, http_equiv=declared == "meta-http-equiv")
    header = {"http-header": f"text/html; charset={label}", "wrong-http-header": "text/html; charset=UTF-8"}
    server.routes["/renkei.html"] = Route(
        body=page.encode(codec), headers={"Content-Type": header.get(declared, "text/html")}
    )

    html, _ = fetch_page(server.url("/renkei.html"), SourceSettings())
    link = listing_edition_link(server.url("/renkei.html"), SourceSettings())

    assert html == page
    assert (link.url, link.as_of) == (server.url("/r8.pdf"), date(2026, 3, 31))


@pytest.mark.parametrize("declared", ["meta", "nowhere"])
def test_a_utf8_listing_is_decoded(server: FixtureServer, declared: str) -> None:
    page = html_page(ENCODED_BODY, "utf-8" if declared == "meta" else None)
    server.routes["/renkei.html"] = Route(body=page.encode(), headers={"Content-Type": "text/html"})
    html, _ = fetch_page(server.url("/renkei.html"), SourceSettings())
    assert html == page
