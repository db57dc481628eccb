"""Deadline rules: what a parsed 公开时限 says, and the due dates it gives."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from items.deadlines.workdays import (
    DAY,
    MONTH,
    NOTICE,
    PERIOD_MONTHS,
    PERIODIC,
    PROGRESS,
    REALTIME,
    STANDING,
    STATUTORY_CALENDAR,
    UNDATED_KINDS,
    UNKNOWN_YEARS_RAISE,
    WEEK,
    WITHIN,
    WORKDAY,
    WorkdayCalendar,
    _end_of_month,
    _EstimateRecorder,
    add_months,
    add_period,
    format_amount,
    next_workday_on_or_after,
)

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A length of time: the main period, or an extra one such as 公示7个工作日."""

    amount: int
    unit: str  # one of UNITS
    label: str = ""  # 公示, 公告, or the trigger of a second deadline

    def __str__(self) -> str:
        return f"{self.label}{format_amount(self.amount, self.unit)}"

    def end(
        self,
        start: date,
        *,
        unknown_years: str = UNKNOWN_YEARS_RAISE,
        calendar: WorkdayCalendar | None = None,
    ) -> date:
        return add_period(
            start, self.amount, self.unit, unknown_years=unknown_years, calendar=calendar
        )

    @property
    def approx_days(self) -> float:
        """Calendar days, roughly (a working week is seven days); for comparing only."""
        return self.amount * {WORKDAY: 7 / 5, DAY: 1, MONTH: 30}[self.unit]

    @property
    def is_publicity(self) -> bool:
        return "公示" in self.label or "公告" in self.label


@dataclass(frozen=True)
class Due:
    """A due date and whether it rests on a year the calendar does not know (预计)."""

    on: date | None
    estimated: bool = False


