"""Search page, with the 市 → 县 → 乡 picker."""

import uuid
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from catalogs import states
from catalogs.models import Region, RegionLevel
from matters.services import SYNONYM_STATE
from portal import caching
from portal import search as portal_search
from portal.search import (
    SearchForm,
    featured_services,
    highlight_terms,
    search_paginator,
    term_groups,
)
from portal.templatetags.portal_tags import highlight
from portal.views.base import (
    SEARCH_PAGE_SIZE,
    cached_page,
    public_page,
)

# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


PICKER_FIELDS = ("city", "county", "township")
PICKER_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


@dataclass
class RegionPicker:
    """The search's region filter: 市 → 县 → 乡 selects, each listing the chosen one's children.

    Without JavaScript, choosing a city and submitting lists its counties, and so on; with
    it (static/portal/js/site.js) the next select fills from ``/api/v1/regions/?parent=``.
    A region the selects cannot show (a province) stays as a hidden field, shown as a chip.
    """

    provinces: list[Region]
    cities: list[Region]
    counties: list[Region] = field(default_factory=list)
    townships: list[Region] = field(default_factory=list)
    city: Region | None = None
    county: Region | None = None
    township: Region | None = None
    fixed: Region | None = None

    @property
    def city_groups(self) -> list[tuple[Region | None, list[Region]]]:
        """Cities under their province when there are several provinces."""
        if len(self.provinces) < 2:
            return [(None, self.cities)]
        return [
            (province, [city for city in self.cities if city.parent_id == province.pk])
            for province in self.provinces
        ]


def _picker_rows(condition: Q) -> list[Region]:
    """Provinces and cities, and whatever ``condition`` adds, in one query."""
    top = Q(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
    return list(Region.objects.filter(top | condition).order_by("code"))


def _picker(rows: list[Region], region: Region | None) -> RegionPicker:
    """The selects for ``region`` (already among ``rows``) from rows loaded together."""
    by_id = {row.pk: row for row in rows}
    picker = RegionPicker(
        provinces=[row for row in rows if row.level == RegionLevel.PROVINCE],
        cities=[row for row in rows if row.level == RegionLevel.CITY],
    )
    chain, node = [], region
    while node is not None:
        chain.append(node)
        node = by_id.get(node.parent_id)
    for node in chain:
        if node.level in PICKER_LEVELS:
            setattr(picker, node.level, node)
    if region is not None and region.level not in PICKER_LEVELS:
        picker.fixed = region
    if picker.city is not None:
        picker.counties = [
            row
            for row in rows
            if row.parent_id == picker.city.pk and row.level == RegionLevel.COUNTY
        ]
    if picker.county is not None:
        picker.townships = [
            row
            for row in rows
            if row.parent_id == picker.county.pk and row.level == RegionLevel.TOWNSHIP
        ]
    return picker


def _picker_from_choice(params) -> tuple[RegionPicker, Region | None]:
    """The submitted selects (no JavaScript): the deepest choice that fits the ones above."""
    codes = [params.get(name, "").strip() for name in PICKER_FIELDS]
    codes = [code for code in codes if code.isdigit()]
    rows = _picker_rows(
        Q(code__in=codes)
        | Q(parent__code__in=codes, level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
    )
    by_code = {row.code: row for row in rows}
    chosen = None
    for name, level in zip(PICKER_FIELDS, PICKER_LEVELS, strict=True):
        row = by_code.get(params.get(name, "").strip())
        if row is None or row.level != level:
            break
        if chosen is not None and row.parent_id != chosen.pk:
            break  # a county of another city, left over from an earlier choice
        chosen = row
    return _picker(rows, chosen), chosen


def _picker_for_region(code: str) -> tuple[RegionPicker, Region | None]:
    """The selects showing region ``code``: it, its siblings and children, their parents'."""
    below = [RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    itself = Region.objects.filter(code=code)
    rows = _picker_rows(
        Q(code=code)
        | Q(parent__code=code, level__in=below)
        | Q(parent_id__in=itself.values("parent_id"), level__in=below)
        | Q(parent_id__in=Region.objects.filter(children__code=code).values("parent_id"))
        & Q(level=RegionLevel.COUNTY)
    )
    region = next((row for row in rows if row.code == code), None)
    return _picker(rows, region), region


def _select_options(bound_field) -> str:
    """The <option>s of a choice field, the bound value selected: joined here because the
    widget templates cost more than the rest of the search page together."""
    selected = str(bound_field.value() or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)  # noqa: S308
            for value, label in bound_field.field.choices
        ),
    )


def _result_html(item, query: str, before: str, after: str, *, show_place: bool) -> str:
    elements = "；".join(item.elements)
    snippet = (
        format_html(
            '<p class="snippet">公开内容：{}</p>',
            highlight(Truncator(elements).chars(120), query),
        )
        if elements
        else ""
    )
    catalog = item.publication.catalog
    return format_html(
        '<li class="result">\n<h4><a href="{}">{}</a></h4>\n'
        '<p class="muted">{}{} · 第{}项</p>\n{}'
        '<p class="snippet">公开主体：{} · 公开时限：{}</p>\n</li>',
        f"{before}{item.public_id}{after}",
        highlight(item.name, query),
        format_html("{} · ", catalog.region.name) if show_place else "",
        catalog.title,
        item.seq,
        snippet,
        highlight(item.subject, query),
        item.deadline,
    )


def _item_url_parts() -> tuple[str, str]:
    url = reverse("site:item", args=[uuid.UUID(int=0)])
    before, after = url.split(str(uuid.UUID(int=0)))
    return before, after


def _results_html(page, query: str) -> str:
    """The results, grouped by place (in result order, so the chosen region comes first):
    a heading per place and its list; joined here (a template costs ~0.3 ms per result)."""
    before, after = _item_url_parts()
    groups: list[tuple[object, list]] = []
    for item in page:
        region = item.publication.catalog.region
        if not groups or groups[-1][0].pk != region.pk:
            groups.append((region, []))
        groups[-1][1].append(item)
    html, number = [], page.start_index()
    for region, items in groups:
        rows = [_result_html(item, query, before, after, show_place=False) for item in items]
        html.append(
            format_html(
                '<section class="result-place" aria-label="{}的结果">\n<h3>{}</h3>\n'
                '<ol class="result-list" start="{}">\n{}\n</ol>\n</section>',
                region.name,
                region.name,
                number,
                mark_safe("\n".join(rows)),  # noqa: S308 - every row went through format_html
            )
        )
        number += len(items)
    return mark_safe("\n".join(html))  # noqa: S308 - every part went through format_html


def _featured_html(featured, query: str) -> str:
    before, after = _item_url_parts()
    rows = [_result_html(item, query, before, after, show_place=True) for item in featured]
    return mark_safe("\n".join(rows))  # noqa: S308 - every row went through format_html


def _page_links(request, page, numbers) -> dict:
    """URLs of the pagination links: the query string with another page number."""
    params = request.GET.copy()

    def url(number: int) -> str:
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "numbers": [(number, url(number) if number else None) for number in numbers],
    }


