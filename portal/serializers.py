"""Published data as JSON-ready dicts: the one shape of each object for every public client.

The open-data API (``portal.api``) and the public JSON download of a catalog
(``portal.views.catalog_download``) both build their bodies here, so a catalog has one
shape, the one documented in README.md "Open-data API". Only published data comes in:
``Publication`` rows and their ``PublishedItem`` rows, never the staff's draft items.
"""

import uuid
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from catalogs.models import Catalog, Region
from catalogs.selectors import full_names
from guides.selectors import guide_payloads
from items.models import Publication, PublishedItem
from matters.selectors import complaint_channels_for
from portal.search import with_standard_item_key
from records.selectors import record_payloads

DOWNLOAD_FORMATS = ("xlsx", "csv", "json")


class Links:
    """Absolute URLs of one request's objects, built from prefixes reversed once.

    A search page lists up to 200 items, each with several links: a ``reverse()`` per
    link was a large part of the response time.
    """

    def __init__(self, request):
        self.base = request.build_absolute_uri("/")[:-1]  # scheme://host
        self.api_region = _around("api:region", "00")
        self.site_region = _around("site:region", "00")
        self.api_catalog = _around("api:catalog", 918273645)
        self.site_catalog = _around("site:catalog", 918273645)
        self.site_item = _around("site:item", uuid.UUID(int=918273645))
        self.download = _around("site:catalog_download", 918273645, "xlsx")

    @classmethod
    def of(cls, request) -> "Links":
        links = getattr(request, "_portal_links", None)
        if links is None:
            links = request._portal_links = cls(request)
        return links

    def url(self, around: tuple[str, ...], *values) -> str:
        parts = [self.base, around[0]]
        for value, after in zip(values, around[1:], strict=True):
            parts += [str(value), after]
        return "".join(parts)


def _around(url_name: str, *placeholders) -> tuple[str, ...]:
    """The fixed parts of a URL around its arguments: ("/catalogs/", "/download.", "")."""
    url = reverse(url_name, args=placeholders)
    parts = []
    for placeholder in placeholders:
        before, url = url.split(str(placeholder), 1)
        parts.append(before)
    return (*parts, url)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the portal's time zone: 2020-06-10T10:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def region_link(request, region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": region.get_level_display(),
        "url": Links.of(request).url(Links.of(request).api_region, region.code),
    }


def region_contact(region: Region) -> dict:
    """Who answers for the region's disclosure work (shown on its public pages too)."""
    return {
        "office_name": region.office_name,
        "contact_name": region.contact_name,
        "contact_phone": region.contact_phone,
        "contact_email": region.contact_email,
        "address": region.address,
    }


def complaint_channels(region: Region) -> list[dict]:
    """The region's 监督举报 channels (its own, else the nearest region above); one query."""
    return [
        {
            "kind": channel.kind,
            "label": channel.label,
            "value": channel.value,
            "url": channel.url or None,
            "note": channel.note,
            "region": channel.region.code,
        }
        for channel in complaint_channels_for(region)
    ]


def _catalog_urls(request, catalog: Catalog) -> dict:
    links = Links.of(request)
    return {
        "url": links.url(links.api_catalog, catalog.pk),
        "html_url": links.url(links.site_catalog, catalog.pk),
    }


def catalog_link(request, catalog: Catalog, full_name: str) -> dict:
    """The catalog an item belongs to, as search results name it."""
    return {
        "id": catalog.pk,
        "title": catalog.title,
        **_catalog_urls(request, catalog),
        "region": {**region_link(request, catalog.region), "full_name": full_name},
        "standard": {"code": catalog.standard.code, "title": catalog.standard.title},
    }


def catalog_summary(request, publication: Publication, full_name: str) -> dict:
    """A published catalog without its items, as catalog lists show it."""
    catalog = publication.catalog
    return {
        "id": catalog.pk,
        "title": catalog.title,
        **_catalog_urls(request, catalog),
        "downloads": {
            fmt: Links.of(request).url(Links.of(request).download, catalog.pk, fmt)
            for fmt in DOWNLOAD_FORMATS
        },
        "region": {**region_link(request, catalog.region), "full_name": full_name},
        "standard": {
            "code": catalog.standard.code,
            "title": catalog.standard.title,
            "field": catalog.standard.field,
        },
        "edition": {"version": catalog.edition.version, "title": catalog.edition.title},
        "publication": {
            "number": publication.number,
            "published_at": iso(publication.published_at),
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
        "html_url": Links.of(request).url(Links.of(request).site_item, item.public_id),
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


# An item's catalog with what its page or body shows: region and the regions above (a
# township's county, city, province), standard, edition.
CATALOG_CONTEXT = (
    "publication__catalog__region__parent__parent__parent",
    "publication__catalog__standard",
    "publication__catalog__edition",
)


def _full_name(region: Region) -> str:
    """``Region.full_name``: from the parent chain if it came loaded, else one query."""
    names, node = {}, region
    while node.parent_id is not None and Region.parent.is_cached(node):
        node = node.parent
        names[node.code] = node.name
    if node.parent_id is None:  # reached the top without a query
        return region.full_name_from(names)
    return full_names([region])[region.pk]


def published_catalog(request, publication: Publication) -> dict:
    """One published catalog with every element of every item of ``publication``.

    The body of ``/api/v1/catalogs/ID/`` and of the catalog's JSON download. At most three
    queries (the items with their catalog, its region and the regions above; the items'
    published records and their channels) whatever the number of items and records.

    Each item carries ``records``: the information published under it, newest first
    (``records.selectors.record_payload``; photos never appear here); a service guide
    item also carries ``guide``: its guide as published with the catalog
    (``guides.snapshot.guide_payload``); other items have no ``guide`` key.
    """
    # The catalog, its region and the regions above come with the items (one query).
    items = list(
        with_standard_item_key(
            publication.items.select_related(*CATALOG_CONTEXT).order_by("seq", "pk")
        )
    )
    if items:
        publication = items[0].publication
    region = publication.catalog.region
    records = record_payloads(item.public_id for item in items)
    # The service guides published with the catalog (two queries: guides, linked entries).
    guides = guide_payloads(publication.pk, base_url=Links.of(request).base)

    def guide_of(public_id) -> dict:
        return {"guide": guides[public_id]} if public_id in guides else {}

    return {
        **catalog_summary(request, publication, _full_name(region)),
        "contact": region_contact(region),
        "complaint_channels": complaint_channels(region),
        "items": [
            {
                **item_data(request, item),
                "records": records.get(item.public_id, []),
                **guide_of(item.public_id),
            }
            for item in items
        ],
    }
