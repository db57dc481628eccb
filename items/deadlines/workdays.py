"""Working days on China's statutory calendar, and the units and kinds of deadlines."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Protocol

import chinese_calendar
from chinese_calendar import constants as _calendar_data

WORKDAY = "工作日"
DAY = "日"
MONTH = "个月"
UNITS = (WORKDAY, DAY, MONTH)
_UNIT_TEXT = {WORKDAY: "个工作日", DAY: "日", MONTH: "个月"}


def format_amount(amount: int, unit: str) -> str:
    """10, 工作日 → 10个工作日."""
    return f"{amount}{_UNIT_TEXT[unit]}"


# DeadlineRule.kind
WITHIN = "within"  # N units after a trigger
PERIODIC = "periodic"  # every year / quarter / month
REALTIME = "realtime"  # 实时更新, 及时公开: no fixed amount, publish as it happens
STANDING = "standing"  # 长期公开, 常态化公开: how long it stays public, not when it must appear
NOTICE = "notice"  # 公示期7天, 审核后公示7天: how long a 公示 lasts, no publication limit
PROGRESS = "progress"  # 根据工作进度公开: follows the work, no fixed limit
# Kinds without a date by which information must be out.
UNDATED_KINDS = frozenset({STANDING, NOTICE, PROGRESS})

# Periods of PERIODIC rules, as the number of months they span.
PERIOD_MONTHS = {"年": 12, "半年": 6, "季度": 3, "月": 1}
WEEK = "周"
# 定期公开 names no period; it is held to once a year, the loosest period the catalogs use.
UNSTATED_PERIOD = "年"
UNSTATED_PERIOD_NOTE = "未写明周期，按每年至少一次计"

_known_years = sorted({day.year for day in _calendar_data.holidays})
CALENDAR_YEARS = range(_known_years[0], _known_years[-1] + 1)
UNKNOWN_YEARS_RAISE = "raise"
UNKNOWN_YEARS_WEEKDAYS = "weekdays"


class WorkdayCalendarError(ValueError):
    """The statutory holiday schedule of that year is not known to the calendar in use."""


# ---------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------


class WorkdayCalendar(Protocol):
    def workday(self, day: date) -> bool | None:
        """True for a working day, False for a rest day, None when the year is unknown."""

    def missing_message(self, day: date) -> str:
        """A Chinese sentence saying that ``day``'s year is unknown and what to do about it."""


class StatutoryCalendar:
    """The State Council's schedule as the ``chinesecalendar`` package ships it."""

    years = CALENDAR_YEARS

    def workday(self, day: date) -> bool | None:
        if day.year in CALENDAR_YEARS:
            return chinese_calendar.is_workday(day)
        return None

    def missing_message(self, day: date) -> str:
        return (
            f"节假日安排只收录了{CALENDAR_YEARS.start}—{CALENDAR_YEARS.stop - 1}年，"
            f"无法确定{day.isoformat()}是否为工作日；请升级 chinesecalendar，"
            f'或以 unknown_years="weekdays" 按周一至周五估算。'
        )


STATUTORY_CALENDAR = StatutoryCalendar()


class _EstimateRecorder:
    """Wraps a calendar: answers unknown years with Monday to Friday and remembers it did."""

    def __init__(self, inner: WorkdayCalendar):
        self.inner = inner
        self.estimated = False

    def workday(self, day: date) -> bool | None:
        answer = self.inner.workday(day)
        if answer is None:
            self.estimated = True
            return day.weekday() < 5
        return answer

    def missing_message(self, day: date) -> str:  # pragma: no cover - never asked
        return self.inner.missing_message(day)


# ---------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------


def is_workday(
    day: date,
    *,
    unknown_years: str = UNKNOWN_YEARS_RAISE,
    calendar: WorkdayCalendar | None = None,
) -> bool:
    """A working day: weekdays minus holidays plus 调休 Saturdays/Sundays."""
    calendar = calendar or STATUTORY_CALENDAR
    answer = calendar.workday(day)
    if answer is not None:
        return answer
    if unknown_years == UNKNOWN_YEARS_WEEKDAYS:
        return day.weekday() < 5
    raise WorkdayCalendarError(calendar.missing_message(day))


def add_workdays(
    day: date,
    n: int,
    *,
    unknown_years: str = UNKNOWN_YEARS_RAISE,
    calendar: WorkdayCalendar | None = None,
) -> date:
    """The n-th working day after ``day`` (before it when n < 0); ``day`` itself is not counted.

    ``add_workdays(d, 0)`` is ``d``. Raises WorkdayCalendarError when it has to look at a
    year the calendar does not know, unless ``unknown_years="weekdays"``.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_workday(current, unknown_years=unknown_years, calendar=calendar):
            remaining -= 1
    return current


def workdays_between(
    start: date,
    end: date,
    *,
    unknown_years: str = UNKNOWN_YEARS_WEEKDAYS,
    calendar: WorkdayCalendar | None = None,
) -> int:
    """Working days after ``start`` up to and including ``end``; negative when end < start.

    A record due on Friday and published the next Monday is one working day late.
    """
    if end == start:
        return 0
    sign, low, high = (1, start, end) if end > start else (-1, end, start)
    count = 0
    current = low
    while current < high:
        current += timedelta(days=1)
        if is_workday(current, unknown_years=unknown_years, calendar=calendar):
            count += 1
    return sign * count


def next_workday_on_or_after(
    day: date,
    *,
    unknown_years: str = UNKNOWN_YEARS_RAISE,
    calendar: WorkdayCalendar | None = None,
) -> date:
    while not is_workday(day, unknown_years=unknown_years, calendar=calendar):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later; the month's last day where it has no such day (1月31日 → 2月28日)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_period(
    start: date,
    amount: int,
    unit: str,
    *,
    unknown_years: str = UNKNOWN_YEARS_RAISE,
    calendar: WorkdayCalendar | None = None,
) -> date:
    """Last day of a period of ``amount`` ``unit`` counted from ``start`` (not itself counted)."""
    if unit == WORKDAY:
        return add_workdays(start, amount, unknown_years=unknown_years, calendar=calendar)
    if unit == DAY:
        end = start + timedelta(days=amount)
    elif unit == MONTH:
        end = add_months(start, amount)
    else:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    # A period that ends on a rest day or holiday ends on the next working day (民法典 203).
    return next_workday_on_or_after(end, unknown_years=unknown_years, calendar=calendar)
