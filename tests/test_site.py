"""The report site: a page per partner place and per prefecture, the map, search, print layout, trend chart
and header/footer — read back from the rendered HTML, with expectations taken from the editions themselves."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import html5lib
import pytest

from renkei.diff import diff_editions
from renkei.normalise.places import gazetteer
from renkei.parse.edition import edition_from_text, read_edition
from renkei.records import Record
from renkei.report.view import ReportInput
from renkei.report.write import render_report, write_report
from tests.conftest import REAL_EDITION
from tests.derive import derive

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def editions() -> tuple[tuple[Record, ...], tuple[Record, ...]]:
    """2025 (derived from the real edition with ten known changes) and 2026 (real)."""
    old = edition_from_text(derive(31, date(2025, 3, 31), changes=10).text()).records
    return old, read_edition(REAL_EDITION).records


@pytest.fixture(scope="module")
def data(editions) -> ReportInput:  # type: ignore[no-untyped-def]
    old, new = editions
    return ReportInput(
        title="各特別区と全国市町村等連携事業一覧",
        edition=new[0].edition,
        records=new,
        previous=old[0].edition,
        previous_records=old,
        events=tuple(diff_editions(old, new)),
    )


MADE = datetime(2026, 12, 3, 12, 15, tzinfo=UTC)  # 2026-12-03 21:15 JST


@pytest.fixture(scope="module")
def written(data, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """The report written once, as `renkei report` writes it (read back by the tests of its pages)."""
    folder = tmp_path_factory.mktemp("site") / "report"
    write_report(data, folder, generated=MADE)
    return folder


@pytest.fixture(scope="module")
def rendered(written: Path) -> dict[str, str | bytes]:
    return {
        p.relative_to(written).as_posix(): p.read_text(encoding="utf-8") if p.suffix == ".html" else p.read_bytes()
        for p in written.rglob("*")
        if p.is_file() and p.name != ".renkei-report.json"
    }


@pytest.fixture(scope="module")
def site(rendered) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {name: str(text) for name, text in rendered.items() if name.endswith(".html")}


def _parse(text: str):  # type: ignore[no-untyped-def]
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def _partner_codes(records: tuple[Record, ...], ward_name: str | None = None) -> set[str]:
    return {p.code for r in records if ward_name in (None, r.ward.name) for p in r.partners if p.code}


# -- which pages, and that they hold together ----------------------------------------------------------------
def test_every_partner_place_and_prefecture_has_a_page(site, editions) -> None:  # type: ignore[no-untyped-def]
    old, new = editions
    places = gazetteer().by_code
    codes = _partner_codes(old) | _partner_codes(new)
    municipalities = {f"municipalities/{c}_{places[c].name}.html" for c in codes if not places[c].is_prefecture}
    prefecture_names = {places[c].prefecture for c in codes}
    assert {n for n in site if n.startswith("municipalities/")} == municipalities
    assert {n.split("_", 1)[1].removesuffix(".html") for n in site if n.startswith("prefectures/")} == prefecture_names
    assert {"index.html", "programs.html", "prefectures.html"} <= site.keys()
    assert len([n for n in site if n.startswith("wards/")]) == 23


def test_every_page_is_strict_html5_with_working_links_and_no_outside_requests(site, rendered) -> None:  # type: ignore[no-untyped-def]
    for name, text in site.items():
        document = _parse(text)
        assert document.tag == "html" and document.get("lang") == "ja"
        assert not document.findall(".//link") and not document.findall(".//img") and not document.findall(".//iframe")
        for script in document.iter("script"):
            assert script.get("src") is None, name
        for element in document.iter():
            for attribute in ("href", "src", "{http://www.w3.org/1999/xlink}href", "action"):
                target = element.get(attribute)
                if target is None:
                    continue
                assert not re.match(r"([a-z][a-z0-9+.-]*:|//)", target, re.IGNORECASE), (name, target)
                path = target.split("#", 1)[0]
                resolved = re.sub(r"[^/]+/\.\./", "", (Path(name).parent / path).as_posix())
                assert not path or resolved in rendered, (name, target)
        assert "url(" not in text and "@import" not in text, name


def test_the_header_says_which_editions_and_the_footer_when_it_was_made(site) -> None:  # type: ignore[no-untyped-def]
    for name in ("index.html", "wards/131121_世田谷区.html", "municipalities/104442_群馬県川場村.html"):
        document = _parse(site[name])
        header = "".join(document.find(".//header").itertext())
        footer = "".join(document.find(".//footer").itertext())
        assert "令和7年3月31日 → 令和8年3月31日" in header, name
        assert "2026-12-03 21:15 JST" in header and "2026-12-03 21:15 JST" in footer, name


def test_without_a_making_time_the_pages_are_the_same_bytes_but_for_it(data, site) -> None:  # type: ignore[no-untyped-def]
    """`render_report` without `generated` (as the byte-for-byte tests use it) differs only by the stamp."""
    plain = {name: str(text) for name, text in render_report(data).items() if name.endswith(".html")}
    assert plain.keys() == site.keys()
    for name in ("index.html", "programs.html", "prefectures/100005_群馬県.html"):
        stamped = (
            site[name].replace("｜作成 2026-12-03 21:15 JST", "").replace("｜2026-12-03 21:15 JST に renkei が作成", "")
        )
        assert stamped == plain[name], name


# -- place pages ----------------------------------------------------------------------------------------------
def test_a_place_page_lists_its_wards_programs_and_declared_years_with_their_basis(site) -> None:  # type: ignore[no-untyped-def]
    """世田谷区 × 群馬県川場村 (real edition, lines 1077 and 1081): the festival declares 1978 for the program,
    the 縁組協定 1981; both are shown, each as the program's year with its program."""
    document = _parse(site["municipalities/104442_群馬県川場村.html"])
    rows = {
        "".join(tr.find("td").itertext()).strip(): tr for tr in document.findall(".//table/tbody/tr") if tr.find("td")
    }
    setagaya = rows["世田谷区"]
    programs = [re.sub(r"\s+", "", "".join(li.itertext())) for li in setagaya.findall("./td[2]//li")]
    assert any(p.startswith("川場村との縁組協定") for p in programs)
    assert any(p.startswith("せたがやふるさと区民まつり") for p in programs)
    declared = [re.sub(r"\s+", " ", "".join(div.itertext())).strip() for div in setagaya.findall("./td[3]/div")]
    assert "1978年度（昭和53年度） 事業の開始年度: せたがやふるさと区民まつり" in declared
    assert "1981年度（昭和56年度） 事業の開始年度: 川場村との縁組協定" in declared
    # a partner's own year (自治体間連携フォーラム: 平成27年度 for 川場村) is marked as the partner's
    assert "2015年度（平成27年度） 相手方ごとの開始年度: 自治体間連携フォーラム" in declared
    assert "令和7年3月31日〜令和8年3月31日（2版）" in "".join(setagaya.find("./td[4]").itertext())


