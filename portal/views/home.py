"""Home: choose a place."""

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.shortcuts import redirect, render

from catalogs.models import Region, RegionLevel
from items.models import Publication
from portal import caching
from portal.views.base import (
    PLACE_LEVELS,
    PLACE_MATCH_LIMIT,
    _clean_place_text,
    _region_url_prefix,
    cached_by_state,
    public_page,
)

# ---------------------------------------------------------------------------
# Home: choose a place
# ---------------------------------------------------------------------------


@dataclass
class PlaceChoice:
    """The city → county → township chooser's state, read from the query string."""

    cities: list[Region]
    counties: list[Region] = field(default_factory=list)
    townships: list[Region] = field(default_factory=list)
    city: Region | None = None
    county: Region | None = None
    township: Region | None = None

    @property
    def deepest(self) -> Region | None:
        return self.township or self.county or self.city


def _choose_place(params, top: list[Region]) -> PlaceChoice:
    choice = PlaceChoice(cities=[r for r in top if r.level == RegionLevel.CITY])
    choice.city = next((r for r in choice.cities if r.code == params.get("city")), None)
    if choice.city is None:
        return choice
    choice.counties = list(
        Region.objects.filter(parent=choice.city, level=RegionLevel.COUNTY).order_by("code")
    )
    choice.county = next((r for r in choice.counties if r.code == params.get("county")), None)
    if choice.county is None:
        return choice
    choice.townships = list(
        Region.objects.filter(parent=choice.county, level=RegionLevel.TOWNSHIP).order_by("code")
    )
    choice.township = next((r for r in choice.townships if r.code == params.get("township")), None)
    return choice


def _place_matches(text: str) -> tuple[list[tuple[Region, list[Region]]], bool]:
    """Cities, counties and townships whose name contains ``text``, each with its ancestors."""
    found = list(
        Region.objects.filter(level__in=PLACE_LEVELS, name__contains=text).order_by("path")[
            : PLACE_MATCH_LIMIT + 1
        ]
    )
    more = len(found) > PLACE_MATCH_LIMIT
    found = found[:PLACE_MATCH_LIMIT]
    codes = {code for region in found for code in region.ancestor_codes()[:-1]}
    by_code = {
        region.code: region
        for region in Region.objects.filter(code__in=codes).exclude(level=RegionLevel.PROVINCE)
    }
    return [
        (region, [by_code[c] for c in region.ancestor_codes()[:-1] if c in by_code])
        for region in found
    ], more


def published_totals() -> dict[str, int]:
    """Published catalogs, their items and the regions holding them (cached)."""

    def count():
        totals = Publication.objects.current().aggregate(
            catalogs=Count("pk"),
            items=Sum("item_count"),
            regions=Count("catalog__region", distinct=True),
        )
        return {key: value or 0 for key, value in totals.items()}

    return caching.cached_by_state("home-totals", (), count)


@public_page
def home(request):
    return cached_by_state(request, "home", lambda: _home(request))


def _home(request):
    # Provinces and cities in one query; a single province names the page's city list.
    top = list(
        Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by("code")
    )
    choice = _choose_place(request.GET, top)
    if request.GET.get("go") and choice.deepest is not None:
        return redirect("site:region", code=choice.deepest.code)
    place = _clean_place_text(request.GET.get("place", ""))
    matches, more_matches = _place_matches(place) if place else ([], False)
    provinces = [region for region in top if region.level == RegionLevel.PROVINCE]
    return render(
        request,
        "portal/home.html",
        {
            "choice": choice,
            "place": place,
            "place_matches": matches,
            "more_matches": more_matches,
            "totals": published_totals(),
            "province": provinces[0] if len(provinces) == 1 else None,
            "region_prefix": _region_url_prefix(),
        },
    )
