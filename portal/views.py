"""The citizen-facing site: places, published catalogs and items, search, downloads.

Citizens only ever read what has been published: current ``Publication`` rows and their
``PublishedItem`` rows (``PublishedItem.objects.visible_to_public()``). A draft edit never
reaches these pages, the downloads or the sitemap until the catalog is published again.

Every page runs a fixed number of queries whatever the number of items (pinned in
tests/portal/test_views.py) and sends headers a CDN may cache by.
"""

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as page_cache
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, quote_etag
from django.utils.html import format_html, format_html_join
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import conditional_page, require_safe

from catalogs import vocabulary
from catalogs.downloads import attachment_response
from catalogs.excel import write_catalog_workbook
from catalogs.models import Region, RegionLevel
from items.models import Publication, PublishedItem
from portal import caching
from portal import search as portal_search
from portal.routers import public_reads
from portal.search import SearchForm, search_paginator
from portal.serializers import published_catalog
from portal.sitemaps import sitemap_file_xml, sitemap_index_xml, sitemap_plan
from portal.templatetags.portal_tags import highlight
from records.selectors import (
    last_changed,
    latest_publication_dates,
    public_photo_ids,
    records_by_item,
)

# The site loads nothing from elsewhere; scripts and styles are files under /static/.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PLACE_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
PLACE_MATCH_LIMIT = 30
SEARCH_PAGE_SIZE = 20


def public_page(view):
    """GET/HEAD only; cacheable by browsers and a CDN; ETag and conditional GET; CSP.

    The view's reads may go to the read replica (``portal.routers``).
    """

    @require_safe
    @conditional_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with public_reads(), caching.request_memo():
            response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return wrapped


# ---------------------------------------------------------------------------
# Rendered pages of a publication, cached
# ---------------------------------------------------------------------------

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates"


@cache
def render_version() -> str:
    """What else a rendered page depends on: this code, the templates, the static files.

    A deployment that changes any of them starts new cache entries.
    """
    sources = [Path(__file__), *sorted(TEMPLATE_DIR.glob("*.html"))]
    sources += sorted((TEMPLATE_DIR / "portal").glob("*.html"))
    sources += sorted((TEMPLATE_DIR / "records").glob("*.html"))  # the item page's records
    sources += sorted((Path(__file__).parent / "templatetags").glob("*.py"))
    hashed = hashlib.blake2b(digest_size=12)
    for source in sources:
        hashed.update(source.read_bytes())
    hashed.update(static("portal/css/site.css").encode())
    hashed.update(static("portal/js/site.js").encode())
    return hashed.hexdigest()


def cached_page(
    request, name: str, parts: tuple, render_page, timeout: int = caching.PUBLICATION_SECONDS
) -> HttpResponse:
    """``render_page()``, kept in the cache under ``parts`` for ``timeout`` seconds.

    For a catalog or item page ``parts`` name what the page shows that may change: its
    publications, its catalog's title, its region's name and contact details, its records'
    stamp (``caching.publications_key``). The key also holds the host (pages carry absolute
    links) and ``render_version()``. The page is stored with its ETag.
    """
    entry = caching.key(
        name, caching.digest(request.scheme, request.get_host(), render_version(), *parts)
    )
    found = page_cache.get(entry)
    if found is not None:
        content, etag = found
        response = HttpResponse(content)
        response["ETag"] = etag
        return response
    response = render_page()
    if response.status_code == 200:
        response["ETag"] = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        page_cache.set(entry, (response.content, response["ETag"]), timeout)
    return response


def cached_by_state(request, name: str, render_page) -> HttpResponse:
    """A page built from every current publication (home, search), rendered once per query
    string until the next publication (``caching.publication_state``): it is the same for
    everyone, as a CDN would keep it for ``PUBLIC_CACHE_SECONDS``."""
    parts = (
        caching.publication_state(),
        request.path,
        sorted(request.GET.lists()),
        portal_search.COUNT_CAP,  # tests lower it
    )
    return cached_page(request, name, parts, render_page, caching.PUBLISHED_STATE_SECONDS)


def _ancestors(region: Region) -> list[Region]:
    """The region's ancestors, province first: from the loaded parent chain, else a query."""
    chain, node = [], region
    while node.parent_id is not None:
        if not Region.parent.is_cached(node):
            return region.ancestors()
        node = node.parent
        chain.append(node)
    return chain[::-1]


# A township's catalog: the township, its county, city and province in one query.
REGION_CHAIN = "region__parent__parent__parent"


def _last_modified(response: HttpResponse, moment) -> HttpResponse:
    if moment is not None:
        response.headers["Last-Modified"] = http_date(moment.timestamp())
    return response


