"""Changelog reports: golden Markdown on a derived pair, the generator's ground truth in every ward's sections,
well-formed and escaped HTML, the CSV for Excel, the first edition's overview, and `renkei report`."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import html5lib
import pytest
from markdown_it import MarkdownIt

from renkei.diff import diff_editions, value_text
from renkei.normalise.text import text_key
from renkei.parse.edition import edition_from_text, read_edition
from renkei.records import Record
from renkei.report import write as report_write
from renkei.report.view import ReportInput
from renkei.report.write import render_report, write_report
from tests.conftest import PROJECT_ROOT, REAL_EDITION, REFERENCE_CSV, place_code
from tests.derive import DerivedEdition, derive

GOLDEN = Path(__file__).parent / "golden" / "report"
SECTION_OF_KIND = {
    "program_added": "新規事業",
    "program_removed": "終了事業",
    "program_renamed": "名称変更",
    "partner_added": "連携相手方の変更",
    "partner_removed": "連携相手方の変更",
    "program_changed": "内容の変更",
    "municipality_linked": "新たな連携自治体",
    "municipality_unlinked": "連携が終了した自治体",
}
WARD_FILES = {  # ward code → report file stem, written out here rather than taken from the code
    "131016": "131016_千代田区", "131024": "131024_中央区", "131032": "131032_港区", "131041": "131041_新宿区",
    "131059": "131059_文京区", "131067": "131067_台東区", "131075": "131075_墨田区", "131083": "131083_江東区",
    "131091": "131091_品川区", "131105": "131105_目黒区", "131113": "131113_大田区", "131121": "131121_世田谷区",
    "131130": "131130_渋谷区", "131148": "131148_中野区", "131156": "131156_杉並区", "131164": "131164_豊島区",
    "131172": "131172_北区", "131181": "131181_荒川区", "131199": "131199_板橋区", "131202": "131202_練馬区",
    "131211": "131211_足立区", "131229": "131229_葛飾区", "131237": "131237_江戸川区",
}  # fmt: skip


def _report_input(old_records: tuple[Record, ...], new_records: tuple[Record, ...], title: str) -> ReportInput:
    return ReportInput(
        title=title,
        edition=new_records[0].edition,
        records=new_records,
        previous=old_records[0].edition,
        previous_records=old_records,
        events=tuple(diff_editions(old_records, new_records)),
    )


@pytest.fixture(scope="module")
def pair() -> tuple[DerivedEdition, ReportInput]:
    """2025 (derived from the real edition with ten known changes and every kind of noise) → 2026 (real)."""
    previous = derive(31, date(2025, 3, 31), changes=10)
    old = edition_from_text(previous.text())
    new = read_edition(REAL_EDITION)
    return previous, _report_input(old.records, new.records, new.title)


@pytest.fixture(scope="module")
def files(pair) -> dict[str, str | bytes]:  # type: ignore[no-untyped-def]
    return render_report(pair[1])


def _sections(markdown: str) -> dict[str, list[str]]:
    """Section title → its bullet lines, read from a ward page ("## 新規事業（1）")."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in markdown.splitlines():
        heading = re.match(r"## (.+)（(\d+)）$", line)
        if heading:
            current = heading.group(1)
            sections[current] = []
            assert heading.group(2) is not None
        elif line.startswith("- ") and current is not None:
            sections[current].append(line)
    return sections


# -- golden Markdown ---------------------------------------------------------------------------------------
def _golden_names(files: dict[str, str | bytes]) -> list[str]:
    """The index, every ward page with a change, and one without (千代田区)."""
    changed = [name for name, text in files.items() if name.endswith(".md") and "変更 0 件" not in str(text)]
    return sorted({"index.md", "wards/131016_千代田区.md", *changed})


def test_markdown_matches_the_reviewed_golden_files(files, update_golden: bool) -> None:  # type: ignore[no-untyped-def]
    names = _golden_names(files)
    if update_golden:
        for stale in GOLDEN.rglob("*.md"):
            stale.unlink()
        for name in names:
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(str(files[name]), encoding="utf-8")
    stored = sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.md"))
    assert stored == names, "pages with changes differ from the golden set (run pytest --update-golden and review)"
    for name in names:
        assert files[name] == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_every_true_change_is_listed_in_its_wards_section(pair, files) -> None:  # type: ignore[no-untyped-def]
    previous, _ = pair
    expected: dict[tuple[str, str], int] = Counter()
    for kind, ward, *_rest in previous.expected():
        expected[(ward, SECTION_OF_KIND[kind])] += 1
    for ward, stem in WARD_FILES.items():
        sections = _sections(str(files[f"wards/{stem}.md"]))
        assert list(sections) == list(dict.fromkeys(SECTION_OF_KIND.values()))
        for title, bullets in sections.items():
            assert len(bullets) == expected[(ward, title)], (stem, title, bullets)
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        place_name = {row["code"]: row["prefecture"] + row["city"] for row in csv.DictReader(handle)}
    for kind, ward, name_key, partner, _field, previous_name_key in previous.expected():
        bullets = _sections(str(files[f"wards/{WARD_FILES[ward]}.md"]))[SECTION_OF_KIND[kind]]
        text = " ".join(bullets)
        if partner != "None":
            assert place_name[partner] in text, (kind, partner, text)
            if kind.startswith("municipality_"):
                assert f"（{partner}）" in text, (kind, partner, text)
        if name_key:
            # Markdown escapes and <del>/<ins> marks aside, the bullet names the program
            plain = text_key(re.sub(r"</?(del|ins)>|\\", "", text))
            assert name_key in plain or (previous_name_key != "None" and previous_name_key in plain), (kind, text)