@public_page
def search(request):
    # As ``cached_by_state``, plus the synonym table's state: a synonym edit shows at once.
    parts = (
        caching.publication_state(),
        states.state(SYNONYM_STATE),
        request.path,
        sorted(request.GET.lists()),
        portal_search.COUNT_CAP,  # tests lower it
    )
    return cached_page(
        request, "search", parts, lambda: _search(request), caching.PUBLISHED_STATE_SECONDS
    )


def _search(request):
    params = request.GET
    data = params.copy()
    chosen = None
    if any(name in params for name in PICKER_FIELDS):
        picker, chosen = _picker_from_choice(params)
        if chosen is not None:
            data["region"] = chosen.code
        for name in PICKER_FIELDS:
            data.pop(name, None)
    region_code = data.get("region", "").strip()
    if chosen is None and region_code.isdigit():
        picker, chosen = _picker_for_region(region_code)
    elif chosen is None:
        picker = _picker(_picker_rows(Q(pk__in=[])), None)
    form = SearchForm(
        data if params else None, known_regions={chosen.code: chosen} if chosen else None
    )
    page = page_numbers = None
    featured = []
    valid = form.is_valid()  # False for an unbound form
    if valid:
        paginator = search_paginator(form.cleaned_data, SEARCH_PAGE_SIZE)
        page = paginator.get_page(form.cleaned_data.get("page") or 1)
        if page.number == 1 and paginator.found:
            featured = featured_services(
                form.cleaned_data, frequent=paginator.found > paginator.cap
            )
        page_numbers = [
            None if number == Paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ]
    cleaned = form.cleaned_data if valid else {}
    query = cleaned.get("q", "")
    marked = highlight_terms(cleaned) if valid else ""
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "page": page,
            "results": _results_html(page, marked) if page is not None else "",
            "featured": _featured_html(featured, marked) if featured else "",
            "featured_count": len(featured),
            "synonyms": [group for group in term_groups(cleaned) if len(group) > 1]
            if valid
            else [],
            "page_links": _page_links(request, page, page_numbers) if page is not None else None,
            "searched": form.is_bound,
            "query": query,
            "picker": picker,
            "chosen_catalog": cleaned.get("catalog"),
            "choice_fields": [
                (form[name], _select_options(form[name]))
                for name in ("level1", "audience", "method", "level")
            ],
        },
    )