def _clean_place_text(value: str) -> str:
    """What a person typed as a place name: full-width folded, spaces dropped, short."""
    return vocabulary.normalize_text(value)[:20]


def _place_name(region: Region, ancestors: list[Region]) -> str:
    """``Region.full_name`` (长春市农安县) from the ancestors already loaded: no query."""
    return region.full_name_from({ancestor.code: ancestor.name for ancestor in ancestors})


def _current_publication(pk: int) -> Publication:
    """The catalog's current publication, or 404 for a catalog never published."""
    return get_object_or_404(
        Publication.objects.current().select_related(
            f"catalog__{REGION_CHAIN}",
            "catalog__standard",
            "catalog__edition",
            "catalog__records_stamp",  # records change without a new publication
        ),
        catalog_id=pk,
    )


def _region_url_prefix() -> str:
    """ "/regions/": region links joined in templates without a reverse() per link."""
    url = reverse("site:region", args=["00"])
    return url[: url.index("00")]


# ---------------------------------------------------------------------------
# Home: choose a place
# ---------------------------------------------------------------------------


@dataclass
class PlaceChoice:
    """The city → county → township chooser's state, read from the query string."""

    cities: list[Region]
    counties: list[Region] = field(default_factory=list)
    townships: list[Region] = field(default_factory=list)
    city: Region | None = None
    county: Region | None = None
    township: Region | None = None

    @property
    def deepest(self) -> Region | None:
        return self.township or self.county or self.city


def _choose_place(params, top: list[Region]) -> PlaceChoice:
    choice = PlaceChoice(cities=[r for r in top if r.level == RegionLevel.CITY])
    choice.city = next((r for r in choice.cities if r.code == params.get("city")), None)
    if choice.city is None:
        return choice
    choice.counties = list(
        Region.objects.filter(parent=choice.city, level=RegionLevel.COUNTY).order_by("code")
    )
    choice.county = next((r for r in choice.counties if r.code == params.get("county")), None)
    if choice.county is None:
        return choice
    choice.townships = list(
        Region.objects.filter(parent=choice.county, level=RegionLevel.TOWNSHIP).order_by("code")
    )
    choice.township = next((r for r in choice.townships if r.code == params.get("township")), None)
    return choice


def _place_matches(text: str) -> tuple[list[tuple[Region, list[Region]]], bool]:
    """Cities, counties and townships whose name contains ``text``, each with its ancestors."""
    found = list(
        Region.objects.filter(level__in=PLACE_LEVELS, name__contains=text).order_by("path")[
            : PLACE_MATCH_LIMIT + 1
        ]
    )
    more = len(found) > PLACE_MATCH_LIMIT
    found = found[:PLACE_MATCH_LIMIT]
    codes = {code for region in found for code in region.ancestor_codes()[:-1]}
    by_code = {
        region.code: region
        for region in Region.objects.filter(code__in=codes).exclude(level=RegionLevel.PROVINCE)
    }
    return [
        (region, [by_code[c] for c in region.ancestor_codes()[:-1] if c in by_code])
        for region in found
    ], more


def published_totals() -> dict[str, int]:
    """Published catalogs, their items and the regions holding them (cached)."""

    def count():
        totals = Publication.objects.current().aggregate(
            catalogs=Count("pk"),
            items=Sum("item_count"),
            regions=Count("catalog__region", distinct=True),
        )
        return {key: value or 0 for key, value in totals.items()}

    return caching.cached_by_state("home-totals", (), count)


@public_page
def home(request):
    return cached_by_state(request, "home", lambda: _home(request))


def _home(request):
    # Provinces and cities in one query; a single province names the page's city list.
    top = list(
        Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by("code")
    )
    choice = _choose_place(request.GET, top)
    if request.GET.get("go") and choice.deepest is not None:
        return redirect("site:region", code=choice.deepest.code)
    place = _clean_place_text(request.GET.get("place", ""))
    matches, more_matches = _place_matches(place) if place else ([], False)
    provinces = [region for region in top if region.level == RegionLevel.PROVINCE]
    return render(
        request,
        "portal/home.html",
        {
            "choice": choice,
            "place": place,
            "place_matches": matches,
            "more_matches": more_matches,
            "totals": published_totals(),
            "province": provinces[0] if len(provinces) == 1 else None,
            "region_prefix": _region_url_prefix(),
        },
    )


# ---------------------------------------------------------------------------
# Region page: its catalogs and its sub-regions
# ---------------------------------------------------------------------------


@dataclass
class SubRegion:
    region: Region
    catalogs: int = 0
    items: int = 0


