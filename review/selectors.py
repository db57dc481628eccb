"""Reads for review: milestone progress per region, queues, finding summaries, comparisons.

Progress is never stored. A catalog reached a status when its first lifecycle event to that
status (or a later one) happened inside the campaign's window; a published milestone also
counts any publication. ``today`` is always passed in so that tests can pin it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region, RegionLevel
from catalogs.selectors import COMPARED_FIELDS
from catalogs.vocabulary import ELEMENT_LABELS, ITEM_ELEMENT_FIELDS
from items.models import Item, Publication
from review.models import (
    SEVERITY_ORDER,
    UNRESOLVED,
    AcceptanceDecision,
    Campaign,
    Decision,
    Finding,
    FindingSource,
    Milestone,
    MilestoneCompletion,
    MilestoneReport,
    Severity,
)

S = CatalogStatus

# How far along the lifecycle a status is; 退回整改 is back at the start.
STATUS_RANK = {
    S.DRAFTING: 0,
    S.RETURNED: 0,
    S.PUBLISHED: 1,
    S.REVIEWED: 2,
    S.ENTERED: 3,
    S.ACCEPTING: 4,
    S.ACCEPTED: 5,
}
REVIEW_QUEUE_STATUSES = (S.ENTERED, S.ACCEPTING)


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

    def row(self, region: Region) -> list[ProgressCell | None]:
        return [self.cell(region, milestone) for milestone in self.milestones]

    def counts(self, milestone: Milestone, within: Region | None = None) -> StatusCounts:
        counts = StatusCounts()
        for region in self.regions:
            if within is not None and not region.path.startswith(within.path):
                continue
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

    def overdue_count(self, milestone: Milestone) -> int:
        return self.counts(milestone).overdue


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

    A fixed number of queries whatever the size of ``root``: the province takes the same seven.
    """
    milestones = list(campaign.milestones.all())
    wanted_levels = {level for m in milestones for level in m.region_levels}
    if levels is not None:
        wanted_levels &= set(levels)
    regions = list(
        Region.objects.descendants_of(root)
        .filter(level__in=wanted_levels)
        .only("id", "code", "name", "level", "path", "parent_id")
        .order_by("code")
    )
    table = ProgressTable(
        campaign=campaign, root=root, today=today, milestones=milestones, regions=regions
    )
    if not regions or not milestones:
        return table
    window = campaign_window(campaign)
    catalogs_by_region: dict[int, list[int]] = defaultdict(list)
    if any(m.is_catalog_based for m in milestones):
        for catalog_id, region_id in Catalog.objects.within(root).values_list("id", "region_id"):
            catalogs_by_region[region_id].append(catalog_id)
        reached = catalog_reached_at(root=root, window=window)
    else:
        reached = {}
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
                catalog_ids = catalogs_by_region.get(region.pk, [])
                times = [reached.get(cid, {}).get(rank) for cid in catalog_ids]
                done = [moment for moment in times if moment is not None]
                complete = bool(catalog_ids) and len(done) == len(catalog_ids)
                done_at = max(done) if complete else None
                label = MilestoneCompletion(milestone.completion).label.removeprefix("目录")
                detail = (
                    f"{len(done)}/{len(catalog_ids)}个目录{label}"
                    if catalog_ids
                    else "尚未建立目录"
                )
            else:
                report = reports.get((milestone.pk, region.pk))
                done_at = report.reported_at if report else None
                detail = "已报送" if report else "未报送"
            table.cells[(region.pk, milestone.pk)] = ProgressCell(
                status=progress_status(due_on=milestone.due_on, done_at=done_at, today=today),
                due_on=milestone.due_on,
                done_at=done_at,
                detail=detail,
            )
    return table


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


def current_campaign() -> Campaign | None:
    return Campaign.objects.current()


def review_queue(user):
    """Catalogs waiting for the province: entered or under acceptance, with open findings."""
    return (
        Catalog.objects.for_user(user)
        .filter(status__in=REVIEW_QUEUE_STATUSES)
        .select_related("region", "standard")
        .annotate(
            unresolved_findings=Count("findings", filter=Q(findings__state__in=UNRESOLVED)),
            error_findings=Count(
                "findings",
                filter=Q(findings__state__in=UNRESOLVED, findings__severity=Severity.ERROR),
            ),
        )
        .order_by("-status", "status_changed_at", "region__code")
    )


@dataclass(frozen=True)
class RuleCount:
    rule_code: str
    title: str
    severity: str
    count: int
    percent: float


def rule_titles() -> dict[str, str]:
    """Rule code -> title, from the checks module's rule set."""
    try:
        from review import checks
    except ImportError:  # the rule set is optional for everything but running checks
        return {}
    return {rule.code: rule.title for rule in getattr(checks, "RULES", [])}


