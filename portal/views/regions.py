"""Region page: its catalogs and its sub-regions."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render

from catalogs.models import Region, RegionLevel
from items.models import Publication
from portal.views.base import (
    _place_name,
    public_page,
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
