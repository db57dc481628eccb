"""The citizen-facing site: places, published catalogs and items, search, downloads.

Citizens only ever read what has been published: current ``Publication`` rows and their
``PublishedItem`` rows (``PublishedItem.objects.visible_to_public()``). A draft edit never
reaches these pages, the downloads or the sitemap until the catalog is published again.

Every page runs a fixed number of queries whatever the number of items (pinned in
tests/portal/test_views.py) and sends headers a CDN may cache by.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import conditional_page, require_safe

from catalogs import vocabulary
from catalogs.excel import write_catalog_workbook
from catalogs.models import Region, RegionLevel
from items.models import Publication, PublishedItem
from portal.search import SearchForm, search_published_items
from portal.sitemaps import sitemap_xml

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
    """GET/HEAD only; cacheable by browsers and a CDN; ETag and conditional GET; CSP."""

    @require_safe
    @conditional_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return wrapped


def _last_modified(response: HttpResponse, moment) -> HttpResponse:
    if moment is not None:
        response.headers["Last-Modified"] = http_date(moment.timestamp())
    return response


def _clean_place_text(value: str) -> str:
    """What a person typed as a place name: full-width folded, spaces dropped, short."""
    return vocabulary.normalize_text(value)[:20]


def _place_name(region: Region, ancestors: list[Region]) -> str:
    """Like ``Region.full_name`` (长春市农安县) from ancestors already loaded: no query."""
    if region.level == RegionLevel.PROVINCE:
        return region.name
    return "".join(r.name for r in ancestors if r.level != RegionLevel.PROVINCE) + region.name


def _current_publication(pk: int) -> Publication:
    """The catalog's current publication, or 404 for a catalog never published."""
    return get_object_or_404(
        Publication.objects.current().select_related(
            "catalog__region", "catalog__standard", "catalog__edition"
        ),
        catalog_id=pk,
    )


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


def _choose_place(params) -> PlaceChoice:
    choice = PlaceChoice(cities=list(Region.objects.filter(level=RegionLevel.CITY)))
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