def test_index_counts_add_up_to_the_events(pair, files) -> None:  # type: ignore[no-untyped-def]
    _, data = pair
    index = str(files["index.md"])
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert len(rows) == 23
    total_line = next(line for line in index.splitlines() if line.startswith("| 計 |"))
    totals = [int(cell) for cell in total_line.strip("|").split("|")[1:]]
    assert totals[0] == 842  # programs in the 2026 edition (checked by hand in test_real_edition)
    assert sum(totals[1:]) == len(data.events)


def test_rendered_markdown_shows_edits_as_del_and_ins(files) -> None:  # type: ignore[no-untyped-def]
    """Emphasis next to Japanese punctuation does not render in CommonMark; the marks must be real elements."""
    page = str(files["wards/131041_新宿区.md"])  # a body edit: 区（実行委員会） → 区
    rendered = MarkdownIt("commonmark").render(page)
    assert "<del>（実行委員会）</del>" in rendered
    assert "~~" not in rendered and "**" not in rendered


# -- HTML ----------------------------------------------------------------------------------------------------
def _parse_html(text: str):  # type: ignore[no-untyped-def]
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)  # raises html5lib.html5parser.ParseError on any parse error


def test_every_html_page_is_well_formed_and_self_contained(files) -> None:  # type: ignore[no-untyped-def]
    # the index, the ward pages and the search here; every page of the site is parsed in test_site.py
    html_files = {
        name: str(text)
        for name, text in files.items()
        if name.endswith(".html") and not name.startswith(("municipalities/", "prefectures"))
    }
    assert len([n for n in html_files if n.startswith("wards/")]) == 23 and "index.html" in html_files
    for name, text in html_files.items():
        document = _parse_html(text)
        assert document.tag == "html" and document.get("lang") == "ja"
        assert not document.findall(".//link") and not document.findall(".//img")
        assert len(document.findall(".//script")) == (1 if name == "programs.html" else 0), name  # the filter
        for anchor in document.iter("a"):
            target = anchor.get("href").split("#", 1)[0]
            assert "://" not in target, (name, target)
            resolved = (Path(name).parent / target).as_posix()
            resolved = re.sub(r"[^/]+/\.\./", "", resolved)
            assert resolved in files, (name, target)
    index = _parse_html(html_files["index.html"])
    charts = index.findall(".//figure[@class='chart']/{http://www.w3.org/2000/svg}svg")
    assert len(charts) == 2  # new/ended per ward, programs by category (the map is a figure of its own)
    ward_bars = {t.text for t in charts[0].iter("{http://www.w3.org/2000/svg}text") if t.get("text-anchor") == "end"}
    changed = {page.split("_")[-1].removesuffix(".md") for page in _golden_names(files) if page.startswith("wards/")}
    assert ward_bars and ward_bars <= changed  # one row per ward with a new or ended program, no empty rows


def _hostile(records: tuple[Record, ...]) -> tuple[Record, ...]:
    """The 2026 records with markup-like text in the first program's name and description, and a new program
    whose name and category look like markup."""
    first = records[0]
    name = first.name + '<script>alert("x")</script>'
    changed = replace(
        first, name=name, name_key=text_key(name), content=first.content + ' <img src=x onerror=alert(1)> & "引用"'
    )
    added_name = "<b>新規</b>の交流事業"
    added = replace(first, seq=99, name=added_name, name_key=text_key(added_name), category="<u>文化</u>交流")
    return (changed, *records[1:], added)


