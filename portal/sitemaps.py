"""sitemap.xml: the home page, places with published catalogs, catalogs and their items.

Only current publications appear; a draft or an unpublished change never does.

The sections are ``django.contrib.sitemaps.Sitemap`` classes, but the XML is written by
``sitemap_xml`` rather than by the contrib view, which renders a template node per URL
and takes seconds for a whole province's items. Here each section is one narrow query
(values, no model instances) and every URL is a string join.
"""

import uuid
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from catalogs.models import Region
from items.models import Publication, PublishedItem

# The sitemap protocol allows 50,000 URLs in one file; all of Jilin has about 30,000.
MAX_URLS = 50_000


class PrefixSitemap(Sitemap):
    """A section whose URLs are a fixed prefix plus the first column of each row.

    The prefix is reversed once per section, not once per URL.
    """

    url_name: str
    placeholder: object

    @cached_property
    def prefix(self) -> str:
        url = reverse(self.url_name, args=[self.placeholder])
        return url[: url.index(str(self.placeholder))]

    def location(self, row):
        return f"{self.prefix}{row[0]}/"


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["site:home", "site:accessibility", "site:about"]

    def location(self, name):
        return reverse(name)


class RegionSitemap(PrefixSitemap):
    """Every region that has a published catalog, and the regions above it."""

    changefreq = "weekly"
    url_name, placeholder = "site:region", "00"

    def items(self):
        paths = (
            Publication.objects.current()
            .order_by()
            .values_list("catalog__region__path", flat=True)
            .distinct()
        )
        codes = {code for path in paths for code in path.split("/") if code}
        return list(Region.objects.filter(code__in=codes).order_by("code").values_list("code"))


class CatalogSitemap(PrefixSitemap):
    changefreq = "weekly"
    url_name, placeholder = "site:catalog", 1

    def items(self):
        return (
            Publication.objects.current()
            .order_by("catalog_id")
            .values_list("catalog_id", "published_at")
        )

    def lastmod(self, row):
        return row[1]


class ItemSitemap(PrefixSitemap):
    changefreq = "monthly"
    url_name, placeholder = "site:item", uuid.UUID(int=0)

    def items(self):
        return (
            PublishedItem.objects.visible_to_public()
            .order_by("publication__catalog_id", "seq", "pk")
            .values_list("public_id", "publication__published_at")
        )

    def lastmod(self, row):
        return row[1]


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "regions": RegionSitemap,
    "catalogs": CatalogSitemap,
    "items": ItemSitemap,
}


def sitemap_xml(base_url: str) -> str:
    """The whole sitemap as XML; ``base_url`` is scheme and host, e.g. 'https://example.org'."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    days: dict = {}  # items of one publication share its moment: convert it once
    for section in SITEMAPS.values():
        sitemap = section()
        has_lastmod = hasattr(sitemap, "lastmod")
        for entry in sitemap.items():
            parts = [f"<url><loc>{escape(base_url + sitemap.location(entry))}</loc>"]
            if has_lastmod and (moment := sitemap.lastmod(entry)) is not None:
                if moment not in days:
                    days[moment] = timezone.localdate(moment).isoformat()
                parts.append(f"<lastmod>{days[moment]}</lastmod>")
            parts.append(f"<changefreq>{sitemap.changefreq}</changefreq></url>")
            lines.append("".join(parts))
    lines.append("</urlset>")
    if len(lines) - 3 > MAX_URLS:
        raise ValueError(f"sitemap has more than {MAX_URLS} URLs; split it into an index")
    return "\n".join(lines) + "\n"