@public_page
def region_detail(request, code):
    region = get_object_or_404(Region.objects.exclude(level=RegionLevel.VILLAGE), code=code)
    ancestors = region.ancestors()
    own = list(
        Publication.objects.current()
        .filter(catalog__region=region)
        .select_related("catalog__standard", "catalog__edition")
        .order_by("catalog__standard__order", "catalog__standard__code")
    )
    children = [
        SubRegion(child)
        for child in Region.objects.filter(parent=region)
        .exclude(level=RegionLevel.VILLAGE)
        .order_by("code")
    ]
    # One query for the counts under every sub-region, whatever their number.
    below = (
        Publication.objects.current()
        .filter(catalog__region__path__startswith=region.path)
        .values_list("catalog__region__path", "item_count")
    )
    totals = SubRegion(region)
    for path, item_count in below:
        totals.catalogs += 1
        totals.items += item_count
        for child in children:
            if path.startswith(child.region.path):
                child.catalogs += 1
                child.items += item_count
                break
    return render(
        request,
        "portal/region.html",
        {
            "region": region,
            "ancestors": ancestors,
            "place_name": _place_name(region, ancestors),
            "publications": own,
            "children": children,
            "totals": totals,
            "holds_catalogs": region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP),
        },
    )


# ---------------------------------------------------------------------------
# Catalog page and downloads
# ---------------------------------------------------------------------------


@public_page
def catalog_detail(request, pk):
    publications = caching.catalog_publications(pk)
    publication = next((p for p in publications if p.is_current), None)
    if publication is None:
        raise Http404("目录不存在或尚未公开。")
    history = [{"number": p.number, "published_at": p.published_at} for p in publications]

    def render_page():
        # The items and, through them, the catalog, its region and the regions above it.
        items = list(
            publication.items.select_related(
                f"publication__catalog__{REGION_CHAIN}",
                "publication__catalog__standard",
                "publication__catalog__edition",
            ).order_by("seq", "pk")
        )
        # Publishing refuses an empty catalog; the fallback only guards old data.
        catalog = items[0].publication.catalog if items else _current_publication(pk).catalog
        ancestors = _ancestors(catalog.region)
        latest = latest_publication_dates(item.public_id for item in items)
        for item in items:
            item.latest_record_on = latest.get(item.public_id)
        return render(
            request,
            "portal/catalog.html",
            {
                "catalog": catalog,
                "region": catalog.region,
                "ancestors": ancestors,
                "place_name": _place_name(catalog.region, ancestors),
                "publication": publication,
                "first_published_at": history[0]["published_at"],
                "history": history,
                "items": items,
                "has_extras": any(item.extra_elements for item in items),
                "audiences": vocabulary.AUDIENCES,
                "methods": vocabulary.METHODS,
                "levels": vocabulary.LEVELS,
            },
        )

    parts = caching.publications_key(publications)
    response = cached_page(request, "catalog-page", parts, render_page)
    changed = caching.changed_at(publication.published_at, publication.records_changed_at)
    return _last_modified(response, changed)


CSV_HEADER = [
    "序号",
    "一级事项",
    "二级事项",
    "公开内容(要素)",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
    "本地增加要素",
    "事项网址",
]
# A cell starting with one of these would run as a formula when the file is opened in Excel.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _download_name(publication: Publication, extension: str) -> str:
    catalog = publication.catalog
    return f"{catalog.title}（第{publication.number}次公开）.{extension}"


def _item_url(request, item: PublishedItem) -> str:
    return request.build_absolute_uri(reverse("site:item", args=[item.public_id]))


