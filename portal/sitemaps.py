"""The sitemap: an index (/sitemap.xml) of files (/sitemap-1.xml, …) of at most 50,000 URLs.

The URLs are the home and static pages, every region that has a published catalog (and
the regions above it), every published catalog and every item of its current publication.
Only current publications appear; a draft or an unpublished change never does. All of
China has about 720,000 such URLs; the sitemap protocol allows 50,000 per file
(``SITEMAP_MAX_URLS``, smaller in tests).

``sitemap_plan`` cuts the URLs into files once per publication state (``portal.caching``)
from two narrow queries: the paths of the regions with current publications, and each
current publication's catalog id and item count. A file is a list of segments: the static
pages, a slice of the region codes, the catalogs (and their items) with ids in a range, or
a slice of one very long catalog's items. Writing a file then reads only its own rows.
The XML is joined from strings: a template node per URL takes seconds for a province.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from items.models import Publication, PublishedItem
from portal.caching import cached_by_state

# The sitemap protocol's limit of URLs in one file.
MAX_URLS = 50_000
STATIC_PAGES = ("site:home", "site:accessibility", "site:about")
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def max_urls() -> int:
    return getattr(settings, "SITEMAP_MAX_URLS", MAX_URLS)


@dataclass
class SitemapFile:
    """The URLs of one sitemap file, as segments in order.

    ``("pages",)``, ``("regions", start, stop)`` (a slice of ``region_codes()``),
    ``("catalogs", first_id, last_id)`` (each catalog with its items), and for a catalog
    longer than a file ``("catalog", catalog_id)`` (its page) and ``("items", catalog_id,
    start, stop)`` (a slice of its items).
    """

    segments: list[tuple] = field(default_factory=list)
    size: int = 0


def _region_codes() -> list[str]:
    paths = (
        Publication.objects.current()
        .order_by()
        .values_list("catalog__region__path", flat=True)
        .distinct()
    )
    return sorted({code for path in paths for code in path.split("/") if code})


def region_codes() -> list[str]:
    """Every region with a current publication at or below it, by code (cached)."""
    return cached_by_state("sitemap-regions", (), _region_codes)


def _plan(limit: int) -> list[SitemapFile]:
    files = [SitemapFile()]

    def room(size: int) -> SitemapFile:
        if files[-1].size + size > limit:
            files.append(SitemapFile())
        return files[-1]

    def add(segment: tuple, size: int) -> None:
        current = room(size)
        last = current.segments[-1] if current.segments else None
        if segment[0] == "catalogs" and last and last[0] == "catalogs":
            current.segments[-1] = ("catalogs", last[1], segment[2])  # extend the id range
        else:
            current.segments.append(segment)
        current.size += size

    add(("pages",), len(STATIC_PAGES))
    codes = region_codes()
    start = 0
    while start < len(codes):
        current = room(1)
        stop = min(len(codes), start + limit - current.size)
        current.segments.append(("regions", start, stop))
        current.size += stop - start
        start = stop
    publications = (
        Publication.objects.current().order_by("catalog_id").values_list("catalog_id", "item_count")
    )
    for catalog_id, item_count in publications:
        if 1 + item_count <= limit:
            add(("catalogs", catalog_id, catalog_id), 1 + item_count)
            continue
        # Longer than a file: the catalog's own page, then its items in slices.
        add(("catalog", catalog_id), 1)
        done = 0
        while done < item_count:
            current = room(1)
            take = min(item_count - done, limit - current.size)
            current.segments.append(("items", catalog_id, done, done + take))
            current.size += take
            done += take
    return files


def sitemap_plan() -> list[SitemapFile]:
    """The files of the sitemap, cut once per publication state."""
    limit = max_urls()
    return cached_by_state("sitemap-plan", (limit,), lambda: _plan(limit))


def _prefix(url_name: str, placeholder) -> str:
    url = reverse(url_name, args=[placeholder])
    return url[: url.index(str(placeholder))]


class _Writer:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.lines: list[str] = []
        self.days: dict = {}  # the items of one publication share its moment
        self.region_prefix = _prefix("site:region", "00")
        self.catalog_prefix = _prefix("site:catalog", 1)
        self.item_prefix = _prefix("site:item", uuid.UUID(int=0))

    def url(self, path: str, changefreq: str, moment=None) -> None:
        parts = [f"<url><loc>{escape(self.base_url + path)}</loc>"]
        if moment is not None:
            if moment not in self.days:
                self.days[moment] = timezone.localdate(moment).isoformat()
            parts.append(f"<lastmod>{self.days[moment]}</lastmod>")
        parts.append(f"<changefreq>{changefreq}</changefreq></url>")
        self.lines.append("".join(parts))

    def pages(self) -> None:
        for name in STATIC_PAGES:
            self.url(reverse(name), "weekly")

    def regions(self, start: int, stop: int) -> None:
        for code in region_codes()[start:stop]:
            self.url(f"{self.region_prefix}{code}/", "weekly")

    def catalog(self, catalog_id: int, published_at) -> None:
        self.url(f"{self.catalog_prefix}{catalog_id}/", "weekly", published_at)

    def items(self, rows) -> None:
        for public_id, published_at in rows:
            self.url(f"{self.item_prefix}{public_id}/", "monthly", published_at)

    def catalogs(self, first: int, last: int) -> None:
        current = Publication.objects.current().filter(catalog_id__gte=first, catalog_id__lte=last)
        for catalog_id, published_at in current.order_by("catalog_id").values_list(
            "catalog_id", "published_at"
        ):
            self.catalog(catalog_id, published_at)
        self.items(
            PublishedItem.objects.visible_to_public()
            .filter(publication__catalog_id__gte=first, publication__catalog_id__lte=last)
            .order_by("publication__catalog_id", "seq", "pk")
            .values_list("public_id", "publication__published_at")
        )

    def one_catalog(self, catalog_id: int) -> None:
        publication = Publication.objects.current().filter(catalog_id=catalog_id).first()
        if publication is not None:
            self.catalog(catalog_id, publication.published_at)

    def catalog_items(self, catalog_id: int, start: int, stop: int) -> None:
        self.items(
            PublishedItem.objects.visible_to_public()
            .filter(publication__catalog_id=catalog_id)
            .order_by("seq", "pk")
            .values_list("public_id", "publication__published_at")[start:stop]
        )


def sitemap_file_xml(base_url: str, sitemap_file: SitemapFile) -> str:
    """One file of the sitemap; ``base_url`` is scheme and host, e.g. 'https://example.org'."""
    writer = _Writer(base_url)
    for segment in sitemap_file.segments:
        kind, *args = segment
        {
            "pages": writer.pages,
            "regions": writer.regions,
            "catalogs": writer.catalogs,
            "catalog": writer.one_catalog,
            "items": writer.catalog_items,
        }[kind](*args)
    return "\n".join(
        ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{XMLNS}">']
        + writer.lines
        + ["</urlset>", ""]
    )


def sitemap_index_xml(base_url: str, count: int) -> str:
    """The index listing ``count`` files, /sitemap-1.xml to /sitemap-{count}.xml."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{XMLNS}">']
    for number in range(1, count + 1):
        path = reverse("site:sitemap_file", args=[number])
        lines.append(f"<sitemap><loc>{escape(base_url + path)}</loc></sitemap>")
    return "\n".join([*lines, "</sitemapindex>", ""])
