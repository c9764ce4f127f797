"""Assembled entries → contract records: display texts, start years, partners (deduplicated), warnings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from renkei.normalise.eras import StartCell, display_start_text, parse_start_cell
from renkei.normalise.text import strip_markup, text_key
from renkei.parse.entries import AssemblyRow, Entry
from renkei.records import ParseWarning, Partner, Provenance, Record, Start
from renkei.settings import ParseSettings


@dataclass(frozen=True)
class Limits:
    """The caps on what an edition holds (max_programs, max_partners), and the file named when one bites."""

    path: str
    settings: ParseSettings

    def check_programs(self, entries: list[Entry]) -> None:
        cap = self.settings.max_programs
        if len(entries) > cap:
            where = entries[cap].rows[0].provenance.describe()  # its first row in the document
            raise self.settings.refusal(self.path, "max_programs", "programs", where)

    def check_partners(self, count: int, row: AssemblyRow) -> None:
        if count > self.settings.max_partners:
            raise self.settings.refusal(self.path, "max_partners", "partners in one program", row.provenance.describe())


def entries_to_records(entries: list[Entry], as_of: date, limits: Limits | None = None) -> tuple[Record, ...]:
    """One record per entry, numbered within its ward in document order.

    With `limits`, an edition of more programs, or a program of more partners, than they allow is refused
    (EditionReadError) before its records are built.
    """
    if limits is not None:
        limits.check_programs(entries)
    counters: dict[str, int] = defaultdict(int)
    records: list[Record] = []
    for entry in entries:
        ward = entry.ward
        counters[ward.code] += 1
        warnings = list(entry.warnings)
        for row in entry.rows:
            warnings.extend(row.row.warnings)
        start = _start(entry, warnings)
        partners = _partners(entry, warnings, limits)
        _note_markup(entry, warnings)
        name = entry.name
        records.append(
            Record(
                edition=as_of,
                ward=ward,
                seq=counters[ward.code],
                category=entry.category,
                name=name,
                name_key=text_key(name),
                body=entry.body,
                content=entry.content,
                start=start,
                partners=partners,
                provenance=entry.provenance,
                warnings=tuple(sorted(set(warnings), key=_warning_order)),
            )
        )
    return tuple(records)


def _warning_order(warning: ParseWarning) -> tuple[int, str, str]:
    first = (warning.provenance.lines or warning.provenance.rows or (0,))[0]
    return (first, warning.kind, warning.message)


def _start(entry: Entry, warnings: list[ParseWarning]) -> Start:
    texts: list[str] = []
    years: set[int] = set()
    for row in entry.rows:
        if not row.start_cell:
            continue
        text = display_start_text(strip_markup(row.start_cell)[0])
        if text and text not in texts:
            texts.append(text)
        cell = parse_start_cell(row.start_cell)
        years.update(cell.years)
        if cell.cut:
            warnings.append(
                ParseWarning("cut_cell", f"start cell {text!r} is cut off; its year is lost", row.provenance)
            )
        if cell.unreadable:
            warnings.append(
                ParseWarning("unreadable_year", f"start cell {text!r} names no readable year", row.provenance)
            )
    return Start(text=" ".join(texts), fiscal_years=tuple(sorted(years)))


def _partners(entry: Entry, warnings: list[ParseWarning], limits: Limits | None) -> tuple[Partner, ...]:
    rows_with_partners = [r for r in entry.rows if r.partner_cell]
    rows_with_years = [r for r in rows_with_partners if parse_start_cell(r.start_cell).items]
    per_row_years = len(rows_with_years) > 1
    kept: dict[str, Partner] = {}
    repeats: list[tuple[str, Provenance]] = []
    seen_rows: set[tuple[str, ...]] = set()
    for row in rows_with_partners:
        signature = tuple(text_key(c) for c in row.row.cells)
        if signature in seen_rows:  # an identical row, already reported as duplicate_row_merged
            continue
        seen_rows.add(signature)
        cell = row.partners
        for problem in cell.problems:
            warnings.append(ParseWarning(problem.kind, problem.message, row.provenance))
        aligned = _aligned_years(row, parse_start_cell(row.start_cell), cell.token_count, per_row_years)
        for resolved in cell.partners:
            partner = Partner(
                text=resolved.text,
                name=resolved.name,
                code=resolved.code,
                kind=resolved.kind,
                start_fiscal_year=resolved.start_year(aligned),  # issue 13 part 5: a note gives its own year
                correction=resolved.correction,
            )
            identity = partner.identity
            if identity in kept:
                first = kept[identity]
                if first.start_fiscal_year is None and partner.start_fiscal_year is not None:
                    kept[identity] = _with_year(first, partner.start_fiscal_year)
                shown = (
                    partner.text
                    if text_key(partner.text) == text_key(first.name)
                    else f"{partner.text} (= {first.name})"
                )
                repeats.append((shown, row.provenance))
                continue
            kept[identity] = partner
            if limits is not None:
                limits.check_partners(len(kept), row)
    if repeats:
        names = "、".join(dict.fromkeys(name for name, _ in repeats))
        where = Provenance()
        for _, provenance in repeats:
            where = where.merged(provenance)
        warnings.append(ParseWarning("duplicate_partner", f"listed more than once, kept once: {names}", where))
    return tuple(kept.values())


def _aligned_years(row: AssemblyRow, cell: StartCell, tokens: int, per_row_years: bool) -> list[int | None] | None:
    """Per-partner start years when the cell's years line up one-to-one with the row's partners.

    A single year for a single partner counts only when other rows of the entry carry their own years too
    (continuation rows); otherwise it is simply the entry's start year.
    """
    if not cell.items or len(cell.items) != tokens:
        return None
    if tokens == 1 and not per_row_years:
        return None
    return list(cell.items)


def _with_year(partner: Partner, year: int) -> Partner:
    return Partner(partner.text, partner.name, partner.code, partner.kind, year, partner.correction)


def _note_markup(entry: Entry, warnings: list[ParseWarning]) -> None:
    marked = [r for r in entry.rows if r.row.markup_removed]  # table.py cleaned the cells and kept the fact
    if marked:
        where = Provenance()
        for row in marked:
            where = where.merged(row.provenance)
        warnings.append(
            ParseWarning("markup_removed", "HTML markup left by the extractor removed from the description", where)
        )