def findings_by_rule(findings) -> list[RuleCount]:
    """Unresolved findings counted per rule (reviewers' own findings as one group)."""
    titles = rule_titles()
    rows = (
        findings.unresolved()
        .values("source", "rule_code", "severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: Counter = Counter()
    severities: dict[str, str] = {}
    for row in rows:
        key = row["rule_code"] if row["source"] == FindingSource.RULE else ""
        counts[key] += row["count"]
        current = severities.get(key)
        if current is None or SEVERITY_ORDER[row["severity"]] < SEVERITY_ORDER[current]:
            severities[key] = row["severity"]
    top = max(counts.values(), default=0)
    return [
        RuleCount(
            rule_code=code or "人工",
            title=titles.get(code, "审核人员提出") if code else "审核人员提出",
            severity=severities[code],
            count=count,
            percent=round(100 * count / top, 1) if top else 0,
        )
        for code, count in counts.most_common()
    ]


# ---------------------------------------------------------------------------
# Snapshots and comparison with the last accepted version
# ---------------------------------------------------------------------------

SNAPSHOT_FIELDS = ITEM_ELEMENT_FIELDS


def catalog_snapshot(catalog: Catalog) -> dict:
    """The catalog's draft items with all elements and local extras, as plain JSON."""
    items = (
        Item.objects.filter(catalog=catalog)
        .prefetch_related("extra_elements")
        .order_by("seq", "pk")
    )
    publication = catalog.publications.filter(is_current=True).first()
    return {
        "catalog": {
            "id": catalog.pk,
            "title": catalog.title,
            "region_code": catalog.region.code,
            "region": catalog.region.full_name,
            "standard": catalog.standard.title,
            "edition": catalog.edition.version,
            "status": catalog.status,
            "publication_number": publication.number if publication else None,
            "unpublished_changes": catalog.has_unpublished_changes,
        },
        "items": [
            {
                "public_id": str(item.public_id),
                "item_id": item.pk,
                **{name: getattr(item, name) for name in SNAPSHOT_FIELDS},
                "extras": [[extra.name, extra.value] for extra in item.extra_elements.all()],
            }
            for item in items
        ],
    }


@dataclass
class ElementChange:
    label: str
    before: str
    after: str


@dataclass
class ItemComparison:
    kind: str  # "added", "removed", "changed"
    name: str
    seq: int
    changes: list[ElementChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"added": "新增事项", "removed": "删除事项", "changed": "要素变化"}[self.kind]


@dataclass
class CatalogComparison:
    decision: AcceptanceDecision | None
    items: list[ItemComparison]
    unchanged: int

    @property
    def has_changes(self) -> bool:
        return bool(self.items)


def _display(value) -> str:
    if isinstance(value, list):
        return "、".join(str(part) for part in value)
    return "" if value is None else str(value)


def _item_name(values: dict) -> str:
    level2 = values.get("level2") or ""
    return f"{values.get('level1', '')} · {level2}" if level2 else values.get("level1", "")


ELEMENT_COMPARE = {**COMPARED_FIELDS, "seq": "序号", "channel_other": "其他渠道说明"}


def compare_items(before: list[dict], after: list[dict]) -> tuple[list[ItemComparison], int]:
    """Element-by-element differences of two item lists, matched on the items' public ids."""
    old = {entry["public_id"]: entry for entry in before}
    result, unchanged = [], 0
    for entry in after:
        previous = old.pop(entry["public_id"], None)
        if previous is None:
            result.append(ItemComparison("added", _item_name(entry), entry["seq"]))
            continue
        changes = [
            ElementChange(label, _display(previous.get(name)), _display(entry.get(name)))
            for name, label in ELEMENT_COMPARE.items()
            if previous.get(name) != entry.get(name)
        ]
        old_extras = dict(previous.get("extras") or [])
        new_extras = dict(entry.get("extras") or [])
        for name in [*old_extras, *(n for n in new_extras if n not in old_extras)]:
            if old_extras.get(name) != new_extras.get(name):
                changes.append(
                    ElementChange(
                        f"本地要素：{name}", old_extras.get(name, ""), new_extras.get(name, "")
                    )
                )
        if changes:
            result.append(ItemComparison("changed", _item_name(entry), entry["seq"], changes))
        else:
            unchanged += 1
    result += [ItemComparison("removed", _item_name(entry), entry["seq"]) for entry in old.values()]
    result.sort(key=lambda comparison: comparison.seq)
    return result, unchanged


def last_accepted_decision(catalog: Catalog) -> AcceptanceDecision | None:
    return (
        AcceptanceDecision.objects.filter(catalog=catalog, decision=Decision.ACCEPT)
        .order_by("-decided_at", "-pk")
        .first()
    )


def compare_with_last_accepted(catalog: Catalog) -> CatalogComparison:
    """How the current catalog differs from its last accepted snapshot, element by element."""
    decision = last_accepted_decision(catalog)
    if decision is None:
        return CatalogComparison(decision=None, items=[], unchanged=0)
    current = catalog_snapshot(catalog)["items"]
    items, unchanged = compare_items(decision.snapshot.get("items", []), current)
    return CatalogComparison(decision=decision, items=items, unchanged=unchanged)


def element_choices() -> list[tuple[str, str]]:
    return [("", "（整个事项）"), *ELEMENT_LABELS.items()]


def findings_for_report(catalog: Catalog):
    return (
        Finding.objects.filter(catalog=catalog)
        .select_related("item", "created_by")
        .order_by("state", "severity", "pk")
    )


def local_date_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)