@dataclass(frozen=True)
class PeriodWindow:
    """One period of a periodic promise: information formed from ``start`` to ``end``
    (both included) is due on the rule's due date for ``end``."""

    start: date
    end: date
    label: str  # 2026年11月, 2026年第3季度, 2026年上半年, 2026年, 2026年第48周

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DeadlineRule:
    text: str  # the text as written
    kind: str  # WITHIN, PERIODIC, REALTIME, STANDING, NOTICE or PROGRESS
    trigger: str = ""  # 制定或获取信息之日起; empty when the text names none
    amount: int | None = None
    unit: str | None = None  # one of UNITS
    every: str | None = None  # PERIODIC: 年 / 半年 / 季度 / 月 / 周
    by_month: int | None = None  # PERIODIC with a fixed date: 每年3月31日前 → 3
    by_day: int | None = None  # … → 31; None with by_month/every=月 means the month's end
    extra_periods: tuple[Period, ...] = ()
    standing: bool = False  # also says 长期公开
    note: str = ""  # bracketed remarks and reservations, verbatim

    @property
    def period(self) -> Period | None:
        if self.amount is None or self.unit is None:
            return None
        return Period(self.amount, self.unit)

    @property
    def has_due_date(self) -> bool:
        return self.kind not in UNDATED_KINDS

    @property
    def publicity_period(self) -> Period | None:
        """The 公示 the rule requires (公示7个工作日), if any."""
        return next((period for period in self.extra_periods if period.is_publicity), None)

    def describe(self) -> str:
        """The rule in one canonical Chinese wording (NFKC digits, no remarks)."""
        extras = [str(extra) for extra in self.extra_periods]
        if self.kind == NOTICE:
            return self.trigger + ",".join(extras)
        if self.kind == WITHIN:
            head = f"{self.trigger}{format_amount(self.amount, self.unit)}内"
        elif self.kind == REALTIME:
            head = f"{self.trigger}实时更新"
        elif self.kind == STANDING:
            head = "长期公开"
        elif self.kind == PROGRESS:
            head = "根据工作进度公开"
        elif self.amount is not None:
            head = f"每{self.every}结束后{format_amount(self.amount, self.unit)}内"
        elif self.by_month is not None:
            day = f"{self.by_day}日" if self.by_day else "底"
            head = f"每{self.every}{self.by_month}月{day}前"
        elif self.by_day is not None:
            head = f"每{self.every}{self.by_day}日前"
        else:
            head = f"每{self.every}更新"
        parts = [head, *extras]
        if self.standing and self.kind != STANDING:
            parts.append("长期公开")
        return ",".join(parts)

    def due_date(
        self,
        start: date,
        *,
        unknown_years: str = UNKNOWN_YEARS_RAISE,
        calendar: WorkdayCalendar | None = None,
    ) -> date | None:
        """Last day to publish information that arose on ``start``.

        WITHIN: the period counted from ``start``. REALTIME: ``start`` itself. PERIODIC: the
        period's end (or fixed date) on or after ``start``, plus any amount after it, moved
        to the next working day when it falls on a rest day. STANDING, NOTICE, PROGRESS:
        None — they say how long information stays public or how long a 公示 lasts, not
        when it must appear, so there is no due date to compute.
        """
        options = {"unknown_years": unknown_years, "calendar": calendar}
        if self.kind == WITHIN:
            return add_period(start, self.amount, self.unit, **options)
        if self.kind == REALTIME:
            return start
        if self.kind in UNDATED_KINDS:
            return None
        return self._periodic_due(start, **options)

    def due(self, start: date, *, calendar: WorkdayCalendar | None = None) -> Due:
        """``due_date`` that never raises: unknown years count Monday to Friday, and the
        result says so (``estimated``)."""
        recorder = _EstimateRecorder(calendar or STATUTORY_CALENDAR)
        on = self.due_date(start, calendar=recorder)
        return Due(on, estimated=recorder.estimated and on is not None)

    def _periodic_due(self, start: date, *, unknown_years: str, calendar) -> date:
        options = {"unknown_years": unknown_years, "calendar": calendar}
        if self._is_fixed_date:
            return next_workday_on_or_after(self._next_fixed_date(start), **options)
        period_end = self.window(start).end
        if self.amount is None:
            return next_workday_on_or_after(period_end, **options)
        return add_period(period_end, self.amount, self.unit, **options)

    @property
    def _is_fixed_date(self) -> bool:
        return self.by_month is not None or (self.every == "月" and self.by_day is not None)

    def _fixed(self, year: int, month: int) -> date:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, min(self.by_day or last, last))

    def _next_fixed_date(self, start: date) -> date:
        if self.every == "月":
            candidate = self._fixed(start.year, start.month)
            if candidate < start:
                following = add_months(date(start.year, start.month, 1), 1)
                candidate = self._fixed(following.year, following.month)
            return candidate
        candidate = self._fixed(start.year, self.by_month)
        return candidate if candidate >= start else self._fixed(start.year + 1, self.by_month)

    def _previous_fixed_date(self, fixed: date) -> date:
        if self.every == "月":
            previous = add_months(date(fixed.year, fixed.month, 1), -1)
            return self._fixed(previous.year, previous.month)
        return self._fixed(fixed.year - 1, self.by_month)

    # -- periods of PERIODIC rules ------------------------------------------------

    def window(self, day: date) -> PeriodWindow:
        """The period ``day`` belongs to (PERIODIC rules only)."""
        if self.kind != PERIODIC:
            raise ValueError(f"{self.text!r} is not a periodic rule")
        if self._is_fixed_date:
            fixed = self._next_fixed_date(day)
            start = self._previous_fixed_date(fixed) + timedelta(days=1)
            label = f"{fixed.year}年{fixed.month}月" if self.every == "月" else f"{fixed.year}年"
            return PeriodWindow(start, fixed, label)
        if self.every == WEEK:
            start = day - timedelta(days=day.weekday())
            week = start.isocalendar()
            return PeriodWindow(start, start + timedelta(days=6), f"{week[0]}年第{week[1]}周")
        span = PERIOD_MONTHS[self.every]
        index = (day.month - 1) // span
        first_month = index * span + 1
        start = date(day.year, first_month, 1)
        end = _end_of_month(day.year, first_month + span - 1)
        label = {
            "年": f"{day.year}年",
            "半年": f"{day.year}年{'上' if index == 0 else '下'}半年",
            "季度": f"{day.year}年第{index + 1}季度",
            "月": f"{day.year}年{first_month}月",
        }[self.every]
        return PeriodWindow(start, end, label)

    def windows(self, since: date, until: date) -> list[PeriodWindow]:
        """Every period from the one holding ``since`` to the one holding ``until``."""
        windows = []
        day = since
        while day <= until:
            window = self.window(day)
            windows.append(window)
            day = window.end + timedelta(days=1)
        return windows