@public_page
def home(request):
    choice = _choose_place(request.GET)
    if request.GET.get("go") and choice.deepest is not None:
        return redirect("site:region", code=choice.deepest.code)
    place = _clean_place_text(request.GET.get("place", ""))
    matches, more_matches = _place_matches(place) if place else ([], False)
    totals = Publication.objects.current().aggregate(
        catalogs=Count("pk"),
        items=Sum("item_count"),
        regions=Count("catalog__region", distinct=True),
    )
    return render(
        request,
        "portal/home.html",
        {
            "choice": choice,
            "place": place,
            "place_matches": matches,
            "more_matches": more_matches,
            "totals": {key: value or 0 for key, value in totals.items()},
            "province": Region.objects.filter(level=RegionLevel.PROVINCE).first(),
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
    publication = _current_publication(pk)
    catalog = publication.catalog
    items = list(publication.items.order_by("seq", "pk"))
    history = list(catalog.publications.order_by("number").values("number", "published_at"))
    ancestors = catalog.region.ancestors()
    response = render(
        request,
        "portal/catalog.html",
        {
            "catalog": catalog,
            "region": catalog.region,
            "ancestors": ancestors,
            "place_name": _place_name(catalog.region, ancestors),
            "publication": publication,
            "first_published_at": history[0]["published_at"] if history else None,
            "history": history,
            "items": items,
            "has_extras": any(item.extra_elements for item in items),
            "audiences": vocabulary.AUDIENCES,
            "methods": vocabulary.METHODS,
            "levels": vocabulary.LEVELS,
        },
    )
    return _last_modified(response, publication.published_at)


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


def _catalog_csv(request, publication, items) -> bytes:
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


def _catalog_json(request, publication, items) -> bytes:
    catalog = publication.catalog
    ancestors = catalog.region.ancestors()
    data = {
        "catalog": {
            "id": catalog.pk,
            "title": catalog.title,
            "url": request.build_absolute_uri(reverse("site:catalog", args=[catalog.pk])),
            "region": {
                "code": catalog.region.code,
                "name": catalog.region.name,
                "full_name": _place_name(catalog.region, ancestors),
            },
            "standard": catalog.standard.title,
            "edition": catalog.edition.version,
            "publication": {
                "number": publication.number,
                "published_at": publication.published_at.isoformat(),
                "item_count": publication.item_count,
            },
        },
        "items": [
            {
                "public_id": str(item.public_id),
                "url": _item_url(request, item),
                "seq": item.seq,
                "level1": item.level1,
                "level2": item.level2,
                "name": item.name,
                "content": item.content,
                "content_elements": item.elements,
                "basis": item.basis,
                "deadline": item.deadline,
                "subject": item.subject,
                "channels": item.channels,
                "channel_other": item.channel_other,
                "audience": item.audience,
                "method": item.method,
                "levels": item.levels,
                "extra_elements": [
                    {"name": name, "value": value} for name, value in item.extra_elements
                ],
            }
            for item in items
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _catalog_xlsx(request, publication, items) -> bytes:
    published = timezone.localtime(publication.published_at).strftime("%Y年%m月%d日")
    return write_catalog_workbook(
        title=publication.catalog.title,
        items=items,
        subtitle=f"第{publication.number}次公开 · {published}",
    )


DOWNLOADS = {
    "xlsx": (
        _catalog_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (_catalog_csv, "text/csv; charset=utf-8"),
    "json": (_catalog_json, "application/json; charset=utf-8"),
}


@public_page
def catalog_download(request, pk, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    writer, content_type = DOWNLOADS[fmt]
    publication = _current_publication(pk)
    items = list(publication.items.order_by("seq", "pk"))
    response = HttpResponse(writer(request, publication, items), content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_download_name(publication, fmt)
    )
    return _last_modified(response, publication.published_at)


# ---------------------------------------------------------------------------
# Item page
# ---------------------------------------------------------------------------


@public_page
def item_detail(request, public_id):
    item = get_object_or_404(
        PublishedItem.objects.visible_to_public().select_related(
            "publication__catalog__region",
            "publication__catalog__standard",
            "publication__catalog__edition",
            "standard_item__edition__standard",
        ),
        public_id=public_id,
    )
    publication = item.publication
    catalog = publication.catalog
    # Neighbours for 上一项/下一项: one narrow query, however long the catalog.
    siblings = list(
        publication.items.order_by("seq", "pk").values("public_id", "seq", "level1", "level2")
    )
    position = next(i for i, row in enumerate(siblings) if row["public_id"] == item.public_id)
    ancestors = catalog.region.ancestors()
    response = render(
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
            "permalink": request.build_absolute_uri(reverse("site:item", args=[item.public_id])),
        },
    )
    return _last_modified(response, publication.published_at)


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


def _region_groups() -> list[tuple[Region, list[Region]]]:
    """Cities with their counties, for the region filter (townships via their region page)."""
    groups: dict[int, tuple[Region, list[Region]]] = {}
    for region in Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY]).order_by(
        "path"
    ):
        if region.level == RegionLevel.CITY:
            groups[region.pk] = (region, [])
        elif region.parent_id in groups:
            groups[region.parent_id][1].append(region)
    return list(groups.values())


@public_page
def search(request):
    form = SearchForm(request.GET or None)
    page = page_numbers = None
    valid = form.is_valid()  # False for an unbound form
    if valid:
        paginator = Paginator(search_published_items(form.cleaned_data), SEARCH_PAGE_SIZE)
        page = paginator.get_page(form.cleaned_data.get("page") or 1)
        page_numbers = [
            None if number == Paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ]
    cleaned = form.cleaned_data if valid else {}
    region_groups = _region_groups()
    listed = {r.code for city, counties in region_groups for r in [city, *counties]}
    chosen_region = cleaned.get("region")
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "page": page,
            "page_numbers": page_numbers,
            "searched": form.is_bound,
            "query": cleaned.get("q", ""),
            "region_groups": region_groups,
            "region_code": chosen_region.code if chosen_region else "",
            "extra_region": chosen_region
            if chosen_region and chosen_region.code not in listed
            else None,
            "chosen_catalog": cleaned.get("catalog"),
            "choice_fields": [form[name] for name in ("level1", "audience", "method", "level")],
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


@public_page
def sitemap(request):
    base_url = f"{request.scheme}://{request.get_host()}"
    return HttpResponse(sitemap_xml(base_url), content_type="application/xml; charset=utf-8")


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
