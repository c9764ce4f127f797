"""Reports as self-contained HTML (Jinja2, autoescaped; inline CSS and SVG, no external assets)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from renkei.records import Ward
from renkei.report.charts import bar_chart
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.report.view import (
    IndexRow,
    Overview,
    ReportInput,
    WardPage,
    programs_by_category,
    slug,
    source_view,
)

TOP_CATEGORIES = 15
TOP_PREFECTURES = 20


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("renkei.report", "templates"),
        autoescape=True,  # every source string is escaped: program names are data, not markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _top_title(title: str, available: int, shown: int) -> str:
    return f"{title}（上位{shown}）" if available > shown else title


def _span(data: ReportInput) -> str:
    return f"{date_ja(data.previous)} → {date_ja(data.edition)}" if data.previous else date_ja(data.edition)


def render_ward_html(page: WardPage, data: ReportInput) -> str:
    return (
        _environment()
        .get_template("ward.html.j2")
        .render(page_title=f"{page.ward.name} 変更履歴", page=page, span=_span(data), source=source_view(data))
    )


def render_index_html(rows: list[IndexRow], data: ReportInput) -> str:
    ward_chart = bar_chart(
        "区別の新規事業・終了事業", ["新規事業", "終了事業"], [(r.ward.name, [r.added, r.ended]) for r in rows]
    )
    categories = programs_by_category(data.records)
    category_chart = bar_chart(
        _top_title("連携カテゴリ別の事業数", len(categories), TOP_CATEGORIES),
        ["事業数"],
        [(c, [n]) for c, n in categories[:TOP_CATEGORIES]],
    )
    totals = {
        "programs": sum(r.programs for r in rows),
        "counts": [sum(r.counts[i] for r in rows) for i in range(len(SECTIONS))],
    }
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            source=source_view(data),
            page_title=f"{data.title} 変更レポート",
            title=data.title,
            span=_span(data),
            total=sum(totals["counts"]),
            sections=[title for title, _ in SECTIONS],
            rows=[{"ward": r.ward, "slug": slug(r.ward), "programs": r.programs, "counts": r.counts} for r in rows],
            totals=totals,
            ward_chart=ward_chart,
            category_chart=category_chart,
        )
    )


def render_overview_html(view: Overview, data: ReportInput) -> str:
    columns = view.category_columns()
    category_chart = bar_chart(
        _top_title("連携カテゴリ別の事業数", len(view.categories), TOP_CATEGORIES),
        ["事業数"],
        [(c, [n]) for c, n in view.categories[:TOP_CATEGORIES]],
    )
    prefecture_chart = bar_chart(
        _top_title("都道府県別の連携数", len(view.prefectures), TOP_PREFECTURES),
        ["区と自治体の組"],
        [(p, [n]) for p, n in view.prefectures[:TOP_PREFECTURES]],
    )
    return (
        _environment()
        .get_template("overview.html.j2")
        .render(
            source=source_view(data),
            page_title=f"{data.title} 概要",
            title=data.title,
            span=_span(data),
            wards=[(w, programs, places, slug(w)) for w, programs, places in view.wards],
            columns=columns,
            category_rows=[(w, view.category_row(w.code, columns)) for w, _, _ in view.wards],
            category_chart=category_chart,
            prefecture_chart=prefecture_chart,
        )
    )


def render_ward_overview_html(ward: Ward, view: Overview, data: ReportInput) -> str:
    return (
        _environment()
        .get_template("ward_overview.html.j2")
        .render(
            source=source_view(data),
            page_title=ward.name,
            ward_name=ward.name,
            records=view.ward_programs.get(ward.code, []),
            places=view.ward_places.get(ward.code, []),
            span=_span(data),
        )
    )
