"""Render an edition's records as an XLSX workbook like the publisher's earlier years: title and as-of date
above the table, the header, and each program a block of rows whose ward, category, name, body and
description cells are merged vertically (see layout.py), text wrapped in its cell.

`render_workbook` lays the same rows out as another year's compiler might (`WorkbookLayout`): one sheet per
ward, other header words in another column order with extra columns, start years as numbers or dates, a cover,
a title block with the as-of date in a date cell, hidden and notes sheets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from renkei.records import Record, Ward
from tests.render.layout import BODY, COLUMNS, CONTENT, PARTNER, START, WARD, as_of_line, block

WIDTHS = (10, 12, 30, 14, 24, 60, 16)


def render_xlsx(
    records: Sequence[Record],
    path: Path,
    *,
    title: str,
    as_of: date,
    merge: bool = True,
    sheet: str = "連携事業一覧",
    first_column: int = 1,
    ward_over_programs: bool = False,
) -> Path:
    """Write `records` as an XLSX edition; `merge=False` repeats a program's cells on each of its rows,
    `first_column` shifts the table right (a sheet need not start in column A), and `ward_over_programs` merges
    one ward cell over all the ward's programs."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=first_column, value=title).font = Font(size=14, bold=True)
    ws.cell(row=2, column=first_column + 6, value=as_of_line(as_of))
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[ws.cell(row=1, column=first_column + index).column_letter].width = width
    row = 4
    for index, label in enumerate(COLUMNS):
        cell = ws.cell(row=row, column=first_column + index, value=label)
        cell.border, cell.alignment, cell.font = border, wrap, Font(bold=True)
    row += 1
    ward_rows: list[int] = []  # first and last row of the current ward's cell
    ward_code = None
    for record in records:
        plan = block(record)
        count = len(plan.rows)
        # without merged cells every row is whole: text split over sub-rows is repeated whole on each
        whole = {c: "\n".join(dict.fromkeys(r[c] for r in plan.rows if r.get(c))) for c in (BODY, CONTENT)}
        for offset, sub in enumerate(plan.rows):
            if merge:
                values = {**plan.merged, **sub} if offset == 0 else sub
            else:
                values = {**plan.merged, **{c: t for c, t in whole.items() if t}, PARTNER: sub[PARTNER]}
                values |= {START: sub[START]} if START in sub else {}
            for column, text in values.items():
                if text:
                    ws.cell(row=row + offset, column=first_column + column, value=text)
        for offset in range(count):
            for column in range(len(COLUMNS)):
                cell = ws.cell(row=row + offset, column=first_column + column)
                cell.border, cell.alignment = border, wrap
        if ward_over_programs:
            if record.ward.code == ward_code:
                ws.cell(row=row, column=first_column).value = None
                ward_rows[1] = row + count - 1
            else:
                _merge_ward(ws, ward_rows, first_column)
                ward_code, ward_rows = record.ward.code, [row, row + count - 1]
        if merge and count > 1:
            for column in plan.merged:
                if ward_over_programs and column == WARD:
                    continue
                ws.merge_cells(
                    start_row=row, start_column=first_column + column, end_row=row + count - 1,
                    end_column=first_column + column,
                )  # fmt: skip
        row += count
    if ward_over_programs:
        _merge_ward(ws, ward_rows, first_column)
    workbook.save(path)
    return path


def _merge_ward(ws, rows: list[int], column: int) -> None:  # type: ignore[no-untyped-def]
    if rows and rows[1] > rows[0]:
        ws.merge_cells(start_row=rows[0], start_column=column, end_row=rows[1], end_column=column)


# -- other years' layouts -------------------------------------------------------------------------------------
Column = int | str  # a field (WARD … START) or an extra column's label
StartValue = Callable[[Record, str], Any]  # a start cell's text → the value written (text, a number, a date)
ExtraValue = Callable[[str, Record, int, int], Any]  # (label, record, program number in its sheet, sub-row) → value


def _no_extra(label: str, record: Record, number: int, offset: int) -> Any:
    return None


@dataclass(frozen=True)
class WorkbookLayout:
    """How a workbook of another year might lay the table out.

    `labels[field]` is the header label written for each field; `order` the columns left to right (fields and
    extra columns' labels; a field left out has no column). `per_ward` writes one sheet per ward, named by
    `sheet_name(index, ward)`. The title block stands from `title_row`, the header at `header_row`, the table
    from `first_column`; the as-of date is printed on its own line like the publisher's (`"line"`), inside the
    title (`"inline"`), or as a date cell beside the label 基準日 (`"date"`). `cover` adds a cover sheet before
    the table, `hidden` a hidden sheet holding a table that must not be read, `notes` a sheet of notes after it.
    """

    labels: tuple[str, ...] = COLUMNS
    order: tuple[Column, ...] = tuple(range(len(COLUMNS)))
    per_ward: bool = False
    sheet_name: Callable[[int, Ward], str] = lambda index, ward: ward.name
    title_row: int = 1
    header_row: int = 4
    first_column: int = 1
    as_of: Literal["line", "inline", "date"] = "line"
    start_value: StartValue | None = None
    extra_value: ExtraValue = field(default=_no_extra)
    merge: bool = True
    cover: bool = False
    hidden: bool = False
    notes: bool = False


