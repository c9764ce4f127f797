"""The report site as self-contained HTML (Jinja2, autoescaped; inline CSS, SVG and one inline script, no
external assets): index, a page per ward, per partner place and per prefecture, and a searchable program list.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from renkei.normalise.eras import format_era_year
from renkei.normalise.wards import all_wards
from renkei.records import Ward
from renkei.reference import Place
from renkei.report.charts import Trend, bar_chart, trend_chart
from renkei.report.japanese import date_ja
from renkei.report.labels import SECTIONS
from renkei.report.maps import JapanMap, japan_map
from renkei.report.site import (
    BASIS_LABELS,
    MUNICIPALITIES,
    PREFECTURES,
    STATE_LABELS,
    Site,
    place_path,
    place_slug,
    ward_path,
)
from renkei.report.view import (
    IndexRow,
    Overview,
    ReportInput,
    WardPage,
    index_rows,
    overview,
    programs_by_category,
    slug,
    source_view,
    ward_pages,
)

TOP_CATEGORIES = 15
TOP_PREFECTURES = 20


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("renkei.report", "templates"),
        autoescape=True,  # every source string is escaped: program names are data, not markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no stat of each one for each of ~1,000 pages
    )
    environment.globals.update(
        place_path=place_path,
        ward_path=ward_path,
        state_labels=STATE_LABELS,
        basis_labels=BASIS_LABELS,
        era_year=format_era_year,
    )
    return environment


def _top_title(title: str, available: int, shown: int) -> str:
    return f"{title}（上位{shown}）" if available > shown else title


def _span(data: ReportInput) -> str:
    return f"{date_ja(data.previous)} → {date_ja(data.edition)}" if data.previous else f"{date_ja(data.edition)}現在"


class SiteRenderer:
    """Renders every page of one report; the shared pieces (site indexes, source, header) are made once."""

    def __init__(self, data: ReportInput, generated: str | None = None) -> None:
        self.data = data
        self.site = Site(data)
        self.common: dict[str, Any] = {
            "site_title": data.title,
            "span": _span(data),
            "source": source_view(data),
            "generated": generated,
            "site": self.site,
        }

    def _render(self, template: str, root: str, **context: Any) -> str:
        return _environment().get_template(template).render(**self.common, root=root, **context)

    def _map(self, title: str, root: str, *, ward: Ward | None = None, focus: str | None = None) -> JapanMap:
        def href(place: Place) -> str | None:
            return self.site.page_href(place.code, root)

        shading = self.site.shading(ward)
        if focus is not None:  # the neighbours are context: only the prefecture of the page is shaded
            shading = {code: n for code, n in shading.items() if code == focus}
        return japan_map(
            title,
            shading,
            self.site.points(ward, focus),
            focus=focus,
            prefecture_href=href,
            place_href=href,
        )

    def _trend(self) -> Trend | None:
        editions = self.site.history.editions
        if len(editions) <= 2:
            return None
        return trend_chart(
            "版ごとの事業数と新規・終了事業",
            [e.as_of.isoformat() for e in editions],
            [e.programs for e in editions],
            [e.added for e in editions],
            [e.ended for e in editions],
        )

    # -- pages ---------------------------------------------------------------------------------------------
    def pages(self) -> dict[str, str]:
        files: dict[str, str] = {}
        if self.data.previous is None:
            view = overview(self.data.records)
            files["index.html"] = self.overview_index(view)
            for ward in all_wards():
                files[ward_path(ward)] = self.ward_overview(ward, view)
        else:
            ward_views = ward_pages(self.data)
            files["index.html"] = self.changes_index(index_rows(ward_views))
            for page in ward_views:
                files[ward_path(page.ward)] = self.ward_changes(page)
        for code in self.site.place_codes:
            place = self.site.places[code]
            if not place.is_prefecture:
                files[f"{MUNICIPALITIES}/{place_slug(place)}.html"] = self.place(code)
        for code in self.site.prefecture_codes:
            files[f"{PREFECTURES}/{place_slug(self.site.places[code])}.html"] = self.prefecture(code)
        files["prefectures.html"] = self.prefectures()
        files["programs.html"] = self.programs()
        return files

    def changes_index(self, rows: list[IndexRow]) -> str:
        ward_chart = bar_chart(
            "区別の新規事業・終了事業（変更のあった区）",
            ["新規事業", "終了事業"],
            [(r.ward.name, [r.added, r.ended]) for r in rows],
        )
        categories = programs_by_category(self.data.records)
        category_chart = bar_chart(
            _top_title("連携カテゴリ別の事業数", len(categories), TOP_CATEGORIES),
            ["事業数"],
            [(c, [n]) for c, n in categories[:TOP_CATEGORIES]],
        )
        totals = {
            "programs": sum(r.programs for r in rows),
            "counts": [sum(r.counts[i] for r in rows) for i in range(len(SECTIONS))],
        }
        return self._render(
            "index.html.j2",
            "",
            page_title=f"{self.data.title} 変更レポート",
            title=self.data.title,
            total=sum(totals["counts"]),
            sections=[title for title, _ in SECTIONS],
            rows=[{"ward": r.ward, "slug": slug(r.ward), "programs": r.programs, "counts": r.counts} for r in rows],
            totals=totals,
            ward_chart=ward_chart,
            category_chart=category_chart,
            map=self._map("連携自治体の分布（全区）", ""),
            trend=self._trend(),
        )

    def overview_index(self, view: Overview) -> str:
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
        columns = view.category_columns()
        return self._render(
            "overview.html.j2",
            "",
            page_title=f"{self.data.title} 概要",
            title=self.data.title,
            wards=[(w, programs, places, slug(w)) for w, programs, places in view.wards],
            columns=columns,
            category_rows=[(w, view.category_row(w.code, columns)) for w, _, _ in view.wards],
            category_chart=category_chart,
            prefecture_chart=prefecture_chart,
            map=self._map("連携自治体の分布（全区）", ""),
            trend=self._trend(),
        )

    def ward_changes(self, page: WardPage) -> str:
        return self._render(
            "ward.html.j2",
            "../",
            page_title=f"{page.ward.name} 変更履歴",
            page=page,
            ward=page.ward,
            places=self.site.ward_places(page.ward),
            map=self._map(f"{page.ward.name}の連携自治体", "../", ward=page.ward),
        )

    def ward_overview(self, ward: Ward, view: Overview) -> str:
        return self._render(
            "ward_overview.html.j2",
            "../",
            page_title=ward.name,
            ward=ward,
            records=view.ward_programs.get(ward.code, []),
            places=self.site.ward_places(ward),
            map=self._map(f"{ward.name}の連携自治体", "../", ward=ward),
        )

    def place(self, code: str) -> str:
        page = self.site.place_page(code)
        return self._render("place.html.j2", "../", page_title=f"{page.place.name}と特別区の連携", page=page)

    def prefecture(self, code: str) -> str:
        page = self.site.prefecture_page(code)
        own = self.site.place_page(code) if code in self.site.place_codes else None
        return self._render(
            "prefecture.html.j2",
            "../",
            page_title=f"{page.prefecture.name}と特別区の連携",
            page=page,
            own=own,
            map=self._map(f"{page.prefecture.name}の連携自治体", "../", focus=code),
        )

    def prefectures(self) -> str:
        pages = [self.site.prefecture_page(code) for code in self.site.prefecture_codes]
        return self._render("prefectures.html.j2", "", page_title=f"{self.data.title} 都道府県別", pages=pages)

    def programs(self) -> str:
        rows = self.site.program_rows()
        tags = sorted({tag for row in rows for tag in row.tags})
        prefectures = sorted({p.code: p for row in rows for p in row.prefectures}.values(), key=lambda p: p.code)
        return self._render(
            "programs.html.j2",
            "",
            page_title=f"{self.data.title} 事業の検索",
            rows=rows,
            wards=all_wards(),
            tags=tags,
            prefectures=prefectures,
        )


def render_site_html(data: ReportInput, generated: str | None = None) -> dict[str, str]:
    """Every HTML page of the report, by relative path; `generated` (when given) is shown as the making time."""
    return SiteRenderer(data, generated).pages()
