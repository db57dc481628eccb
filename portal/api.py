"""The read-only open-data JSON API under /api/v1/ (documented in README.md, "Open-data API").

Plain Django views. Each endpoint function returns ``(payload, last_modified)`` or raises
``ApiError``; the ``endpoint`` decorator turns that into the HTTP response: UTF-8 JSON,
an ETag over the exact body, Last-Modified from the latest relevant publication, 304 on
a matching conditional request, public caching and ``Access-Control-Allow-Origin: *``.
Every error, including an unknown path and a refused method, is JSON too:
``{"error": {"status": 404, "code": "not_found", "message": "…"}}``. The objects
themselves are built by ``portal.serializers``, which the JSON download shares.

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
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from catalogs.models import Region
from catalogs.selectors import full_names
from items.models import Publication
from portal import caching, sections
from portal import search as portal_search
from portal.routers import public_reads
from portal.search import SearchForm, search_paginator
from portal.serializers import (
    catalog_link,
    catalog_summary,
    complaint_channels,
    iso,
    item_data,
    published_catalog,
    region_contact,
    region_link,
)

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
        error = {"status": self.status, "code": self.code, "message": self.message}
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


def endpoint(view=None, *, by_state: bool = False):
    """Wrap ``view(request, **kwargs) -> (payload, last_modified)`` as a JSON API view.

    ``by_state``: the payload depends on every current publication (region totals, search),
    so it is kept per query string until the next publication (``portal.caching``).
    """
    if view is None:
        return functools.partial(endpoint, by_state=by_state)

    def answer(request, *args, **kwargs) -> tuple[bytes, str, datetime | None]:
        """The body, its ETag (a strong validator over the exact bytes) and Last-Modified."""

        def build():
            payload, last_modified = view(request, *args, **kwargs)
            body = _dumps(payload)
            return body, f'"{hashlib.sha256(body).hexdigest()[:40]}"', last_modified

        if not by_state:
            return build()
        parts = (
            request.scheme,
            request.get_host(),
            request.path,
            sorted(request.GET.lists()),
            portal_search.COUNT_CAP,  # tests lower it
        )
        return caching.cached_by_state("api", parts, build)

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
            # Reads may go to the read replica (portal.routers).
            with public_reads(), caching.request_memo():
                body, etag, last_modified = answer(request, *args, **kwargs)
        except ApiError as error:
            return _finish_head(request, error_response(error))
        response = _json_response(body)
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


def paginate(request, queryset, serialize, *, paginator_for=None) -> dict:
    """The page asked for with ?page=&page_size=, as the API's list envelope.

    ``paginator_for(page_size)`` may stand in for ``Paginator(queryset, page_size)``.
    """
    number = _positive_int(request, "page", default=1)
    size = _positive_int(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    paginator = paginator_for(size) if paginator_for else Paginator(queryset, size)
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


def _latest_publication(region: Region | None = None, *, descendants: bool = True):
    """The latest current publication's time at (or below) ``region``; cached by state."""

    def latest() -> datetime | None:
        publications = Publication.objects.current()
        if region is not None and descendants:
            publications = publications.filter(catalog__region__path__startswith=region.path)
        elif region is not None:
            publications = publications.filter(catalog__region=region)
        return publications.aggregate(at=Max("published_at"))["at"]

    return caching.cached_by_state(
        "latest-publication", (region.path if region else None, descendants), latest
    )


# ---------------------------------------------------------------------------
# Regions with their published totals
# ---------------------------------------------------------------------------


class PublishedTotals:
    """Published catalogs and items at or below a scope region and each of its children.

    Aggregated once per publication state (``portal.caching``) from one query over the
    scope's current publications, grouped by region; every response then reads the totals
    of the regions it lists from a small dict. Without a scope: the top-level regions.
    """

    def __init__(self, scope: Region | None = None):
        parts = (scope.path if scope else None,)
        self.by_path, self.last_modified = caching.cached_by_state(
            "region-totals", parts, lambda: self._aggregate(scope)
        )

    @staticmethod
    def _aggregate(scope: Region | None) -> tuple[dict[str, tuple[int, int]], datetime | None]:
        publications = Publication.objects.current()
        if scope is not None:
            publications = publications.filter(catalog__region__path__startswith=scope.path)
        rows = list(
            publications.order_by()
            .values_list("catalog__region__path")
            .annotate(Count("pk"), Sum("item_count"), Max("published_at"))
        )
        start = len(scope.path) if scope is not None else 0
        by_path: dict[str, tuple[int, int]] = {}
        for path, catalogs, items, _ in rows:
            below = path[start:]
            keys = [scope.path] if scope is not None else []
            if below:  # the child of the scope the row lies under
                keys.append(path[: start + below.index("/") + 1])
            for key in keys:
                total_catalogs, total_items = by_path.get(key, (0, 0))
                by_path[key] = (total_catalogs + catalogs, total_items + items)
        return by_path, max((row[3] for row in rows), default=None)

    def below(self, region: Region) -> dict[str, int]:
        catalogs, items = self.by_path.get(region.path, (0, 0))
        return {"published_catalog_count": catalogs, "published_item_count": items}


