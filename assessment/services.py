"""Writes of the assessment: a reviewer's mark override and the monitoring round (整改)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import MAX_MARK, Dimension, MarkOverride
from assessment.scoring import item_grid
from assessment.scoring.grid import ROUND_PREFIX
from catalogs.models import Region
from catalogs.permissions import history_user
from items.models import Item
from review.models import Finding, FindingSource, Severity
from review.permissions import require_reviewer
from review.services.findings import finding_create


@transaction.atomic
def mark_override(
    *, actor, item: Item, year: int, dimension: str, mark: int, reason: str, now=None
) -> MarkOverride:
    """A reviewer replaces one computed mark of an item; the previous mark is kept."""
    require_reviewer(actor)
    now = now or timezone.now()
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": f"无效的评分项“{dimension}”。"})
    if not isinstance(mark, int) or not 0 <= mark <= MAX_MARK:
        raise ValidationError({"mark": "评分应为0至3的整数。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写调整理由。"})
    catalog = item.catalog
    grid = item_grid(root=catalog.region, year=year, today=timezone.localtime(now).date())
    current = next(row for row in grid.rows if row.item.pk == item.pk)
    override = MarkOverride(
        year=year,
        catalog=catalog,
        item_public_id=item.public_id,
        item_label=f"第{item.seq}项 {item.level2 or item.level1}",
        dimension=dimension,
        previous_mark=current.mark(dimension),
        mark=mark,
        reason=reason.strip(),
        created_by=history_user(actor),
        created_at=now,
    )
    override.full_clean()
    override.save()
    return override


@dataclass(frozen=True)
class RoundResult:
    created: list[Finding]
    skipped: int  # items that already have an open finding of an earlier round


@transaction.atomic
def monitoring_round_start(
    *, actor, region: Region, year: int, due_on: date, now=None
) -> RoundResult:
    """Turn every item under ``region`` below 3 on any mark into a reviewer's finding with
    ``due_on`` as its deadline, through review's ``finding_create`` (which checks the actor).
    An item that still has an unresolved finding of an earlier round is left alone."""
    require_reviewer(actor)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    grid = item_grid(root=region, year=year, today=today)
    open_items = set(
        Finding.objects.unresolved()
        .filter(
            catalog__region__path__startswith=region.path,
            source=FindingSource.REVIEWER,
            description__startswith=f"{ROUND_PREFIX}（{year}年度）",
        )
        .values_list("item_id", flat=True)
    )
    short = [row for row in grid.rows if row.short]
    items = Item.objects.in_bulk([row.item.pk for row in short])
    created, skipped = [], 0
    for row in short:
        if row.item.pk in open_items:
            skipped += 1
            continue
        shortfalls = [
            f"{Dimension(dim).label}{mark}分（{why}）"
            for dim, mark, _overridden, why in row.cells
            if mark < MAX_MARK
        ]
        created.append(
            finding_create(
                actor=actor,
                catalog=row.catalog,
                item=items[row.item.pk],
                severity=Severity.WARNING,
                description=f"{ROUND_PREFIX}（{year}年度）：" + "；".join(shortfalls),
                required_fix="请于整改期限前补齐公开信息、佐证和链接，整改后将重新评分。",
                due_on=due_on,
                now=now,
            )
        )
    return RoundResult(created, skipped)
