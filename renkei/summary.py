"""What one update run did, as data, and rendered for the console and for a Prefect markdown artifact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from renkei.diff import ChangeEvent
from renkei.normalise.wards import all_wards
from renkei.provenance import SourceRecord, fetched_at_text, source_lines
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.review import ChangeVolume


@dataclass(frozen=True)
class EditionOutcome:
    source: str  # the file it was read from (its stored name when it was only re-linked)
    as_of: date
    status: str  # ingested | replaced | relinked (a later edition whose predecessor changed)
    programs: int
    warnings: int  # the parse's quality warnings (0 when the edition was only re-linked)
    previous: date | None
    events: tuple[ChangeEvent, ...]
    report: str  # the report folder
    provenance: SourceRecord | None = None
    notes: tuple[str, ...] = ()  # what disagrees between the source and the document (a link's date)
    supersedes: tuple[SourceRecord, ...] = ()  # the files this corrected edition replaced


@dataclass(frozen=True)
class RunSummary:
    source: str  # the folder or URL the run read
    outcomes: tuple[EditionOutcome, ...]
    unchanged: tuple[str, ...] = ()  # files offered by the source that were already stored
    held: tuple[ChangeVolume, ...] = ()  # editions held for review in this run
    rejected: bool = False  # the reviewer rejected them: nothing was written

    @property
    def nothing_new(self) -> bool:
        return not self.outcomes

    @property
    def newest_report(self) -> str | None:
        return max(self.outcomes, key=lambda o: o.as_of).report if self.outcomes else None


def summary_lines(summary: RunSummary) -> list[str]:
    """Plain lines for the console: one per stored edition, ending with where the reports are."""
    if summary.rejected:
        return [f"rejected after review: {v.describe()}; nothing written" for v in summary.held]
    if summary.nothing_new:
        return [
            f"nothing new: {summary.source} offers {len(summary.unchanged)} edition file(s), all already stored; "
            "nothing written"
        ]
    lines = []
    for outcome in summary.outcomes:
        against = f"against {outcome.previous.isoformat()}" if outcome.previous else "first edition (overview)"
        lines.append(
            f"{outcome.as_of.isoformat()} {outcome.status}: {outcome.programs} programs, "
            f"{len(outcome.events)} change events {against}; report {outcome.report}"
        )
        if outcome.provenance is not None:
            lines.append(f"  source: {_source_line(outcome.provenance)}")
        for superseded in outcome.supersedes:
            lines.append(
                f"  correction: replaces {superseded.file_name or superseded.location} "
                f"(sha256 {(superseded.sha256 or '')[:12]}…, fetched {superseded.fetched_at})"
            )
        lines.extend(f"  warning: {note}" for note in outcome.notes)
        if outcome.warnings:
            lines.append(f"  quality report: {outcome.warnings} warnings; see: renkei parse {outcome.source} --report")
    lines.append(f"reports: {summary.newest_report}")
    return lines


def summary_markdown(summary: RunSummary) -> str:
    """The run summary artifact: per stored edition, the changes per ward by report section (Japanese)."""
    if summary.rejected:
        return "# renkei 更新: 確認の結果、取り込みませんでした\n\n" + "".join(
            f"- {v.as_of.isoformat()} 版: {'; '.join(v.problems)}\n" for v in summary.held
        )
    if summary.nothing_new:
        return (
            "# renkei 更新: 新しい版はありません\n\n"
            f"取得元 `{summary.source}` の {len(summary.unchanged)} 件のファイルはすべて取り込み済みです。"
            "何も書き込んでいません。\n"
        )
    parts = [f"# renkei 更新: {len(summary.outcomes)} 版を取り込みました\n", f"取得元: `{summary.source}`\n"]
    for outcome in summary.outcomes:
        name = PurePath(outcome.source).name
        parts.append(f"## {date_ja(outcome.as_of)}現在の版（{name}、{outcome.programs} 事業）\n")
        parts.append(f"レポート: `{outcome.report}`\n")
        if outcome.provenance is not None:
            parts.append(_source_markdown(outcome.provenance))
        for superseded in outcome.supersedes:
            parts.append(
                f"**訂正版**: {superseded.file_name or superseded.location}（取得 {fetched_at_text(superseded)}）を"
                "置き換えました。\n"
            )
        parts.extend(f"**注意**: {note}\n" for note in outcome.notes)
        if outcome.previous is None:
            parts.append("最初の版のため、変更の比較はありません（概要レポート）。\n")
            continue
        parts.append(f"{date_ja(outcome.previous)}現在の版との比較: {len(outcome.events)} 件の変更\n")
        parts.append(_ward_table(outcome.events))
    return "\n".join(parts)


def _ward_table(events: tuple[ChangeEvent, ...]) -> str:
    counts = Counter((event.ward.code, event.kind) for event in events)
    header = ["区", *(title for title, _ in SECTIONS), "計"]
    rows = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for ward in all_wards():
        cells = [sum(counts[(ward.code, kind)] for kind in kinds) for _, kinds in SECTIONS]
        if any(cells):
            rows.append("| " + " | ".join([ward.name, *map(str, cells), str(sum(cells))]) + " |")
    if len(rows) == 2:
        return "変更はありません。\n"
    return "\n".join(rows) + "\n"


def _source_line(source: SourceRecord) -> str:
    where = source.final_url or source.location
    named = f" ({source.file_name})" if source.file_name else ""
    return f"{source.kind} {where}{named}, fetched {source.fetched_at or 'unknown'}"


def _source_markdown(source: SourceRecord) -> str:
    return "出典:\n\n" + "".join(f"- {label}: {value}\n" for label, value in source_lines(source))