def _catalog_csv(request, publication) -> bytes:
    items = publication.items.order_by("seq", "pk")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads the file as UTF-8.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in items:
        writer.writerow(
            _csv_cell(value)
            for value in [
                item.seq,
                item.level1,
                item.level2,
                item.content,
                item.basis,
                item.deadline,
                item.subject,
                "、".join(item.channel_labels),
                "、".join(item.audience),
                "、".join(item.method),
                "、".join(item.levels),
                "；".join(f"{name}：{value}" for name, value in item.extra_elements),
                _item_url(request, item),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _catalog_json(request, publication) -> bytes:
    """The same object as ``/api/v1/catalogs/ID/``, indented for people who open the file."""
    data = published_catalog(request, publication)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _catalog_xlsx(request, publication) -> bytes:
    published = timezone.localtime(publication.published_at).strftime("%Y年%m月%d日")
    return write_catalog_workbook(
        title=publication.catalog.title,
        items=publication.items.order_by("seq", "pk"),
        subtitle=f"第{publication.number}次公开 · {published}",
    )


# Writers of the public downloads by file suffix, each ``(request, publication) -> bytes``.
DOWNLOADS = {"xlsx": _catalog_xlsx, "csv": _catalog_csv, "json": _catalog_json}


@public_page
def catalog_download(request, pk, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    publication = _current_publication(pk)
    response = attachment_response(
        DOWNLOADS[fmt](request, publication), _download_name(publication, fmt)
    )
    # The JSON download carries the items' records, which change without a publication.
    return _last_modified(response, last_changed(publication.published_at, publication.catalog))


# ---------------------------------------------------------------------------
# Item page
# ---------------------------------------------------------------------------


@public_page
def item_detail(request, public_id):
    # What the cache key needs, in one narrow query: a page hit runs no other.
    found = caching.item_key(public_id)
    if found is None:
        raise Http404("事项不存在或尚未公开。")
    pk, publication_id, published_at, records_changed_at, *_ = found

    def render_page():
        # Every item of the publication (上一项/下一项), each with its catalog, region, the
        # regions above and its standard item: one query, however long the catalog.
        siblings = list(
            PublishedItem.objects.filter(publication_id=publication_id)
            .select_related(
                f"publication__catalog__{REGION_CHAIN}",
                "publication__catalog__standard",
                "publication__catalog__edition",
                "standard_item__edition__standard",
            )
            .order_by("seq", "pk")
        )
        position = next(i for i, row in enumerate(siblings) if row.pk == pk)
        item = siblings[position]
        publication = item.publication
        catalog = publication.catalog
        ancestors = _ancestors(catalog.region)
        # Published records, newest first; a photo only if staff made it public (this page
        # is the same for everyone and cached).
        records = records_by_item([item.public_id])[item.public_id]
        return render(
            request,
            "portal/item.html",
            {
                "item": item,
                "publication": publication,
                "catalog": catalog,
                "region": catalog.region,
                "ancestors": ancestors,
                "place_name": _place_name(catalog.region, ancestors),
                "standard_item": item.standard_item,
                "previous": siblings[position - 1] if position > 0 else None,
                "next": siblings[position + 1] if position + 1 < len(siblings) else None,
                "position": position + 1,
                "sibling_count": len(siblings),
                "permalink": request.build_absolute_uri(
                    reverse("site:item", args=[item.public_id])
                ),
                "records": records,
                "visible_photos": public_photo_ids(records),
            },
        )

    response = cached_page(request, "item-page", found, render_page)
    return _last_modified(response, caching.changed_at(published_at, records_changed_at))


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


def _results_html(page, query: str) -> str:
    """The results list items, joined here (a template costs ~0.3 ms per result)."""
    url = reverse("site:item", args=[uuid.UUID(int=0)])
    before, after = url.split(str(uuid.UUID(int=0)))
    rows = []
    for item in page:
        elements = "；".join(item.elements)
        snippet = (
            format_html(
                '<p class="snippet">公开内容：{}</p>',
                highlight(Truncator(elements).chars(120), query),
            )
            if elements
            else ""
        )
        rows.append(
            format_html(
                '<li class="result">\n<h3><a href="{}">{}</a></h3>\n'
                '<p class="muted">{} · 第{}项</p>\n{}'
                '<p class="snippet">公开主体：{} · 公开时限：{}</p>\n</li>',
                f"{before}{item.public_id}{after}",
                highlight(item.name, query),
                item.publication.catalog.title,
                item.seq,
                snippet,
                highlight(item.subject, query),
                item.deadline,
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every part went through format_html


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
    return cached_by_state(request, "search", lambda: _search(request))


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
    valid = form.is_valid()  # False for an unbound form
    if valid:
        paginator = search_paginator(form.cleaned_data, SEARCH_PAGE_SIZE)
        page = paginator.get_page(form.cleaned_data.get("page") or 1)
        page_numbers = [
            None if number == Paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ]
    cleaned = form.cleaned_data if valid else {}
    query = cleaned.get("q", "")
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "page": page,
            "results": _results_html(page, query) if page is not None else "",
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


# ---------------------------------------------------------------------------
# Static pages, sitemap, robots.txt
# ---------------------------------------------------------------------------


@public_page
def accessibility(request):
    return render(request, "portal/accessibility.html")


@public_page
def about(request):
    return render(request, "portal/about.html")


def _xml(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/xml; charset=utf-8")


@public_page
def sitemap(request):
    """The sitemap index: one entry per file of at most ``SITEMAP_MAX_URLS`` URLs."""
    base_url = f"{request.scheme}://{request.get_host()}"
    return _xml(sitemap_index_xml(base_url, len(sitemap_plan())))


@public_page
def sitemap_file(request, number):
    plan = sitemap_plan()
    if not 1 <= number <= len(plan):
        raise Http404
    base_url = f"{request.scheme}://{request.get_host()}"
    return _xml(sitemap_file_xml(base_url, plan[number - 1]))


@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /review/",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('site:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