def test_source_text_is_escaped_in_html_and_markdown() -> None:
    real = read_edition(REAL_EDITION)
    old = tuple(replace(r, edition=date(2025, 3, 31)) for r in real.records)
    data = _report_input(old, _hostile(real.records), title="<i>一覧</i>")
    rendered = render_report(data)
    page = str(rendered["wards/131016_千代田区.html"])
    document = _parse_html(page)
    for tag in ("script", "img", "b", "u"):
        assert not document.findall(f".//{tag}"), tag
    text = "".join(document.find(".//body").itertext())
    assert '<script>alert("x")</script>' in text and "<img src=x onerror=alert(1)>" in text
    assert "<b>新規</b>の交流事業" in text and "<u>文化</u>交流" in text
    index = _parse_html(str(rendered["index.html"]))
    assert not index.findall(".//i") and "<i>一覧</i>" in "".join(index.itertext())
    markdown_html = MarkdownIt("commonmark").render(str(rendered["wards/131016_千代田区.md"]))
    for tag in ("<script", "<img", "<b>", "<u>"):
        assert tag not in markdown_html, tag
    assert "&lt;script&gt;" in markdown_html and "&lt;u&gt;文化&lt;/u&gt;交流" in markdown_html


# -- CSV and JSON --------------------------------------------------------------------------------------------
CSV_GROUPS = {"programs": "changes_programs.csv", "partners": "changes_partners.csv",
              "municipalities": "changes_municipalities.csv"}  # fmt: skip


def _documented_csv_columns(group: str) -> list[str]:
    """The columns the README documents for one CSV file (its table under "The CSV files", column "in")."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("#### The CSV files", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| ([^|]+) \|", part, flags=re.MULTILINE)
    return [column for column, where in rows if where.strip() == "all" or group in where]


def test_csv_round_trips_with_the_documented_columns(pair, files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, data = pair
    seen = 0
    for group, name in CSV_GROUPS.items():
        raw = files[name]
        assert isinstance(raw, bytes) and raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
        path = tmp_path / name
        path.write_bytes(raw)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)  # the Japanese header row
            rows = [dict(zip(_documented_csv_columns(group), cells, strict=True)) for cells in reader]
        events = [e for e in data.events if _group(e.kind) == group]
        assert len(rows) == len(events)
        seen += len(rows)
        for row, event in zip(rows, events, strict=True):
            assert (row["from"], row["to"]) == ("2025-03-31", "2026-03-31")
            assert (row["ward_code"], row["kind"]) == (event.ward.code, event.kind)
            if "program_name" in row:
                assert row["program_name"] == (event.program.name if event.program else "")
            if "partner_code" in row:
                assert row["partner_code"] == ((event.partner.code or "") if event.partner else "")
            if "old" in row:
                assert row["old"] == value_text(event.old) and row["new"] == value_text(event.new)
    assert seen == len(data.events) > 0


def _group(kind: str) -> str:
    return (
        "partners"
        if kind.startswith("partner_")
        else "municipalities"
        if kind.startswith("municipality_")
        else ("programs")
    )


def test_csv_keeps_commas_quotes_and_line_breaks_in_cells(tmp_path: Path) -> None:
    real = read_edition(REAL_EDITION)
    old = tuple(replace(r, edition=date(2025, 3, 31)) for r in real.records)
    first = real.records[0]
    content = 'つまごい祭りに参加し、"物産"を販売,\n二行目'
    new = (replace(first, content=content), *real.records[1:])
    raw = render_report(_report_input(old, new, real.title), headers="en")["changes_programs.csv"]
    assert isinstance(raw, bytes)
    (row,) = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert row["kind"] == "program_changed" and row["field"] == "content" and row["new"] == content


def test_json_holds_the_contract_events(pair, files) -> None:  # type: ignore[no-untyped-def]
    previous, data = pair
    events = json.loads(str(files["changes.json"]))
    assert len(events) == len(data.events)
    for event in events:
        assert {"from", "to", "ward", "kind"} <= set(event)
    assert {e["kind"] for e in events} == {kind for kind, *_ in previous.expected()}


# -- the first edition ------------------------------------------------------------------------------------
def _table(markdown: str, heading: str) -> list[list[str]]:
    part = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in part.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_first_edition_gets_an_overview() -> None:
    real = read_edition(REAL_EDITION)
    rendered = render_report(ReportInput(title=real.title, edition=real.as_of, records=real.records))
    assert "changes_programs.csv" not in rendered and "changes.json" not in rendered
    assert len([n for n in rendered if n.endswith(".md")]) == 1 + 23
    assert len([n for n in rendered if n.startswith("wards/")]) == 2 * 23
    index = str(rendered["index.md"])
    programs = Counter(r.ward.name for r in real.records)
    places: dict[str, set[str]] = defaultdict(set)
    for record in real.records:
        places[record.ward.name] |= {p.code for p in record.partners if p.code}
    for cells in _table(index, "区別の事業数と連携自治体数"):
        ward = re.match(r"\[(.+?)\]", cells[0]).group(1)  # type: ignore[union-attr]
        assert (int(cells[1]), int(cells[2])) == (programs[ward], len(places[ward])), ward
    # by category tag: a program with two tags counts under both, one without any under （未分類）
    tagged = Counter(r.ward.name for r in real.records for _ in (r.category_tags or ("（未分類）",)))
    for cells in _table(index, "区別・連携カテゴリ別の事業数"):
        assert sum(int(c) for c in cells[1:]) == tagged[cells[0]], cells[0]
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        prefecture_of = {row["code"]: row["prefecture"] for row in csv.DictReader(handle)}
    links = Counter(prefecture_of[code] for ward_codes in places.values() for code in ward_codes)
    assert {cells[0]: int(cells[1]) for cells in _table(index, "都道府県別の連携（区と自治体の組の数）")} == links
    chiyoda = str(rendered["wards/131016_千代田区.md"])
    assert "事業数 27、" in chiyoda  # 27 programs, counted by hand in test_real_edition
    assert f"| 群馬県嬬恋村 | {place_code('群馬県嬬恋村')} |" in chiyoda


# -- writing ----------------------------------------------------------------------------------------------
def test_a_failed_write_leaves_the_previous_report_untouched(pair, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, data = pair
    folder = tmp_path / "reports" / "2026-03-31"
    write_report(data, folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    calls = 0
    original = Path.write_text

    def failing_write_text(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(report_write.Path, "write_text", failing_write_text)
    with pytest.raises(OSError, match="disk full"):
        write_report(data, folder)
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert [p.name for p in folder.parent.iterdir()] == ["2026-03-31"]  # no staging folder left behind


# -- through the warehouse and the command ---------------------------------------------------------------
@pytest.fixture(scope="module")
def pair_files(tmp_path_factory: pytest.TempPathFactory, pair) -> list[Path]:  # type: ignore[no-untyped-def]
    previous, _ = pair
    path = tmp_path_factory.mktemp("pair") / "2025-03-31.txt"
    path.write_text(previous.text(), encoding="utf-8")
    return [path, REAL_EDITION]


@pytest.mark.slow
def test_the_stored_report_is_the_report_of_the_editions(warehouse, store, pair, files, pair_files) -> None:  # type: ignore[no-untyped-def]
    """Read back from SQLite or PostgreSQL, the report is byte for byte the one rendered from the parsed pair."""
    from db.ingest import ingest_file
    from db.reports import report_input

    for path in reversed(pair_files):  # newest first: the events are recomputed when the older one arrives
        ingest_file(warehouse, path, store)
    with warehouse.reading() as session:
        data = report_input(session)
    stored = render_report(data)
    # The stored edition also knows where its file came from (出典): the parsed pair is given the same source.
    assert data.source is not None and data.source.sha256 is not None
    expected = render_report(dataclasses.replace(pair[1], source=data.source))
    assert stored.keys() == expected.keys() == files.keys()
    for name in expected:
        assert stored[name] == expected[name], name


def _report_files(folder: Path) -> dict[str, bytes]:
    """The report's files (its own manifest aside, which records when it was written)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".renkei-report.json"
    }


