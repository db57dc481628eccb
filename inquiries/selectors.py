"""Reads of the inquiries app: the per-region overview (收到 / 按时答复 / 逾期答复 / 逾期未答复)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q

from catalogs.models import Region
from inquiries.models import OPEN_STATES, Inquiry, Status

COLUMNS = (
    ("received", "收到留言"),
    ("on_time", "按时答复"),
    ("late", "逾期答复"),
    ("overdue", "逾期未答复"),
    ("pending", "未到期待答复"),
    ("held", "其中待审核"),
    ("rejected", "驳回（垃圾信息）"),
)


@dataclass
class OverviewRow:
    region: Region | None
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(dict(COLUMNS), 0))

    def add(self, counts: dict) -> None:
        for name in self.counts:
            self.counts[name] += counts[name] or 0

    @property
    def on_time_rate(self) -> str:
        answered = self.counts["on_time"] + self.counts["late"]
        if not answered:
            return "—"
        return f"{100 * self.counts['on_time'] / answered:.0f}%"


def _aggregates(today: date) -> dict:
    answered = Q(status=Status.ANSWERED)
    still_open = Q(status__in=OPEN_STATES)
    return {
        "received": Count("pk", filter=~Q(status=Status.REJECTED)),
        "on_time": Count("pk", filter=answered & Q(answered_on__lte=F("due_date"))),
        "late": Count("pk", filter=answered & Q(answered_on__gt=F("due_date"))),
        "overdue": Count("pk", filter=still_open & Q(due_date__lt=today)),
        "pending": Count("pk", filter=still_open & Q(due_date__gte=today)),
        "held": Count("pk", filter=Q(status=Status.HELD)),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
    }


def region_overview(
    scope: Region, *, start: date, end: date, today: date
) -> tuple[list[OverviewRow], OverviewRow]:
    """One row per region directly below ``scope`` (its whole area rolled up), a row for
    ``scope``'s own inquiries when it has any, and the total: inquiries received from
    ``start`` to ``end``; overdue as of ``today``. Two queries, whatever the number of regions.
    """
    children = list(Region.objects.filter(parent=scope).order_by("code"))
    rows = {child.code: OverviewRow(child, child.name) for child in children}
    own = OverviewRow(scope, f"{scope.name}本级")
    total = OverviewRow(None, "合计")
    depth = len(scope.ancestor_codes())
    grouped = (
        Inquiry.objects.filter(
            region__path__startswith=scope.path, received_on__gte=start, received_on__lte=end
        )
        .values("region__path")
        .annotate(**_aggregates(today))
        .order_by()
    )
    for counts in grouped:
        codes = [code for code in counts["region__path"].split("/") if code]
        row = rows.get(codes[depth]) if len(codes) > depth else own
        (row or own).add(counts)
        total.add(counts)
    result = [rows[child.code] for child in children]
    if any(own.counts.values()):
        result.insert(0, own)
    return result, total
