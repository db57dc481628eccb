"""Milestone progress per region: never stored, always derived.

A catalog reached a status when its first lifecycle event to that status (or a later one)
happened inside the campaign's window; a published milestone also counts any publication.
``today`` is always passed in so that tests can pin it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Min
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region, RegionLevel
from items.models import Publication
from records.selectors import evidence_summaries
from review.models import Campaign, Milestone, MilestoneCompletion, MilestoneReport

# The levels whose regions compile catalogs (where the province may exempt a region).
CATALOG_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)

# Milestones that the records' evidence completes, besides a region's own confirmation:
# 承诺渠道可查阅 is done once every item of every published catalog it covers has a
# published record with evidence on every promised channel (records.selectors).
EVIDENCE_MILESTONES = frozenset({"viewable"})

# How far along the lifecycle a status is; 退回整改 is back at the start.
STATUS_RANK = {
    CatalogStatus.DRAFTING: 0,
    CatalogStatus.RETURNED: 0,
    CatalogStatus.PUBLISHED: 1,
    CatalogStatus.REVIEWED: 2,
    CatalogStatus.ENTERED: 3,
    CatalogStatus.ACCEPTING: 4,
    CatalogStatus.ACCEPTED: 5,
}


class ProgressStatus:
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"
    OVERDUE = "overdue"

    LABELS = {ON_TIME: "按时完成", LATE: "逾期完成", OPEN: "未到期", OVERDUE: "已逾期"}
    ORDER = (ON_TIME, LATE, OPEN, OVERDUE)


@dataclass(frozen=True)
class ProgressCell:
    status: str
    due_on: date
    done_at: datetime | None
    detail: str

    @property
    def label(self) -> str:
        return ProgressStatus.LABELS[self.status]

    @property
    def is_done(self) -> bool:
        return self.status in (ProgressStatus.ON_TIME, ProgressStatus.LATE)

    @property
    def done_on(self) -> date | None:
        return timezone.localtime(self.done_at).date() if self.done_at else None


def progress_status(*, due_on: date, done_at: datetime | None, today: date) -> str:
    """On time, late, open or overdue: a comparison of dates, never a stored state."""
    if done_at is not None:
        done_on = timezone.localtime(done_at).date()
        return ProgressStatus.ON_TIME if done_on <= due_on else ProgressStatus.LATE
    return ProgressStatus.OVERDUE if today > due_on else ProgressStatus.OPEN


def days_left(due_on: date, today: date) -> int:
    return (due_on - today).days


@dataclass
class StatusCounts:
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.open + self.overdue

    @property
    def done(self) -> int:
        return self.on_time + self.late

    def percent(self, status: str) -> float:
        return round(100 * getattr(self, status) / self.total, 1) if self.total else 0

    @property
    def segments(self) -> list[tuple[str, str, int, float]]:
        """(status, label, count, percent) for a stacked bar."""
        return [
            (status, ProgressStatus.LABELS[status], getattr(self, status), self.percent(status))
            for status in ProgressStatus.ORDER
        ]


@dataclass
class ProgressTable:
    campaign: Campaign
    root: Region
    today: date
    milestones: list[Milestone]
    regions: list[Region]  # every region under root that some milestone applies to, by code
    cells: dict[tuple[int, int], ProgressCell] = field(default_factory=dict)

    def cell(self, region: Region, milestone: Milestone) -> ProgressCell | None:
        return self.cells.get((region.pk, milestone.pk))

    def counts(self, milestone: Milestone) -> StatusCounts:
        counts = StatusCounts()
        for region in self.regions:
            cell = self.cells.get((region.pk, milestone.pk))
            if cell is not None:
                counts.add(cell.status)
        return counts

    def grouped_counts(self, groups: list[Region]) -> list[tuple[Region, list[StatusCounts]]]:
        """Per group region (a city, a county), per milestone: counts of its regions' cells."""
        by_group: dict[int, list[StatusCounts]] = {
            group.pk: [StatusCounts() for _ in self.milestones] for group in groups
        }
        group_by_code = {group.code: group.pk for group in groups}
        for region in self.regions:
            group_ids = [
                group_by_code[code] for code in region.ancestor_codes() if code in group_by_code
            ]
            for index, milestone in enumerate(self.milestones):
                cell = self.cells.get((region.pk, milestone.pk))
                if cell is None:
                    continue
                for group_id in group_ids:
                    by_group[group_id][index].add(cell.status)
        return [(group, by_group[group.pk]) for group in groups]