def test_a_place_whose_partnership_ended_shows_the_change(site, data) -> None:  # type: ignore[no-untyped-def]
    ended = [e for e in data.events if e.kind == "municipality_unlinked" and e.partner and e.partner.code]
    assert ended, "the derived pair has a partnership that ended"
    places = gazetteer().by_code
    for event in ended:
        place = places[event.partner.code]
        if place.is_prefecture:
            continue
        page = _parse(site[f"municipalities/{place.code}_{place.name}.html"])
        changes = [re.sub(r"\s+", "", "".join(li.itertext())) for li in page.findall(".//ul/li")]
        assert any(event.ward.name in c and "連携が終了した自治体" in c for c in changes), place.name


# -- prefecture pages ------------------------------------------------------------------------------------------
def test_a_prefecture_page_rolls_up_every_partner_place_of_the_prefecture(site, editions) -> None:  # type: ignore[no-untyped-def]
    _old, new = editions
    places = gazetteer().by_code
    gunma = {places[c].name for c in _partner_codes(new) if places[c].prefecture == "群馬県"}
    document = _parse(site["prefectures/100005_群馬県.html"])
    listed = {
        re.sub(r"（.*|新規|終了", "", "".join(tr.find("td").itertext())).strip()
        for tr in document.findall(".//table[1]/tbody/tr")
        if "ended" not in (tr.get("class") or "")
    }
    assert listed == gunma
    wards_for: dict[str, set[str]] = defaultdict(set)
    for r in new:
        for p in r.partners:
            if p.code and places[p.code].prefecture == "群馬県":
                wards_for[r.ward.name].add(p.code)
    counts = {
        "".join(tr.find("td").itertext()).strip(): int(tr.findall("td")[1].text)
        for tr in document.findall(".//table[2]/tbody/tr")
    }
    assert counts == {ward: len(codes) for ward, codes in wards_for.items()}


# -- the map ---------------------------------------------------------------------------------------------------
def _shaded(svg) -> set[str]:  # type: ignore[no-untyped-def]
    return {path.get("data-name") for path in svg.iter(f"{SVG}path") if int(path.get("data-count") or 0) > 0}


@pytest.mark.parametrize("ward", ["世田谷区", "千代田区", "江戸川区"])
def test_a_ward_map_shades_exactly_the_prefectures_of_its_partners(site, editions, ward: str) -> None:  # type: ignore[no-untyped-def]
    _, new = editions
    places = gazetteer().by_code
    expected = {places[c].prefecture for c in _partner_codes(new, ward)}
    name = next(n for n in site if n.startswith("wards/") and n.endswith(f"_{ward}.html"))
    maps = [svg for svg in _parse(site[name]).iter(f"{SVG}svg") if svg.find(f".//{SVG}path[@data-code]") is not None]
    assert len(maps) == 1
    assert _shaded(maps[0]) == expected
    drawn = {c.get("data-code") for c in maps[0].iter(f"{SVG}circle") if c.get("data-code")}
    municipalities = {c for c in _partner_codes(new, ward) if not places[c].is_prefecture}
    assert drawn <= municipalities | _partner_codes(editions[0], ward)
    assert len(drawn & municipalities) >= 0.9 * len(municipalities)  # all but islands outside the frame


