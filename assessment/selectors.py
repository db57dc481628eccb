"""Reads for the assessment pages, the report and ``score_regions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from assessment.models import MAX_MARK, Dimension, MarkOverride
from assessment.scoring import Assessment, RegionScore, assess
from catalogs.models import Region, RegionLevel, Role
from catalogs.permissions import is_province_reviewer, profile_of
from review.models import Campaign
from review.selectors.progress import ProgressStatus


def assessment_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))


def default_year(today: date) -> int:
    campaign = Campaign.objects.current()
    return campaign.year if campaign else today.year


def scope_for(region: Region) -> Region:
    """The region whose scores rank ``region`` among its siblings: its parent."""
    return region.parent if region.parent_id else region


def region_scores(*, region: Region, year: int, today: date) -> tuple[Assessment, list[dict]]:
    """``region`` and its scored children, as ``score_regions --format json`` lists them."""
    result = assess(root=scope_for(region), year=year, today=today)
    own = result.of(region)
    if own is None:
        return result, []
    entries = [own.as_json()]
    children = sorted(
        (s for s in result.scores.values() if s.region.parent_id == region.pk),
        key=lambda s: s.region.code,
    )
    return result, entries + [child.as_json() for child in children]


def may_assess(user, region: Region) -> bool:
    """Reviewers see every region; a city coordinator sees their own city."""
    if is_province_reviewer(user):
        return True
    profile = profile_of(user)
    return bool(
        profile
        and profile.role == Role.CITY_COORDINATOR
        and region.level != RegionLevel.PROVINCE
        and region.is_within(profile.region)
    )


def require_assess(user, region: Region) -> None:
    if not may_assess(user, region):
        raise PermissionDenied("您无权查看该地区的目标责任制评估。")


@dataclass
class Chart:
    """One chart's numbers: drawn by static/assessment/js/charts.js, tabled beside it."""

    key: str
    title: str
    kind: str  # bar | stacked
    labels: list[str]
    series: list[dict]  # {"label": ..., "values": [...]}
    unit: str = ""

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "labels": self.labels,
            "series": self.series,
            "unit": self.unit,
        }

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [
            (label, [series["values"][i] for series in self.series])
            for i, label in enumerate(self.labels)
        ]


def children_of(result: Assessment, region: Region) -> list[RegionScore]:
    return sorted(
        (s for s in result.scores.values() if s.region.parent_id == region.pk),
        key=lambda s: (s.rank or 0, s.region.code),
    )


def dashboard_charts(result: Assessment, region: Region) -> list[Chart]:
    children = sorted(
        (s for s in result.scores.values() if s.region.parent_id == region.pk),
        key=lambda s: s.region.code,
    )
    child_label = "各市（州）" if region.level == RegionLevel.PROVINCE else "各县（市、区）"
    charts = [
        Chart(
            "scores",
            f"{child_label}得分",
            "bar",
            [s.region.name for s in children],
            [{"label": "得分", "values": [s.score for s in children]}],
            "分",
        )
    ]
    if region.level == RegionLevel.PROVINCE:
        counties = sorted(
            (s for s in result.scores.values() if s.region.level == RegionLevel.COUNTY),
            key=lambda s: s.region.code,
        )
        charts.append(
            Chart(
                "counties",
                "各县（市、区）得分",
                "bar",
                [s.region.name for s in counties],
                [{"label": "得分", "values": [s.score for s in counties]}],
                "分",
            )
        )
    rows = [row for row in result.grid.rows if row.catalog.region.path.startswith(region.path)]
    distribution = {dim: [0] * (MAX_MARK + 1) for dim in Dimension.values}
    for row in rows:
        for dim, mark in row.marks.items():
            distribution[dim][mark] += 1
    charts.append(
        Chart(
            "marks",
            "事项评分分布",
            "stacked",
            [label for _value, label in Dimension.choices],
            [
                {
                    "label": f"{mark}分",
                    "values": [distribution[dim][mark] for dim in Dimension.values],
                }
                for mark in range(MAX_MARK + 1)
            ],
            "个事项",
        )
    )
    if result.progress is not None:
        progress = result.progress
        inside = [r for r in progress.regions if r.path.startswith(region.path)]
        labels, series = [], {status: [] for status in ProgressStatus.ORDER}
        for milestone in progress.milestones:
            labels.append(f"{milestone.title}（{milestone.due_on:%m月%d日}）")
            counts = dict.fromkeys(ProgressStatus.ORDER, 0)
            for r in inside:
                cell = progress.cell(r, milestone)
                if cell is not None:
                    counts[cell.status] += 1
            for status in ProgressStatus.ORDER:
                series[status].append(counts[status])
        charts.append(
            Chart(
                "milestones",
                "工作节点进度",
                "stacked",
                labels,
                [
                    {"label": ProgressStatus.LABELS[status], "values": series[status]}
                    for status in ProgressStatus.ORDER
                ],
                "个地区",
            )
        )
        charts.append(milestones_over_time(progress, inside))
    return charts


def milestones_over_time(progress, regions) -> Chart:
    """Per milestone, how many regions had completed it by the end of each month."""
    campaign = progress.campaign
    start = campaign.starts_on.replace(day=1)
    last_due = max((m.due_on for m in progress.milestones), default=start)
    end = min(progress.today, last_due + timedelta(days=62))
    months = []
    month = start
    while month <= end and len(months) < 36:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    series = []
    for milestone in progress.milestones:
        done_on = [
            cell.done_on
            for r in regions
            if (cell := progress.cell(r, milestone)) is not None and cell.done_on
        ]
        values = []
        for month in months:
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            values.append(sum(1 for day in done_on if day <= month_end))
        series.append({"label": milestone.title, "values": values})
    return Chart(
        "timeline",
        "各工作节点累计完成情况（按月）",
        "line",
        [f"{month.year}年{month.month}月" for month in months],
        series,
        "个地区",
    )


def overrides_within(region: Region, year: int):
    return (
        MarkOverride.objects.filter(year=year)
        .filter(Q(catalog__region__path__startswith=region.path))
        .select_related("catalog__region", "created_by")
    )