def campaign_window(campaign: Campaign) -> tuple[datetime, datetime | None]:
    """From the campaign's start until the next campaign (by year) starts."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(campaign.starts_on, time.min, tzinfo=tz)
    following = (
        Campaign.objects.filter(year__gt=campaign.year)
        .order_by("year")
        .values_list("starts_on", flat=True)
    ).first()
    end = datetime.combine(following, time.min, tzinfo=tz) if following else None
    return start, end


def _within_window(qs, field_name: str, window):
    start, end = window
    qs = qs.filter(**{f"{field_name}__gte": start})
    return qs.filter(**{f"{field_name}__lt": end}) if end else qs


def catalog_reached_at(
    *, root: Region, window, catalog_ids: list[int] | None = None
) -> dict[int, dict[int, datetime]]:
    """catalog id -> {status rank -> first time the catalog reached that rank or beyond}."""
    events = _within_window(
        CatalogEvent.objects.filter(catalog__region__path__startswith=root.path), "at", window
    )
    if catalog_ids is not None:
        events = events.filter(catalog_id__in=catalog_ids)
    firsts: dict[int, dict[int, datetime]] = defaultdict(dict)
    for row in events.values("catalog_id", "to_status").annotate(first=Min("at")):
        rank = STATUS_RANK.get(row["to_status"], 0)
        for reached in range(1, rank + 1):
            known = firsts[row["catalog_id"]].get(reached)
            if known is None or row["first"] < known:
                firsts[row["catalog_id"]][reached] = row["first"]
    publications = _within_window(
        Publication.objects.filter(catalog__region__path__startswith=root.path),
        "published_at",
        window,
    )
    if catalog_ids is not None:
        publications = publications.filter(catalog_id__in=catalog_ids)
    for row in publications.values("catalog_id").annotate(first=Min("published_at")):
        known = firsts[row["catalog_id"]].get(1)
        if known is None or row["first"] < known:
            firsts[row["catalog_id"]][1] = row["first"]
    return firsts


def campaign_progress(
    *, campaign: Campaign, root: Region, today: date, levels: set[str] | None = None
) -> ProgressTable:
    """Every region under ``root`` (itself included) against every milestone that applies.

    Only regions that compile catalogs count among counties and townships (a farm whose
    catalog its county publishes owes no milestone), and a catalog-based milestone counts
    only the catalogs of the fields (standards) it covers. A fixed number of queries
    whatever the size of ``root``: the province takes the same seven, plus three for the
    records' evidence when a milestone is one of ``EVIDENCE_MILESTONES``.
    """
    milestones = list(campaign.milestones.all())
    wanted_levels = {level for m in milestones for level in m.region_levels}
    if levels is not None:
        wanted_levels &= set(levels)
    regions = list(
        Region.objects.descendants_of(root)
        .filter(level__in=wanted_levels)
        .exclude(level__in=CATALOG_LEVELS, compiles_catalogs=False)
        .only("id", "code", "name", "level", "path", "parent_id")
        .order_by("code")
    )
    table = ProgressTable(
        campaign=campaign, root=root, today=today, milestones=milestones, regions=regions
    )
    if not regions or not milestones:
        return table
    window = campaign_window(campaign)
    catalogs_by_region: dict[int, list[tuple[int, str]]] = defaultdict(list)
    published: set[int] = set()
    evidenced = any(m.code in EVIDENCE_MILESTONES for m in milestones)
    if evidenced or any(m.is_catalog_based for m in milestones):
        for catalog_id, region_id, standard_code, published_at in Catalog.objects.within(
            root
        ).values_list("id", "region_id", "standard__code", "last_published_at"):
            catalogs_by_region[region_id].append((catalog_id, standard_code))
            if published_at is not None:
                published.add(catalog_id)
    if any(m.is_catalog_based for m in milestones):
        reached = catalog_reached_at(root=root, window=window)
    else:
        reached = {}
    evidence = evidence_summaries(published) if evidenced else {}
    reports = {
        (report.milestone_id, report.region_id): report
        for report in MilestoneReport.objects.filter(
            milestone__campaign=campaign, region__path__startswith=root.path
        ).only("milestone_id", "region_id", "reported_at")
    }
    for milestone in milestones:
        rank = STATUS_RANK.get(milestone.required_status) if milestone.is_catalog_based else None
        for region in regions:
            if region.level not in milestone.region_levels:
                continue
            if rank is not None:
                catalog_ids = [
                    catalog_id
                    for catalog_id, standard_code in catalogs_by_region.get(region.pk, [])
                    if milestone.covers(standard_code)
                ]
                times = [reached.get(cid, {}).get(rank) for cid in catalog_ids]
                done = [moment for moment in times if moment is not None]
                complete = bool(catalog_ids) and len(done) == len(catalog_ids)
                done_at = max(done) if complete else None
                label = MilestoneCompletion(milestone.completion).label.removeprefix("目录")
                detail = (
                    f"{len(done)}/{len(catalog_ids)}个目录{label}"
                    if catalog_ids
                    else (
                        "尚未建立所覆盖领域的目录" if milestone.standard_codes else "尚未建立目录"
                    )
                )
            else:
                report = reports.get((milestone.pk, region.pk))
                done_at = report.reported_at if report else None
                detail = "已报送" if report else "未报送"
                if milestone.code in EVIDENCE_MILESTONES:
                    catalog_ids = [
                        catalog_id
                        for catalog_id, standard_code in catalogs_by_region.get(region.pk, [])
                        if catalog_id in published and milestone.covers(standard_code)
                    ]
                    done_at, detail = _with_evidence(
                        [evidence[catalog_id] for catalog_id in catalog_ids], done_at, detail
                    )
            table.cells[(region.pk, milestone.pk)] = ProgressCell(
                status=progress_status(due_on=milestone.due_on, done_at=done_at, today=today),
                due_on=milestone.due_on,
                done_at=done_at,
                detail=detail,
            )
    return table


def _with_evidence(summaries, done_at: datetime | None, detail: str):
    """A confirmation milestone completed by evidence too: done once every item of the
    region's published catalogs has evidence on every promised channel (on the day the last
    of them got it), or earlier by the region's own confirmation. The detail says both."""
    if not summaries:
        return done_at, detail
    items = sum(summary.items for summary in summaries)
    complete = sum(summary.complete for summary in summaries)
    if not all(summary.is_complete for summary in summaries):
        return done_at, f"{detail}；佐证{complete}/{items}个事项"
    evidenced_on = max(summary.evidenced_on for summary in summaries)
    evidenced_at = datetime.combine(evidenced_on, time.min, tzinfo=timezone.get_current_timezone())
    reported = "，已报送" if done_at is not None else ""
    done_at = evidenced_at if done_at is None else min(done_at, evidenced_at)
    return done_at, f"佐证齐全（{complete}/{items}个事项）{reported}"


@dataclass(frozen=True)
class UpcomingMilestone:
    milestone: Milestone
    cell: ProgressCell
    days_left: int
    below: StatusCounts | None  # a county's townships, for a county editor

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)


def upcoming_milestones(
    *, campaign: Campaign, region: Region, today: date, limit: int = 5
) -> list[UpcomingMilestone]:
    """The region's milestones not yet done (by it or, for a county, by one of its
    townships), soonest first, with days left (negative: overdue)."""
    table = campaign_progress(campaign=campaign, root=region, today=today)
    upcoming = []
    for milestone in table.milestones:
        cell = table.cell(region, milestone)
        if cell is None:
            continue
        below = None
        if region.level == RegionLevel.COUNTY:
            below = StatusCounts()
            for other in table.regions:
                if other.pk != region.pk and (other_cell := table.cell(other, milestone)):
                    below.add(other_cell.status)
        if cell.is_done and not (below and below.done < below.total):
            continue
        upcoming.append(
            UpcomingMilestone(milestone, cell, days_left(milestone.due_on, today), below)
        )
    upcoming.sort(key=lambda entry: (entry.milestone.due_on, entry.milestone.order))
    return upcoming[:limit]