def test_the_index_map_shades_every_prefecture_with_a_partner(site, editions) -> None:  # type: ignore[no-untyped-def]
    places = gazetteer().by_code
    expected = {places[c].prefecture for c in _partner_codes(editions[1])}
    maps = [
        svg for svg in _parse(site["index.html"]).iter(f"{SVG}svg") if svg.find(f".//{SVG}path[@data-code]") is not None
    ]
    assert _shaded(maps[0]) == expected


# -- search ----------------------------------------------------------------------------------------------------
def test_the_program_list_has_every_program_with_what_the_filters_read(site, editions) -> None:  # type: ignore[no-untyped-def]
    _, new = editions
    places = gazetteer().by_code
    document = _parse(site["programs.html"])
    rows = document.findall(".//table[@id='programs']/tbody/tr")
    assert len(rows) == len(new)
    for row, record in zip(rows, new, strict=True):
        assert row.get("data-ward") == record.ward.code
        assert row.get("data-tags").split("|") == list(record.category_tags or [""])
        prefectures = {places[p.code].prefecture_code for p in record.partners if p.code}
        assert set(filter(None, row.get("data-prefs").split("|"))) == prefectures
        assert record.name in "".join(row.itertext())
    form = document.find(".//form[@id='filters']")
    assert form.get("hidden") is not None  # without the script the form stays hidden and the list is whole
    assert {s.get("name") for s in form.iter("select")} == {"ward", "tag", "pref"}


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (make screenshots needs it too)")
def test_the_filters_work_in_a_browser_without_the_network(data, written: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = (written / "programs.html").as_uri() + "#ward=131121&tag=災害協定"
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    rows = list(re.finditer(r'<tr data-ward="(\d+)" data-tags="([^"]*)"([^>]*)>', dom))
    shown = [m for m in rows if "hidden" not in m.group(3)]
    expected = [r for r in data.records if r.ward.code == "131121" and "災害協定" in r.category_tags]
    assert len(rows) == len(data.records) and len(shown) == len(expected) > 0
    assert all(m.group(1) == "131121" and "災害協定" in m.group(2).split("|") for m in shown)
    assert re.search(r'<output id="shown">' + str(len(expected)) + "</output>", dom)


# -- charts ----------------------------------------------------------------------------------------------------
def test_bars_sit_with_their_own_label_and_empty_rows_are_dropped(site, data) -> None:  # type: ignore[no-untyped-def]
    chart = next(_parse(site["index.html"]).iter(f"{SVG}svg"))
    labels = [(t.text, float(t.get("y"))) for t in chart.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    bars = [(float(r.get("y")), float(r.get("height"))) for r in chart.iter(f"{SVG}rect") if r.get("height") == "9"]
    changed = {e.ward.name for e in data.events if e.kind in ("program_added", "program_removed")}
    assert {label for label, _ in labels} == changed  # wards without new or ended programs are left out
    for index, (_, baseline) in enumerate(labels):
        own = bars[2 * index : 2 * index + 2]
        top, bottom = own[0][0], own[1][0] + own[1][1]
        assert top <= baseline - 4 <= bottom  # the label's middle lies within its own pair of bars
        if index + 1 < len(labels):
            next_top = bars[2 * index + 2][0]
            assert next_top - bottom > own[1][0] - (own[0][0] + own[0][1])  # wider gap between rows than within


@pytest.mark.parametrize("warehouse", ["sqlite"], indirect=True)  # the history query on PostgreSQL: test_reports
def test_a_trend_chart_appears_with_more_than_two_editions(warehouse, store, three_editions) -> None:  # type: ignore[no-untyped-def]
    from db.ingest import ingest_file
    from db.reports import report_input

    for path, _, _ in three_editions:
        ingest_file(warehouse, path, store)
    with warehouse.reading() as session:
        data = report_input(session)
    index = _parse(str(render_report(data)["index.html"]))
    trend = [svg for svg in index.iter(f"{SVG}svg") if svg.find(f"{SVG}polyline") is not None]
    assert len(trend) == 1
    points = [c.find(f"{SVG}title").text for c in trend[0].iter(f"{SVG}circle")]
    assert points == [f"{records[0].edition.isoformat()}: {len(records)}" for _, _, records in three_editions]
    with warehouse.reading() as session:
        two = report_input(session, date(2025, 3, 31))
    assert "<polyline" not in str(render_report(two)["index.html"])  # two editions: nothing to trace
