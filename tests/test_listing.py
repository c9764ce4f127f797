"""Finding the edition on the publisher's listing page (a page written like the stored copies described in
../shared/editions/README.md: the table among other documents, dates in the link text)."""

from __future__ import annotations

from datetime import date

from renkei.sources.listing import edition_links, newest_edition_link

PAGE = """<html><body><h1>特別区全国連携プロジェクト</h1>
<ul>
 <li><a href="/katsudo/pdf/pamphlet.pdf">特別区全国連携プロジェクト パンフレット</a> PDF（約2MB）</li>
 <li><a href="../files/renkei_r5.xlsx">各特別区と全国市町村等連携事業一覧（令和5年8月1日現在）</a> XLSX（約254KB）</li>
 <li><a href="/files/jichitaisu_r5.pdf">特別区連携自治体数一覧（令和5年8月1日現在）</a> PDF（約395KB）</li>
 <li><a href="/files/renkei_r8.pdf">各特別区と全国市町村等連携事業一覧<br>（令和8年3月31日現在）</a> PDF（約1.2MB）</li>
 <li><a href="/files/houshin.pdf">特別区全国連携プロジェクトの推進方針</a> PDF</li>
</ul></body></html>"""
BASE = "https://publisher.example/katsudo/zenkoku.html"


def test_only_the_table_is_taken_newest_first_with_date_and_format() -> None:
    links = edition_links(PAGE, BASE)
    assert [(link.url, link.as_of, link.announced_format) for link in links] == [
        ("https://publisher.example/files/renkei_r8.pdf", date(2026, 3, 31), "pdf"),
        ("https://publisher.example/files/renkei_r5.xlsx", date(2023, 8, 1), "xlsx"),
    ]


def test_no_link_to_the_table_means_nothing_new() -> None:
    assert newest_edition_link("<a href='/x.pdf'>特別区連携自治体数一覧（令和8年3月31日現在）</a>", BASE) is None
