"""Due dates and the holiday table they are computed with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogs.permissions import require_province_admin
from items.models import Item
from records.calendar import (
    HolidayRow,
    TableCalendar,
    chinesecalendar_days,
    chinesecalendar_source,
    load_calendar,
)
from records.models import DisclosureRecord, HolidayCalendar
from records.services.common import apply_due, records_touch


def records_refresh_due(
    *, records=None, calendar: TableCalendar | None = None, batch_size: int = 500
) -> int:
    """Recompute due dates (after the holiday table or an item's 公开时限 changed).

    Derived data only (no actor): the inputs were each written through a service.
    """
    calendar = calendar or load_calendar()
    queryset = DisclosureRecord.objects.all() if records is None else records
    changed = []
    deadlines = {}
    for record in queryset.only(
        "pk", "catalog_id", "item_id", "formed_on", "due_on", "due_estimated", "deadline_text"
    ).iterator(chunk_size=batch_size):
        deadlines.setdefault(record.item_id, None)
        changed.append(record)
    deadlines.update(
        Item.objects.filter(public_id__in=list(deadlines)).values_list("public_id", "deadline")
    )
    dirty = []
    for record in changed:
        deadline = deadlines.get(record.item_id)
        if deadline is None:
            deadline = record.deadline_text  # the item is gone: keep the promise it had
        if apply_due(record, deadline, calendar):
            dirty.append(record)
    DisclosureRecord.objects.bulk_update(
        dirty, ["due_on", "due_estimated", "deadline_text"], batch_size=batch_size
    )
    records_touch(record.catalog_id for record in dirty)
    return len(dirty)


# ---------------------------------------------------------------------------
# Holiday table
# ---------------------------------------------------------------------------


@dataclass
class HolidayLoadReport:
    years: list[int] = field(default_factory=list)
    rest_days: int = 0
    work_days: int = 0
    refreshed_records: int = 0

    def __str__(self) -> str:
        years = "、".join(f"{year}年" for year in self.years)
        return (
            f"已导入{years}的节假日安排：放假{self.rest_days}天，调休上班{self.work_days}天；"
            f"重新计算了{self.refreshed_records}条公开信息的期限。"
        )


def _replace_years(rows: list[tuple[date, str, str]], source: str) -> HolidayLoadReport:
    years = sorted({day.year for day, _, _ in rows})
    HolidayCalendar.objects.filter(date__year__in=years).delete()
    HolidayCalendar.objects.bulk_create(
        HolidayCalendar(date=day, kind=kind, name=name, source=source[:200])
        for day, kind, name in rows
    )
    report = HolidayLoadReport(years=years)
    report.rest_days = sum(1 for _, kind, _ in rows if kind == "rest")
    report.work_days = len(rows) - report.rest_days
    return report


@transaction.atomic
def holidays_load(*, actor, rows: list[HolidayRow], source: str) -> HolidayLoadReport:
    """Load the State Council's schedule; each year in ``rows`` replaces what the table had."""
    require_province_admin(actor)
    if not source.strip():
        raise ValidationError("请注明来源（如国务院办公厅通知的文号）。")
    report = _replace_years([(row.day, row.kind, row.name) for row in rows], source.strip())
    report.refreshed_records = records_refresh_due()
    return report


@transaction.atomic
def holidays_seed_from_chinesecalendar(*, actor, replace: bool = False) -> HolidayLoadReport:
    """Add the years ``chinesecalendar`` knows and the table does not (all of them if
    ``replace``): a province's own corrections are kept unless asked otherwise."""
    require_province_admin(actor)
    known = {day.year for day in HolidayCalendar.objects.dates("date", "year")}
    rows = [row for row in chinesecalendar_days() if replace or row[0].year not in known]
    if not rows:
        return HolidayLoadReport()
    report = _replace_years(rows, chinesecalendar_source())
    report.refreshed_records = records_refresh_due()
    return report


@transaction.atomic
def holiday_save(
    *,
    actor,
    day: date,
    kind: str,
    name: str = "",
    source: str,
    holiday: HolidayCalendar | None = None,
) -> HolidayCalendar:
    """Add or correct one day of the holiday table (the admin); due dates follow."""
    require_province_admin(actor)
    if kind == "work" and day.weekday() < 5:
        raise ValidationError(
            {
                "kind": f"{day.isoformat()}是周{'一二三四五'[day.weekday()]}，本来就是工作日，"
                "不应标为“班”（调休上班只在周六或周日）。"
            }
        )
    row = (
        HolidayCalendar.objects.select_for_update().get(pk=holiday.pk)
        if holiday is not None and holiday.pk
        else HolidayCalendar()
    )
    if HolidayCalendar.objects.filter(date=day).exclude(pk=row.pk).exists():
        raise ValidationError({"date": f"{day.isoformat()}已在节假日安排中，请修改那一条。"})
    row.date, row.kind, row.name, row.source = day, kind, (name or "").strip(), source.strip()
    row.full_clean()
    row.save()
    records_refresh_due()
    return row


@transaction.atomic
def holiday_delete(*, actor, holiday: HolidayCalendar) -> None:
    """Remove one day; the year stays known while it has other rows. Due dates follow."""
    require_province_admin(actor)
    HolidayCalendar.objects.filter(pk=holiday.pk).delete()
    records_refresh_due()
