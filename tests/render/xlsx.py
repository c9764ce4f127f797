"""Render an edition's records as an XLSX workbook like the publisher's earlier years: title and as-of date
above the table, the header, and each program a block of rows whose ward, category, name, body and
description cells are merged vertically (see layout.py), text wrapped in its cell."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from renkei.records import Record
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
