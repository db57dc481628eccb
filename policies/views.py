"""Public pages of the policies app: a region's documents, and one document with its 解读.

Public like the portal's pages (GET only, cacheable by a CDN, ETag, the site's CSP) and
cached server-side until a policies write moves ``catalogs.states`` on: the key holds the
policies state, so an edit shows at once.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import quote_etag

from catalogs import states
from catalogs.models import Region
from catalogs.web import public_page
from items.search import publication_state
from policies.public import HOLDER_LEVELS, STATE
from policies.selectors import (
    public_document,
    published_items_of,
    region_documents,
    replacing_documents,
)

PAGE_SIZE = 30
MAX_PAGE = 1000
CACHE_SECONDS = 3600


def _cached(request, name: str, parts: tuple, render_page) -> HttpResponse:
    """``render_page()`` kept until the policies state moves on (or an hour passes)."""
    key_parts = (name, request.scheme, request.get_host(), states.state(STATE), *parts)
    digest = hashlib.blake2b(repr(key_parts).encode("utf-8"), digest_size=12).hexdigest()
    entry = f"policies:page:{digest}"
    found = cache.get(entry)
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
        cache.set(entry, (response.content, response["ETag"]), CACHE_SECONDS)
    return response


def _region(code: str) -> Region:
    return get_object_or_404(Region.objects.filter(level__in=HOLDER_LEVELS), code=code)


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise Http404("页码无效。")
    return int(value)


@public_page
def region_documents_page(request, code):
    number = _page_number(request)

    def render_page():
        region = _region(code)
        ancestors = region.ancestors()
        paginator = Paginator(region_documents(region), PAGE_SIZE)
        if number > max(paginator.num_pages, 1):
            raise Http404("页码超出范围。")
        page = paginator.page(number)
        return render(
            request,
            "policies/region.html",
            {
                "region": region,
                "ancestors": ancestors,
                "place_name": region.full_name_from({a.code: a.name for a in ancestors}),
                "page": page,
                "documents": page.object_list,
            },
        )

    return _cached(request, "region", (code, number), render_page)


@public_page
def document_page(request, code, pk):
    def render_page():
        region = _region(code)
        ancestors = region.ancestors()
        document = public_document(region, int(pk))
        return render(
            request,
            "policies/detail.html",
            {
                "region": region,
                "ancestors": ancestors,
                "place_name": region.full_name_from({a.code: a.name for a in ancestors}),
                "document": document,
                "items": published_items_of(document),
                "replaced": replacing_documents(document),
            },
        )

    # The linked items are shown as their current publications name them: a catalog
    # published again (``publication_state``) renders the page anew.
    return _cached(request, "detail", (code, int(pk), publication_state()), render_page)