@pytest.mark.slow
def test_report_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pair_files) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from renkei.cli import app

    runner = CliRunner()
    monkeypatch.setenv("RENKEI_REPORTS_DIR", str(tmp_path / "reports"))
    empty = runner.invoke(app, ["report"])
    assert empty.exit_code == 2 and "no edition is ingested" in empty.stderr
    assert not (tmp_path / "reports").exists()
    assert runner.invoke(app, ["ingest", str(pair_files[0])]).exit_code == 0
    first = runner.invoke(app, ["report"])
    assert first.exit_code == 0 and "overview (first edition)" in first.stdout
    assert (tmp_path / "reports" / "2025-03-31" / "index.html").exists()

    assert runner.invoke(app, ["ingest", str(pair_files[1])]).exit_code == 0
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "changelog against 2025-03-31" in result.stdout
    written = _report_files(tmp_path / "out")
    pages = [n for n in written if not n.startswith(("municipalities/", "prefectures/"))]
    # index, ward pages, the three CSV files, changes.json, the prefecture list and the program search
    assert len(pages) == 2 + 2 * 23 + 3 + 1 + 2
    stored = [json.loads(line) for line in runner.invoke(app, ["changes", "--format", "jsonl"]).stdout.splitlines()]
    assert json.loads(written["changes.json"]) == stored
    again = runner.invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert again.exit_code == 0

    def unstamped(files: dict[str, bytes]) -> dict[str, bytes]:  # the pages say when they were made
        return {name: re.sub(rb"\d{4}-\d\d-\d\d \d\d:\d\d JST", b"(time)", content) for name, content in files.items()}

    assert unstamped(_report_files(tmp_path / "out")) == unstamped(written)
    missing = runner.invoke(app, ["report", "--edition", "2023-03-31", "--out", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "2023-03-31" in missing.stderr and not (tmp_path / "none").exists()
