"""The run summary (console lines and the markdown artifact), from events of a derived edition's known
changes: the per-ward counts must add up to the ground truth, not to whatever the renderer counted."""

from __future__ import annotations

from collections import Counter
from datetime import date

from renkei.diff import diff_editions
from renkei.normalise.wards import all_wards
from renkei.parse.edition import edition_from_text
from renkei.summary import EditionOutcome, RunSummary, summary_lines, summary_markdown
from tests.derive import derive


def _summary(real_edition) -> tuple[RunSummary, Counter[str]]:  # type: ignore[no-untyped-def]
    earlier = derive(41, date(2025, 3, 31), changes=30)
    events = diff_editions(edition_from_text(earlier.text()).records, real_edition.records)
    truth = Counter(ward for _kind, ward, *_ in earlier.expected())
    outcome = EditionOutcome(
        source="/data/editions/renkei_r8.pdf",
        as_of=date(2026, 3, 31),
        status="ingested",
        programs=len(real_edition.records),
        warnings=79,
        previous=date(2025, 3, 31),
        events=tuple(events),
        report="/data/reports/2026-03-31",
    )
    return RunSummary("https://example.jp/renkei.html", (outcome,), ("renkei_r7.pdf",)), truth


def test_the_artifact_counts_every_ward_with_changes_and_only_those(real_edition) -> None:  # type: ignore[no-untyped-def]
    summary, truth = _summary(real_edition)
    markdown = summary_markdown(summary)
    assert markdown.startswith("# renkei 更新: 1 版を取り込みました\n")
    assert "## 令和8年3月31日現在の版（renkei_r8.pdf、842 事業）" in markdown
    assert f"令和7年3月31日現在の版との比較: {sum(truth.values())} 件の変更" in markdown
    totals = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] != "区":
            totals[cells[0]] = int(cells[-1])
            assert sum(int(c) for c in cells[1:-1]) == int(cells[-1])
    names = {w.code: w.name for w in all_wards()}
    assert totals == {names[code]: count for code, count in truth.items()}


def test_console_lines_end_with_the_reports_and_a_no_op_says_so(real_edition) -> None:  # type: ignore[no-untyped-def]
    summary, truth = _summary(real_edition)
    lines = summary_lines(summary)
    assert lines[0] == (
        f"2026-03-31 ingested: 842 programs, {sum(truth.values())} change events against 2025-03-31; "
        "report /data/reports/2026-03-31"
    )
    assert lines[1] == "  quality report: 79 warnings; see: renkei parse /data/editions/renkei_r8.pdf --report"
    assert lines[-1] == "reports: /data/reports/2026-03-31"
    nothing = RunSummary("snapshots/bundled", (), ("2026-03-31-extracted.txt",))
    assert summary_lines(nothing) == [
        "nothing new: snapshots/bundled offers 1 edition file(s), all already stored; nothing written"
    ]
    assert summary_markdown(nothing).startswith("# renkei 更新: 新しい版はありません")
