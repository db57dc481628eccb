"""Region page: its catalogs and its sub-regions."""

from dataclasses import dataclass

import segno
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

from catalogs.models import Region, RegionLevel
from items.models import Publication
from portal import sections
from portal.views.base import (
    REGION_CHAIN,
    _ancestors,
    _place_name,
    cached_page,
    public_page,
)

# ---------------------------------------------------------------------------
# Region page: its catalogs and its sub-regions
# ---------------------------------------------------------------------------


HOLDER_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)


@dataclass
class SubRegion:
    region: Region
    catalogs: int = 0
    items: int = 0


@public_page
def region_detail(request, code):
    # Villages too: a township lists its villages, a village shows the catalogs its
    # township derived for it (吉民发〔2020〕13号 (八)).
    region = get_object_or_404(Region, code=code)
    ancestors = region.ancestors()
    own = list(
        Publication.objects.current()
        .filter(catalog__region=region)
        .select_related("catalog__standard", "catalog__edition")
        .order_by("catalog__standard__order", "catalog__standard__code")
    )
    children = [SubRegion(child) for child in Region.objects.filter(parent=region).order_by("code")]
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
            "holds_catalogs": region.level in HOLDER_LEVELS,
            "is_village": region.level == RegionLevel.VILLAGE,
            # A village's catalog is compiled by its township, which answers for it.
            "contact_region": ancestors[-1]
            if region.level == RegionLevel.VILLAGE and ancestors
            else region,
            "sections": sections.region_sections(region),
        },
    )


# ---------------------------------------------------------------------------
# 公示栏 poster of a village catalog: a QR code to its public page
# ---------------------------------------------------------------------------

POSTER_CALL = "扫码查看本村公开事项"


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG markup (sized by CSS, scales without blur)."""
    code = segno.make(url, error="m")
    return code.svg_inline(scale=1, omitsize=True, title="本村公开事项目录二维码")


@public_page
def catalog_poster(request, pk):
    """A printable A4 poster for a village's 公示栏: its name, its catalog, a QR code.

    Published village catalogs only; anything else is 404.
    """
    publication = get_object_or_404(
        Publication.objects.current().select_related(
            f"catalog__{REGION_CHAIN}", "catalog__standard"
        ),
        catalog_id=pk,
        catalog__region__level=RegionLevel.VILLAGE,
    )
    catalog = publication.catalog
    region = catalog.region
    catalog_url = request.build_absolute_uri(reverse("site:catalog", args=[catalog.pk]))

    def render_page():
        ancestors = _ancestors(region)
        return render(
            request,
            "portal/poster.html",
            {
                "catalog": catalog,
                "region": region,
                "township": region.parent,
                "place_name": _place_name(region, ancestors),
                "catalog_url": catalog_url,
                "qr_svg": mark_safe(qr_svg(catalog_url)),  # noqa: S308 - segno's own markup
                "call": POSTER_CALL,
                "publication": publication,
            },
        )

    parts = (
        "poster",
        # The poster's own static files (render_version covers the site's).
        static("portal/css/poster.css"),
        static("portal/js/poster.js"),
        publication.pk,
        catalog.title,
        region.name,
        region.parent.name if region.parent_id else "",
    )
    return cached_page(request, "catalog-poster", parts, render_page)
