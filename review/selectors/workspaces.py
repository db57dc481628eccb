"""The tables the workspaces show: an editor's catalogs, a city's counties and townships,
the province's cities and counties, and the catalogs by status.

Each is built from one ``campaign_progress`` table (a fixed number of queries) plus at most
one query of its own; the views only add who may act.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Q

from catalogs.models import Catalog, CatalogStatus, Region, RegionLevel
from review.models import UNRESOLVED, Campaign, Milestone
from review.schedule import CATALOG_HOLDERS
from review.selectors.progress import ProgressCell, StatusCounts, campaign_progress


def editor_catalogs(user) -> list[Catalog]:
    """The catalogs ``user`` edits, by region and standard, each with ``unresolved``: its
    count of unresolved findings."""
    return list(
        Catalog.objects.editable_by(user)
        .select_related("region", "standard")
        .annotate(unresolved=Count("findings", filter=Q(findings__state__in=UNRESOLVED)))
        .order_by("region__path", "standard__order")
    )


# ---------------------------------------------------------------------------
# A city: its counties, each with its townships folded below it
# ---------------------------------------------------------------------------


class TownshipRow(NamedTuple):
    township: Region
    cells: list[ProgressCell | None]  # per milestone of CityProgress.milestones
    catalogs: list[Catalog]


@dataclass
class CountyGroup:
    county: Region
    cells: list[ProgressCell | None]
    catalogs: list[Catalog]
    summaries: list[StatusCounts]  # per milestone: the townships' cells counted
    townships: list[TownshipRow]


@dataclass
class CityProgress:
    milestones: list[Milestone] = field(default_factory=list)  # of counties and townships
    city_cells: list[tuple[Milestone, ProgressCell | None]] = field(default_factory=list)
    milestone_totals: list[tuple[Milestone, StatusCounts]] = field(default_factory=list)
    groups: list[CountyGroup] = field(default_factory=list)

    @property
    def township_total(self) -> int:
        return sum(len(group.townships) for group in self.groups)


def city_progress(*, campaign: Campaign | None, city: Region, today: date) -> CityProgress:
    """The city's own milestones, and every county of the city with its townships against
    the milestones of counties and townships; empty without a campaign."""
    if campaign is None:
        return CityProgress()
    table = campaign_progress(campaign=campaign, root=city, today=today)
    milestones = [m for m in table.milestones if set(m.region_levels) & set(CATALOG_HOLDERS)]
    catalogs_by_region: dict[int, list[Catalog]] = {}
    for catalog in (
        Catalog.objects.within(city)
        .select_related("standard")
        .only("id", "region_id", "status", "standard__field", "standard__order")
    ):
        catalogs_by_region.setdefault(catalog.region_id, []).append(catalog)
    townships: dict[int, list[Region]] = {}
    for region in table.regions:
        if region.level == RegionLevel.TOWNSHIP:
            townships.setdefault(region.parent_id, []).append(region)
    groups = []
    heads = [r for r in table.regions if r.level == RegionLevel.COUNTY]
    if townships.get(city.pk):
        # Units placed directly under the city (长白山管委会's 池北区, 池西区, 池南区 and
        # 二道白河镇) form a group of their own, headed by the city.
        heads.insert(0, city)
    for county in heads:
        below = townships.get(county.pk, [])
        summaries = []
        for milestone in milestones:
            counts = StatusCounts()
            for township in below:
                if cell := table.cell(township, milestone):
                    counts.add(cell.status)
            summaries.append(counts)
        groups.append(
            CountyGroup(
                county=county,
                cells=[table.cell(county, m) for m in milestones],  # None for the city
                catalogs=catalogs_by_region.get(county.pk, []),
                summaries=summaries,
                townships=[
                    TownshipRow(
                        t, [table.cell(t, m) for m in milestones], catalogs_by_region.get(t.pk, [])
                    )
                    for t in below
                ],
            )
        )
    return CityProgress(
        milestones=milestones,
        city_cells=[
            (m, table.cell(city, m))
            for m in table.milestones
            if RegionLevel.CITY in m.region_levels
        ],
        milestone_totals=[(m, table.counts(m)) for m in milestones],
        groups=groups,
    )


# ---------------------------------------------------------------------------
# The province: cities and counties, each with its regions below counted
# ---------------------------------------------------------------------------


class ProgressRow(NamedTuple):
    region: Region
    counts: list[StatusCounts]  # per milestone of the table the row belongs to
    overdue: int


@dataclass
class ProvinceProgress:
    milestones: list[Milestone] = field(default_factory=list)  # all but the province's own
    county_milestones: list[Milestone] = field(default_factory=list)
    province_cells: list[tuple[Milestone, ProgressCell | None]] = field(default_factory=list)
    milestone_totals: list[tuple[Milestone, StatusCounts]] = field(default_factory=list)
    cities: list[Region] = field(default_factory=list)
    city_rows: list[ProgressRow] = field(default_factory=list)
    county_rows: list[ProgressRow] = field(default_factory=list)

    @property
    def overdue_total(self) -> int:
        """Region × milestone pairs overdue and not done."""
        return sum(counts.overdue for _, counts in self.milestone_totals)


def province_progress(
    *, campaign: Campaign | None, province: Region | None, today: date, city_code: str = ""
) -> ProvinceProgress:
    """Every city, and every county (of the city ``city_code`` if given), with the cells of
    the regions at and below it counted per milestone; empty without a campaign."""
    if campaign is None or province is None:
        return ProvinceProgress()
    table = campaign_progress(campaign=campaign, root=province, today=today)
    milestones = [m for m in table.milestones if RegionLevel.PROVINCE not in m.region_levels]
    county_milestones = [m for m in milestones if set(m.region_levels) & set(CATALOG_HOLDERS)]
    cities = [r for r in table.regions if r.level == RegionLevel.CITY]
    counties = [
        r
        for r in table.regions
        if r.level == RegionLevel.COUNTY and (not city_code or r.code.startswith(city_code))
    ]
    index = {m.pk: i for i, m in enumerate(table.milestones)}

    def rows(groups: list[Region], columns: list[Milestone]) -> list[ProgressRow]:
        result = []
        for region, counts in table.grouped_counts(groups):
            picked = [counts[index[m.pk]] for m in columns]
            result.append(ProgressRow(region, picked, sum(c.overdue for c in picked)))
        return result

    return ProvinceProgress(
        milestones=milestones,
        county_milestones=county_milestones,
        province_cells=[
            (m, table.cell(province, m))
            for m in table.milestones
            if RegionLevel.PROVINCE in m.region_levels
        ],
        milestone_totals=[(m, table.counts(m)) for m in milestones],
        cities=cities,
        city_rows=rows(cities, milestones),
        county_rows=rows(counties, county_milestones),
    )


class StatusBar(NamedTuple):
    label: str
    count: int
    percent: float  # of the largest status, for a bar chart


def catalog_status_bars(catalogs) -> list[StatusBar]:
    """The catalogs of a queryset counted by status, every status in lifecycle order."""
    counts = dict(catalogs.values_list("status").annotate(n=Count("id")).order_by())
    top = max(counts.values(), default=0)
    return [
        StatusBar(
            label,
            counts.get(value, 0),
            round(100 * counts.get(value, 0) / top, 1) if top else 0,
        )
        for value, label in CatalogStatus.choices
    ]
