"""Due dates and timeliness of records: on time, late by N working days, not yet due.

Timeliness is computed from dates, never stored: ``due_on`` (from the item's 公开时限 and the
record's 形成日期 on the working-day calendar), ``published_on`` and today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models

from items.deadlines import Due, WorkdayCalendar, parse_deadline, workdays_between


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", "按时公开"
    LATE = "late", "逾期公开"
    NOT_DUE = "not_due", "未到期"
    OVERDUE = "overdue", "逾期未公开"
    NO_DEADLINE = "no_deadline", "无固定时限"


def compute_due(deadline_text: str, formed_on: date, calendar: WorkdayCalendar) -> Due:
    """The due date of information formed on ``formed_on`` under a 公开时限 text."""
    rule = parse_deadline((deadline_text or "").strip())
    if rule is None:
        return Due(None)
    return rule.due(formed_on, calendar=calendar)


@dataclass(frozen=True)
class RecordState:
    timeliness: str  # a Timeliness value
    due_on: date | None
    estimated: bool
    late_workdays: int = 0  # working days after due_on (so far, when not yet published)

    @property
    def label(self) -> str:
        label = Timeliness(self.timeliness).label
        if self.timeliness in (Timeliness.LATE, Timeliness.OVERDUE):
            label = f"{label}{self.late_workdays}个工作日"
        if self.estimated:
            label += "（预计）"
        return label

    @property
    def on_time(self) -> bool | None:
        """True/False once it can be told; None while not yet due or without a deadline."""
        if self.timeliness == Timeliness.ON_TIME:
            return True
        if self.timeliness in (Timeliness.LATE, Timeliness.OVERDUE):
            return False
        return None


def record_state(record, *, today: date, calendar: WorkdayCalendar) -> RecordState:
    due_on, estimated = record.due_on, record.due_estimated
    if due_on is None:
        return RecordState(Timeliness.NO_DEADLINE, None, False)
    if record.published_on is not None:
        if record.published_on <= due_on:
            return RecordState(Timeliness.ON_TIME, due_on, estimated)
        late = workdays_between(due_on, record.published_on, calendar=calendar)
        return RecordState(Timeliness.LATE, due_on, estimated, max(late, 1))
    if today <= due_on:
        return RecordState(Timeliness.NOT_DUE, due_on, estimated)
    late = workdays_between(due_on, today, calendar=calendar)
    return RecordState(Timeliness.OVERDUE, due_on, estimated, max(late, 1))
