"""The read-only open-data JSON API under /api/v1/ (documented in docs/api.md).

Plain Django views. Each endpoint function returns ``(payload, last_modified)`` or raises
``ApiError``; the ``endpoint`` decorator turns that into the HTTP response: UTF-8 JSON,
an ETag over the exact body, Last-Modified from the latest relevant publication, 304 on
a matching conditional request, public caching and ``Access-Control-Allow-Origin: *``.

Citizens' data only: catalogs are read through their *current* ``Publication`` and items
are ``PublishedItem`` rows of it, never the staff's draft ``Item`` rows. Every endpoint
runs a fixed number of queries whatever the number of items (tests pin them).
"""

import functools
import hashlib
import json
from datetime import datetime
from http import HTTPStatus

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from catalogs.models import Region, RegionLevel
from items.models import Publication, PublishedItem
from portal.search import SearchForm, search_published_items, with_standard_item_key

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SAFE_METHODS = ("GET", "HEAD")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

# The Chinese names of query parameters, for error messages.
PARAMETER_LABELS = {
    "q": "关键词",
    "region": "地区",
    "catalog": "目录",
    "level1": "一级事项",
    "audience": "公开对象",
    "method": "公开方式",
    "level": "公开层级",
    "page": "页码",
    "page_size": "每页条数",
    "parent": "上级地区",
    "descendants": "是否包含下级",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter

    def payload(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.parameter:
            error["parameter"] = self.parameter
        return {"error": error}


def bad_parameter(parameter: str, message: str) -> ApiError:
    label = PARAMETER_LABELS.get(parameter, parameter)
    return ApiError(
        400, "invalid_parameter", f"参数 {parameter}（{label}）有误：{message}", parameter
    )


CATALOG_NOT_FOUND = "目录不存在或尚未公开"


# ---------------------------------------------------------------------------
# Response machinery
# ---------------------------------------------------------------------------


def _dumps(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def error_response(error: ApiError) -> HttpResponse:
    response = _json_response(_dumps(error.payload()), status=error.status)
    response["Cache-Control"] = "no-store"
    if error.status == HTTPStatus.METHOD_NOT_ALLOWED:
        response["Allow"] = ALLOWED_METHODS
    return response


def _finish_head(request, response: HttpResponse) -> HttpResponse:
    """HEAD gets the GET headers (Content-Length included) and no body."""
    if request.method == "HEAD":
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def endpoint(view):
    """Wrap ``view(request, **kwargs) -> (payload, last_modified)`` as a JSON API view."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":  # CORS preflight (e.g. a page sending If-None-Match)
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = ALLOWED_METHODS
            return response
        if request.method not in SAFE_METHODS:
            return error_response(
                ApiError(
                    405, "method_not_allowed", f"开放数据接口只读，不支持 {request.method} 请求。"
                )
            )
        try:
            payload, last_modified = view(request, *args, **kwargs)
        except ApiError as error:
            return _finish_head(request, error_response(error))
        body = _dumps(payload)
        response = _json_response(body)
        # A strong validator over the exact bytes: any change of content changes it.
        etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        response["ETag"] = etag
        timestamp = None
        if last_modified is not None:
            timestamp = int(last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
        conditional = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
        if conditional is not response:  # 304 Not Modified
            conditional["Access-Control-Allow-Origin"] = "*"
            conditional["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
            return conditional
        return _finish_head(request, response)

    return wrapper


# ---------------------------------------------------------------------------
# Query-string parsing and pagination
# ---------------------------------------------------------------------------


def _positive_int(request, name: str, *, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise bad_parameter(name, "必须是正整数。")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise bad_parameter(name, f"不能超过{maximum}。")
    return value


def _flag(request, name: str) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise bad_parameter(name, "只能是 1 或 0。")


def _page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(request, queryset, serialize) -> dict:
    """The page asked for with ?page=&page_size=, as the API's list envelope."""
    number = _positive_int(request, "page", default=1)
    size = _positive_int(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    paginator = Paginator(queryset, size)
    if number > paginator.num_pages:
        raise ApiError(
            404,
            "page_not_found",
            f"第{number}页不存在，共{paginator.num_pages}页。",
            "page",
        )
    page = paginator.page(number)
    objects = list(page.object_list)
    return {
        "count": paginator.count,
        "page": number,
        "page_size": size,
        "num_pages": paginator.num_pages,
        "next": _page_url(request, number + 1) if page.has_next() else None,
        "previous": _page_url(request, number - 1) if page.has_previous() else None,
        "results": serialize(objects),
    }


def _latest_publication(**filters) -> datetime | None:
    return Publication.objects.current().filter(**filters).aggregate(at=Max("published_at"))["at"]


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# ---------------------------------------------------------------------------
# Serialisers
# ---------------------------------------------------------------------------


def _full_names(regions) -> dict[int, str]:
    """``Region.full_name`` for many regions in one query."""
    regions = list(regions)
    codes = {code for region in regions for code in region.ancestor_codes()}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    full = {}
    for region in regions:
        codes = region.ancestor_codes()
        if region.level != RegionLevel.PROVINCE:
            codes = codes[1:]  # the province is left out, as in Region.full_name
        full[region.pk] = "".join(names.get(code, "") for code in codes)
    return full


class PublishedTotals:
    """Published catalogs and items at or below each region of a scope, in one query.

    One row per region that holds current publications (at most the number of published
    catalogs), added up in Python for whichever regions a response lists: a correlated
    ``path LIKE`` subquery per listed region cost far more on PostgreSQL.
    """

    def __init__(self, scope: Region | None = None):
        publications = Publication.objects.current()
        if scope is not None:
            publications = publications.filter(catalog__region__path__startswith=scope.path)
        self.rows = list(
            publications.order_by()
            .values_list("catalog__region__path")
            .annotate(Count("pk"), Sum("item_count"), Max("published_at"))
        )
        self.last_modified = max((row[3] for row in self.rows), default=None)

    def below(self, region: Region) -> dict[str, int]:
        rows = [row for row in self.rows if row[0].startswith(region.path)]
        return {
            "published_catalog_count": sum(row[1] for row in rows),
            "published_item_count": sum(row[2] for row in rows),
        }


def region_link(request, region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": region.get_level_display(),
        "url": request.build_absolute_uri(reverse("api:region", args=[region.code])),
    }


def region_summary(request, region: Region, totals: PublishedTotals) -> dict:
    data = region_link(request, region)
    data.update(
        html_url=request.build_absolute_uri(reverse("site:region", args=[region.code])),
        children_url=request.build_absolute_uri(f"{reverse('api:regions')}?parent={region.code}"),
        catalogs_url=request.build_absolute_uri(reverse("api:region_catalogs", args=[region.code])),
        **totals.below(region),
    )
    return data


def catalog_summary(request, publication: Publication, full_names: dict[int, str]) -> dict:
    catalog = publication.catalog
    region = catalog.region
    return {
        "id": catalog.pk,
        "title": catalog.title,
        "url": request.build_absolute_uri(reverse("api:catalog", args=[catalog.pk])),
        "html_url": request.build_absolute_uri(reverse("site:catalog", args=[catalog.pk])),
        "downloads": {
            fmt: request.build_absolute_uri(
                reverse("site:catalog_download", kwargs={"pk": catalog.pk, "fmt": fmt})
            )
            for fmt in ("xlsx", "csv", "json")
        },
        "region": {**region_link(request, region), "full_name": full_names.get(region.pk, "")},
        "standard": {
            "code": catalog.standard.code,
            "title": catalog.standard.title,
            "field": catalog.standard.field,
        },
        "edition": {"version": catalog.edition.version, "title": catalog.edition.title},
        "publication": {
            "number": publication.number,
            "published_at": _iso(publication.published_at),
            "note": publication.note,
            "item_count": publication.item_count,
        },
    }


def item_data(request, item: PublishedItem) -> dict:
    """Every element of a published item, lists kept as lists.

    ``item`` comes annotated by ``with_standard_item_key``.
    """
    return {
        "public_id": str(item.public_id),
        "html_url": request.build_absolute_uri(reverse("site:item", args=[item.public_id])),
        "seq": item.seq,
        "name": item.name,
        "level1": item.level1,
        "level2": item.level2,
        "content": item.content,
        "content_elements": item.elements,
        "basis": item.basis,
        "deadline": item.deadline,
        "subject": item.subject,
        "channels": item.channels,
        "channel_other": item.channel_other,
        "channel_labels": item.channel_labels,
        "audience": item.audience,
        "method": item.method,
        "levels": item.levels,
        "extra_elements": [{"name": name, "value": value} for name, value in item.extra_elements],
        "is_local": item.standard_item_id is None,
        "standard_item": (
            {"key": item.standard_key, "seq": item.standard_seq}
            if item.standard_item_id is not None
            else None
        ),
    }


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------


def _contact(region: Region) -> dict:
    """Who answers for the region's disclosure work (shown on its public pages too)."""
    return {
        "office_name": region.office_name,
        "contact_name": region.contact_name,
        "contact_phone": region.contact_phone,
        "contact_email": region.contact_email,
        "address": region.address,
    }


def _region_or_404(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApiError(404, "not_found", f"没有代码为“{code}”的地区。")
    return region


@endpoint
def index(request):
    return {
        "name": "基层政务公开标准目录开放数据接口",
        "version": "v1",
        "regions": request.build_absolute_uri(reverse("api:regions")),
        "search": request.build_absolute_uri(reverse("api:search")),
    }, None


@endpoint
def region_list(request):
    """Top-level regions (the provinces present), or the children of ?parent=CODE."""
    parent_code = request.GET.get("parent", "").strip()
    parent = None
    if parent_code:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise bad_parameter("parent", f"没有代码为“{parent_code}”的地区。")
    regions = Region.objects.filter(parent=parent) if parent else Region.objects.filter(parent=None)
    totals = PublishedTotals(parent)
    payload = {
        "parent": region_link(request, parent) if parent else None,
        **paginate(
            request,
            regions.order_by("code"),
            lambda page: [region_summary(request, region, totals) for region in page],
        ),
    }
    return payload, totals.last_modified


@endpoint
def region_detail(request, code: str):
    region = _region_or_404(code)
    ancestors = region.ancestors()
    children = Region.objects.filter(parent=region).order_by("code")
    totals = PublishedTotals(region)
    # As Region.full_name: the province is named only for the province itself.
    chain = [a for a in ancestors if a.level != RegionLevel.PROVINCE] + [region]
    payload = {
        **region_summary(request, region, totals),
        "full_name": "".join(part.name for part in chain),
        "is_division": region.is_division,
        "contact": _contact(region),
        "ancestors": [region_link(request, ancestor) for ancestor in ancestors],
        "children": [region_summary(request, child, totals) for child in children],
    }
    return payload, totals.last_modified


@endpoint
def region_catalogs(request, code: str):
    """The region's published catalogs; with ?descendants=1 also every region's below it."""
    region = _region_or_404(code)
    descendants = _flag(request, "descendants")
    scope = (
        {"catalog__region__path__startswith": region.path}
        if descendants
        else {"catalog__region": region}
    )
    publications = (
        Publication.objects.current()
        .filter(**scope)
        .select_related("catalog__region", "catalog__standard", "catalog__edition")
        .order_by("catalog__region__code", "catalog__standard__order", "catalog__standard__code")
    )

    def serialize(page):
        full_names = _full_names(publication.catalog.region for publication in page)
        return [catalog_summary(request, publication, full_names) for publication in page]

    payload = {
        "region": region_link(request, region),
        "descendants": descendants,
        **paginate(request, publications, serialize),
    }
    return payload, _latest_publication(**scope)


@endpoint
def catalog_detail(request, pk: int):
    """One published catalog with every element of every item of its current publication."""
    publication = (
        Publication.objects.current()
        .select_related("catalog__region", "catalog__standard", "catalog__edition")
        .filter(catalog_id=pk)
        .first()
    )
    if publication is None:
        raise ApiError(404, "not_found", CATALOG_NOT_FOUND)
    region = publication.catalog.region
    items = with_standard_item_key(publication.items.order_by("seq", "pk"))
    payload = {
        **catalog_summary(request, publication, _full_names([region])),
        "contact": _contact(region),
        "items": [item_data(request, item) for item in items],
    }
    return payload, publication.published_at


@endpoint
def search(request):
    """/search/'s query over published items, as JSON."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise bad_parameter(name, errors[0])
    data = form.cleaned_data
    items = search_published_items(data)

    def serialize(page):
        full_names = _full_names(item.publication.catalog.region for item in page)
        results = []
        for item in page:
            catalog = item.publication.catalog
            results.append(
                {
                    **item_data(request, item),
                    "catalog": {
                        "id": catalog.pk,
                        "title": catalog.title,
                        "url": request.build_absolute_uri(
                            reverse("api:catalog", args=[catalog.pk])
                        ),
                        "html_url": request.build_absolute_uri(
                            reverse("site:catalog", args=[catalog.pk])
                        ),
                        "region": {
                            **region_link(request, catalog.region),
                            "full_name": full_names.get(catalog.region_id, ""),
                        },
                        "standard": {
                            "code": catalog.standard.code,
                            "title": catalog.standard.title,
                        },
                    },
                    "published_at": _iso(item.publication.published_at),
                }
            )
        return results

    scope = {}
    if data.get("region"):
        scope["catalog__region__path__startswith"] = data["region"].path
    if data.get("catalog"):
        scope["catalog"] = data["catalog"]
    payload = {
        "query": {
            "q": data.get("q") or "",
            "region": data["region"].code if data.get("region") else None,
            "catalog": data["catalog"].pk if data.get("catalog") else None,
            "level1": data.get("level1") or None,
            "audience": data.get("audience") or None,
            "method": data.get("method") or None,
            "level": data.get("level") or None,
        },
        **paginate(request, items, serialize),
    }
    return payload, _latest_publication(**scope)


@endpoint
def not_found(request, *args, **kwargs):
    raise ApiError(404, "not_found", "没有这个接口，请查看 /api/v1/ 列出的接口。")
