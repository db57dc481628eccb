"""What every public page shares: the public_page decorator, cached renders, places."""

import hashlib
from functools import cache, wraps
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as page_cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import quote_etag
from django.utils.http import http_date
from django.views.decorators.http import conditional_page, require_safe

from catalogs import states, vocabulary
from catalogs.models import Region, RegionLevel
from catalogs.web import PUBLIC_CONTENT_SECURITY_POLICY, public_headers
from items.models import Publication
from portal import caching, sections
from portal import search as portal_search
from portal.routers import public_reads

CONTENT_SECURITY_POLICY = PUBLIC_CONTENT_SECURITY_POLICY
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
            return public_headers(view(request, *args, **kwargs))

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
    views = Path(__file__).parent
    sources = [*sorted(views.glob("*.py")), *sorted(TEMPLATE_DIR.glob("*.html"))]
    sources += sorted((TEMPLATE_DIR / "portal").glob("*.html"))
    sources += sorted((TEMPLATE_DIR / "records").glob("*.html"))  # the item page's records
    # The sections other apps add to the pages (portal.sections), and their code.
    for app in ("matters", "guides", "policies", "inquiries", "participation"):
        sources += sorted((TEMPLATE_DIR / app).glob("*.html"))
        sources += sorted((views.parent.parent / app).glob("*.py"))
    sources += sorted((views.parent / "templatetags").glob("*.py"))
    hashed = hashlib.blake2b(digest_size=12)
    for source in sources:
        hashed.update(source.read_bytes())
    hashed.update(static("portal/css/site.css").encode())
    hashed.update(static("portal/js/site.js").encode())
    return hashed.hexdigest()


@cache
def _section_state_keys() -> tuple[str, ...]:
    """The cache keys of the section providers' change counters (``catalogs.states``)."""
    kinds = [import_module(name).STATE for name in sections.PROVIDERS]
    return tuple(f"{states.PREFIX}{kind}" for kind in kinds)


def cached_page(
    request,
    name: str,
    parts: tuple,
    render_page,
    timeout: int = caching.PUBLICATION_SECONDS,
    *,
    with_sections: bool = False,
) -> HttpResponse:
    """``render_page()``, kept in the cache under ``parts`` for ``timeout`` seconds.

    For a catalog or item page ``parts`` name what the page shows that may change: its
    publications, its catalog's title, its region's name and contact details, its records'
    stamp (``caching.publications_key``). The key also holds the host (pages carry absolute
    links) and ``render_version()``. The page is stored with its ETag.

    ``with_sections``: the page shows other apps' sections (``portal.sections``), so it is
    only good while their change counters (``sections.stamp()``) stay as they were. The
    entry keeps the counters it was rendered under and is read with them in one cache
    round trip; a hit whose counters moved on renders anew.
    """
    entry = caching.key(
        name, caching.digest(request.scheme, request.get_host(), render_version(), *parts)
    )
    stamp = None
    if with_sections:
        keys = _section_state_keys()
        found_many = page_cache.get_many([entry, *keys])
        stamp = tuple(found_many.get(key) for key in keys)
        if None in stamp:  # a counter not started yet (or evicted): start it
            stamp = sections.stamp()
        found = found_many.get(entry)
        if found is not None:
            found = found[1:] if found[0] == stamp else None
    else:
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
        value = (response.content, response["ETag"])
        page_cache.set(entry, (stamp, *value) if with_sections else value, timeout)
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