def region_summary(request, region: Region, totals: PublishedTotals) -> dict:
    data = region_link(request, region)
    data.update(
        html_url=request.build_absolute_uri(reverse("site:region", args=[region.code])),
        children_url=request.build_absolute_uri(f"{reverse('api:regions')}?parent={region.code}"),
        catalogs_url=request.build_absolute_uri(reverse("api:region_catalogs", args=[region.code])),
        **totals.below(region),
    )
    return data


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------


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


@endpoint(by_state=True)
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
    payload = {
        **region_summary(request, region, totals),
        "full_name": region.full_name_from({a.code: a.name for a in ancestors}),
        "is_division": region.is_division,
        "contact": region_contact(region),
        "complaint_channels": complaint_channels(region),
        "ancestors": [region_link(request, ancestor) for ancestor in ancestors],
        "children": [region_summary(request, child, totals) for child in children],
    }
    return payload, totals.last_modified


@endpoint
def region_catalogs(request, code: str):
    """The region's published catalogs; with ?descendants=1 also every region's below it."""
    region = _region_or_404(code)
    descendants = _flag(request, "descendants")
    publications = Publication.objects.current()
    if descendants:
        publications = publications.filter(catalog__region__path__startswith=region.path)
    else:
        publications = publications.filter(catalog__region=region)
    publications = publications.select_related(
        "catalog__region", "catalog__standard", "catalog__edition"
    ).order_by("catalog__region__code", "catalog__standard__order", "catalog__standard__code")

    def serialize(page):
        names = full_names(publication.catalog.region for publication in page)
        return [
            catalog_summary(request, publication, names[publication.catalog.region_id])
            for publication in page
        ]

    payload = {
        "region": region_link(request, region),
        "descendants": descendants,
        **paginate(request, publications, serialize),
    }
    return payload, _latest_publication(region, descendants=descendants)


@endpoint
def catalog_detail(request, pk: int):
    """One published catalog with every element of every item of its current publication."""
    publications = caching.catalog_publications(pk)
    publication = next((p for p in publications if p.is_current), None)
    if publication is None:
        raise ApiError(404, "not_found", CATALOG_NOT_FOUND)
    # A publication never changes: its body is built once (per host, for the links) until
    # the catalog's region or its items' disclosure records change (caching.publications_key).
    payload = caching.cached(
        "api-catalog",
        (
            request.scheme,
            request.get_host(),
            *caching.publications_key(publications),
            sections.stamp(),  # complaint channels (matters) change without a publication
        ),
        lambda: published_catalog(request, publication),
        caching.PUBLICATION_SECONDS,
    )
    return payload, caching.changed_at(publication.published_at, publication.records_changed_at)


@endpoint(by_state=True)
def search(request):
    """/search/'s query over published items, as JSON."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise bad_parameter(name, errors[0])
    data = form.cleaned_data
    paginator = None

    def paginator_for(page_size):
        nonlocal paginator
        paginator = search_paginator(data, page_size)
        return paginator

    def serialize(page):
        names = full_names(item.publication.catalog.region for item in page)
        return [
            {
                **item_data(request, item),
                "catalog": catalog_link(
                    request, item.publication.catalog, names[item.publication.catalog.region_id]
                ),
                "published_at": iso(item.publication.published_at),
            }
            for item in page
        ]

    page = paginate(request, None, serialize, paginator_for=paginator_for)
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
        **page,
        # Counting stops past portal.search.COUNT_CAP: then "count" is the cap.
        "count_capped": paginator.capped,
    }
    if catalog := data.get("catalog"):
        return payload, catalog.last_published_at
    return payload, _latest_publication(data.get("region"))


@endpoint
def _unknown_path(request):
    raise ApiError(404, "not_found", "没有这个接口，请查看 /api/v1/ 列出的接口。")


def _is_endpoint(path: str, urlconf) -> bool:
    try:
        return resolve(path, urlconf).url_name != "not_found"
    except Resolver404:
        return False


def not_found(request, *args, **kwargs):
    """Every other path under /api/v1/: a JSON 404 (or 405 for a write), never HTML.

    Being a catch-all, this route keeps Django's APPEND_SLASH from seeing a 404, so it
    does what APPEND_SLASH would: "/api/v1/regions" redirects to "/api/v1/regions/".
    """
    if (
        settings.APPEND_SLASH
        and request.method in SAFE_METHODS
        and not request.path_info.endswith("/")
        and _is_endpoint(f"{request.path_info}/", getattr(request, "urlconf", None))
    ):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _unknown_path(request)
