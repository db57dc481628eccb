"""Item page."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from items.models import PublishedItem
from portal import caching, sections
from portal.views.base import (
    REGION_CHAIN,
    _ancestors,
    _last_modified,
    _place_name,
    cached_page,
    public_page,
)
from records.selectors import (
    public_photo_ids,
    records_by_item,
)

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
                "sections": sections.item_sections(item, catalog),
            },
        )

    response = cached_page(request, "item-page", found, render_page, with_sections=True)
    return _last_modified(response, caching.changed_at(published_at, records_changed_at))
