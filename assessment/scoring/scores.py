"""Scores: the scheme's indicators over the item grid and the milestones, per region.

A county or township scores its own items and milestones; a city is the average of its
counties (every indicator too), and the province the average of its cities. Ranks are among
siblings (1 is best; equal scores share a rank).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assessment.models import MAX_MARK, IndicatorKind, ScoringScheme, weights_error
from assessment.scoring.grid import Grid, ItemMarks, item_grid
from catalogs.models import Region, RegionLevel
from review.models import Campaign
from review.selectors.progress import ProgressStatus, ProgressTable, campaign_progress

SCORED_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
MILESTONE_CREDIT = {
    ProgressStatus.ON_TIME: 1.0,
    ProgressStatus.LATE: 0.5,
    ProgressStatus.OVERDUE: 0.0,
}


class SchemeError(Exception):
    """The scheme cannot score: none is active, or its weights do not add up to 100."""


@dataclass
class RegionScore:
    region: Region
    score: float
    indicators: dict[str, float]
    items: int = 0
    rank: int | None = None
    mark_averages: dict[str, float] = field(default_factory=dict)
    children: list[RegionScore] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "region_code": self.region.code,
            "name": self.region.name,
            "score": self.score,
            "indicators": self.indicators,
            "rank": self.rank,
        }


@dataclass
class Assessment:
    root: Region
    year: int
    scheme: ScoringScheme
    grid: Grid
    progress: ProgressTable | None
    scores: dict[int, RegionScore]  # by region id

    def of(self, region: Region) -> RegionScore | None:
        return self.scores.get(region.pk)

    @property
    def indicator_names(self) -> list[str]:
        return [indicator.name for indicator in self.scheme.indicators.all()]


def active_scheme() -> ScoringScheme:
    scheme = ScoringScheme.objects.active()
    if scheme is None:
        raise SchemeError("尚未设置当前使用的评分方案，请在管理后台“评分方案”中设置。")
    error = weights_error(indicator.weight for indicator in scheme.indicators.all())
    if error:
        raise SchemeError(f"评分方案“{scheme}”：{error}")
    return scheme


def _average(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _leaf_score(region, rows: list[ItemMarks], scheme, progress) -> RegionScore:
    averages = {}
    for dim in {i.dimension for i in scheme.indicators.all() if i.dimension}:
        marks = [row.mark(dim) for row in rows]
        averages[dim] = sum(marks) / len(marks) if marks else 0.0
    indicators = {}
    for indicator in scheme.indicators.all():
        if indicator.kind == IndicatorKind.MARKS:
            share = averages[indicator.dimension] / MAX_MARK
        else:
            credits = []
            if progress is not None:
                for milestone in progress.milestones:
                    if indicator.milestone_code and milestone.code != indicator.milestone_code:
                        continue
                    cell = progress.cell(region, milestone)
                    if cell is not None and cell.status in MILESTONE_CREDIT:
                        credits.append(MILESTONE_CREDIT[cell.status])
            # Nothing due yet: nothing missed.
            share = sum(credits) / len(credits) if credits else 1.0
        indicators[indicator.name] = round(indicator.weight * share, 1)
    return RegionScore(
        region=region,
        score=round(sum(indicators.values()), 1),
        indicators=indicators,
        items=len(rows),
        mark_averages={dim: round(value, 2) for dim, value in averages.items()},
    )


def _mean_score(region, children: list[RegionScore], scheme) -> RegionScore:
    names = [indicator.name for indicator in scheme.indicators.all()]
    return RegionScore(
        region=region,
        score=_average([child.score for child in children]),
        indicators={name: _average([c.indicators[name] for c in children]) for name in names},
        items=sum(child.items for child in children),
        mark_averages={
            dim: round(sum(c.mark_averages.get(dim, 0) for c in children) / len(children), 2)
            for dim in (children[0].mark_averages if children else {})
        },
        children=children,
    )


def rank(scores: list[RegionScore]) -> None:
    """Competition ranking, best first: equal scores share a rank."""
    ordered = sorted(scores, key=lambda s: (-s.score, s.region.code))
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous and previous.score == score.score else position


def assess(*, root: Region, year: int, today: date, user=None) -> Assessment:
    """Scores for every city, county and township under ``root`` (and ``root`` itself)."""
    scheme = active_scheme()
    grid = item_grid(root=root, year=year, today=today, user=user)
    campaign = Campaign.objects.filter(year=year).first()
    progress = campaign_progress(campaign=campaign, root=root, today=today) if campaign else None
    regions = list(
        Region.objects.descendants_of(root)
        .filter(level__in=[RegionLevel.PROVINCE, *SCORED_LEVELS])
        .exclude(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP], compiles_catalogs=False)
        .only("id", "code", "name", "level", "path", "parent_id")
        .order_by("code")
    )
    rows = grid.by_region()
    scores: dict[int, RegionScore] = {}
    for region in regions:
        if region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
            scores[region.pk] = _leaf_score(region, rows.get(region.pk, []), scheme, progress)
    children: dict[int, list[RegionScore]] = {}
    for region in regions:
        if region.level == RegionLevel.TOWNSHIP and region.parent_id in scores:
            children.setdefault(region.parent_id, []).append(scores[region.pk])
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            scores[region.pk].children = children.get(region.pk, [])
    # Cities are the average of their counties, the province of its cities.
    for level, child_level in (
        (RegionLevel.CITY, RegionLevel.COUNTY),
        (RegionLevel.PROVINCE, RegionLevel.CITY),
    ):
        for region in regions:
            if region.level != level:
                continue
            mine = [
                scores[r.pk]
                for r in regions
                if r.parent_id == region.pk and r.level == child_level and r.pk in scores
            ]
            scores[region.pk] = _mean_score(region, mine, scheme)
    siblings: dict[int | None, list[RegionScore]] = {}
    for score in scores.values():
        siblings.setdefault((score.region.parent_id, score.region.level), []).append(score)
    for group in siblings.values():
        rank(group)
    return Assessment(root, year, scheme, grid, progress, scores)