def render_workbook(records: Sequence[Record], path: Path, *, title: str, as_of: date, layout: WorkbookLayout) -> Path:
    """Write `records` as a workbook laid out as `layout` says (see WorkbookLayout)."""
    workbook = Workbook()
    first = workbook.active
    if layout.cover:
        first.title = "表紙"
        first["B3"] = title
        first["B5"] = "特別区長会事務局"
        first["B6"] = "特別区全国連携プロジェクト"
    else:
        workbook.remove(first)
    if layout.hidden:
        hidden = workbook.create_sheet("作業用")
        hidden.sheet_state = "hidden"
        hidden.append(list(COLUMNS))
        hidden.append(["千代田", "文化交流", "作業用の行", "区", "群馬県嬬恋村", "読まれてはならない。", "令和元年度"])
    groups: list[tuple[str, list[Record]]] = []
    for record in records:
        name = layout.sheet_name(len(groups), record.ward) if layout.per_ward else "連携事業一覧"
        if not groups or (layout.per_ward and groups[-1][1][0].ward != record.ward):
            groups.append((name, []))
        groups[-1][1].append(record)
    for name, chunk in groups:
        _table_sheet(workbook.create_sheet(name), chunk, title=title, as_of=as_of, layout=layout)
    if layout.notes:
        notes = workbook.create_sheet("注記")
        notes.append(["注記"])
        notes.append(["※ 各特別区からの回答をとりまとめたものです。"])
        notes.append(["※ 連携相手方の名称は回答時点のものです。"])
    workbook.save(path)
    return path


def _table_sheet(ws: Any, records: Sequence[Record], *, title: str, as_of: date, layout: WorkbookLayout) -> None:
    left = layout.first_column
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    if layout.as_of == "inline":
        ws.cell(row=layout.title_row, column=left, value=f"{title}（{as_of_line(as_of)}）").font = Font(bold=True)
    else:
        ws.cell(row=layout.title_row, column=left, value=title).font = Font(size=14, bold=True)
    if layout.as_of == "line":
        ws.cell(row=layout.title_row + 1, column=left + len(layout.order) - 1, value=as_of_line(as_of))
    elif layout.as_of == "date":
        ws.cell(row=layout.title_row + 1, column=left, value="基準日")
        day = ws.cell(row=layout.title_row + 1, column=left + 1, value=datetime(as_of.year, as_of.month, as_of.day))
        day.number_format = "yyyy/m/d"
    row = layout.header_row
    for index, column in enumerate(layout.order):
        label = layout.labels[column] if isinstance(column, int) else column
        cell = ws.cell(row=row, column=left + index, value=label)
        cell.border, cell.alignment, cell.font = border, wrap, Font(bold=True)
    row += 1
    place = {column: left + index for index, column in enumerate(layout.order) if isinstance(column, int)}
    extras = [(left + index, column) for index, column in enumerate(layout.order) if isinstance(column, str)]
    for number, record in enumerate(records, start=1):
        plan = block(record)
        count = len(plan.rows)
        whole = {c: "\n".join(dict.fromkeys(r[c] for r in plan.rows if r.get(c))) for c in (BODY, CONTENT)}
        for offset, sub in enumerate(plan.rows):
            if layout.merge:
                values = {**plan.merged, **sub} if offset == 0 else dict(sub)
            else:
                values = {**plan.merged, **{c: t for c, t in whole.items() if t}, PARTNER: sub[PARTNER]}
                values |= {START: sub[START]} if START in sub else {}
            for column, text in values.items():
                if text and column in place:
                    value = layout.start_value(record, text) if column == START and layout.start_value else text
                    ws.cell(row=row + offset, column=place[column], value=value)
            for at, label in extras:
                ws.cell(row=row + offset, column=at, value=layout.extra_value(label, record, number, offset))
            for at in range(left, left + len(layout.order)):
                cell = ws.cell(row=row + offset, column=at)
                cell.border, cell.alignment = border, wrap
        if layout.merge and count > 1:
            for column in plan.merged:
                if column in place:
                    ws.merge_cells(
                        start_row=row, start_column=place[column], end_row=row + count - 1, end_column=place[column]
                    )
        row += count
