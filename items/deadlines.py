"""Disclosure deadlines (公开时限) read as rules, and working days on China's statutory calendar.

The catalogs write deadlines as short Chinese phrases. ``parse_deadline`` reads the ones
that state a rule and returns None for anything else, so a checker can flag the rest.

Grammar (after NFKC folding, removing white space and turning Chinese numerals before a
unit into digits; clauses are separated by , ; 。 and bracketed remarks are kept as a note):

    deadline  := main ("," (extra | main | standing))*
    main      := within | periodic | realtime | standing
    within    := [trigger] N unit ("内" | "以内" | "之内") [verb]
                 制定或获取信息之日起10个工作日内 · 收到申请之日起20日内 · 10个工作日内公开
    trigger   := text ending in 之日起 | 之日 | 起 | 后 | 以后 | 之后
    unit      := 个工作日 | 工作日 | 日 | 天 | 个自然日 | 自然日 | 个月 | 周   (→ 工作日 / 日 / 个月)
    extra     := [并] (公示 | 公告 | 张榜公示)[期] [为 | 不少于] N unit      公示7个工作日
    periodic  := (每 | 按) period ( [结束]后 N unit 内 | [M月](D日 | 底 | 末)前 | [公开|更新][1次] )
                 每季度结束后10日内 · 每年3月31日前 · 每年1月底前 · 每月10日前 · 每季度更新一次
    period    := 年 | 年度 | 半年 | 季度 | 季 | 月 | 周
    realtime  := [trigger] (实时 | 及时 | 即时 | 动态)[更新 | 公开 | 发布 | 调整]
    standing  := (长期 | 常年 | 持续)[公开 | 公示 | 有效]

Counting follows the Civil Code (民法典 第二百零一至二百零三条): the start day is not
counted; a period in days or months that ends on a statutory holiday or rest day ends on
the next working day instead; a month with no corresponding day ends on its last day.
Working days come from the ``chinesecalendar`` package, which knows the State Council's
holiday schedule including make-up working days (调休) — but only for the years it ships
(see ``CALENDAR_YEARS``). Outside them ``add_workdays`` raises ``WorkdayCalendarError``
unless the caller asks for ``unknown_years="weekdays"``, which counts Monday to Friday and
is then only an estimate.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

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
STANDING = "standing"  # 长期公开: how long it stays public, not when it must appear
KINDS = (WITHIN, PERIODIC, REALTIME, STANDING)

# Periods of PERIODIC rules, as the number of months they span.
PERIOD_MONTHS = {"年": 12, "半年": 6, "季度": 3, "月": 1}
WEEK = "周"

_known_years = sorted({day.year for day in _calendar_data.holidays})
CALENDAR_YEARS = range(_known_years[0], _known_years[-1] + 1)
UNKNOWN_YEARS_RAISE = "raise"
UNKNOWN_YEARS_WEEKDAYS = "weekdays"


class WorkdayCalendarError(ValueError):
    """The statutory holiday schedule of that year is not known (chinesecalendar lacks it)."""


# ---------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------


def is_workday(day: date, *, unknown_years: str = UNKNOWN_YEARS_RAISE) -> bool:
    """A working day on the statutory calendar: weekdays minus holidays plus 调休 Saturdays/Sundays."""
    if day.year in CALENDAR_YEARS:
        return chinese_calendar.is_workday(day)
    if unknown_years == UNKNOWN_YEARS_WEEKDAYS:
        return day.weekday() < 5
    raise WorkdayCalendarError(
        f"节假日安排只收录了{CALENDAR_YEARS.start}—{CALENDAR_YEARS.stop - 1}年，"
        f"无法确定{day.isoformat()}是否为工作日；请升级 chinesecalendar，"
        f'或以 unknown_years="weekdays" 按周一至周五估算。'
    )


def add_workdays(day: date, n: int, *, unknown_years: str = UNKNOWN_YEARS_RAISE) -> date:
    """The n-th working day after ``day`` (before it when n < 0); ``day`` itself is not counted.

    ``add_workdays(d, 0)`` is ``d``. Raises WorkdayCalendarError when it has to look at a
    year the calendar does not know, unless ``unknown_years="weekdays"``.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_workday(current, unknown_years=unknown_years):
            remaining -= 1
    return current


def next_workday_on_or_after(day: date, *, unknown_years: str = UNKNOWN_YEARS_RAISE) -> date:
    while not is_workday(day, unknown_years=unknown_years):
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
    start: date, amount: int, unit: str, *, unknown_years: str = UNKNOWN_YEARS_RAISE
) -> date:
    """Last day of a period of ``amount`` ``unit`` counted from ``start`` (not itself counted)."""
    if unit == WORKDAY:
        return add_workdays(start, amount, unknown_years=unknown_years)
    if unit == DAY:
        end = start + timedelta(days=amount)
    elif unit == MONTH:
        end = add_months(start, amount)
    else:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    # A period that ends on a rest day or holiday ends on the next working day (民法典 203).
    return next_workday_on_or_after(end, unknown_years=unknown_years)


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

    def end(self, start: date, *, unknown_years: str = UNKNOWN_YEARS_RAISE) -> date:
        return add_period(start, self.amount, self.unit, unknown_years=unknown_years)

    @property
    def approx_days(self) -> float:
        """Calendar days, roughly (a working week is seven days); for comparing only."""
        return self.amount * {WORKDAY: 7 / 5, DAY: 1, MONTH: 30}[self.unit]


@dataclass(frozen=True)
class DeadlineRule:
    text: str  # the text as written
    kind: str  # one of KINDS
    trigger: str = ""  # 制定或获取信息之日起; empty when the text names none
    amount: int | None = None
    unit: str | None = None  # one of UNITS
    every: str | None = None  # PERIODIC: 年 / 半年 / 季度 / 月 / 周
    by_month: int | None = None  # PERIODIC with a fixed date: 每年3月31日前 → 3
    by_day: int | None = None  # … → 31; None with by_month/every=月 means the month's end
    extra_periods: tuple[Period, ...] = ()
    standing: bool = False  # also says 长期公开
    note: str = ""  # bracketed remarks, verbatim

    @property
    def period(self) -> Period | None:
        if self.amount is None or self.unit is None:
            return None
        return Period(self.amount, self.unit)

    def describe(self) -> str:
        """The rule in one canonical Chinese wording (NFKC digits, no remarks)."""
        if self.kind == WITHIN:
            head = f"{self.trigger}{format_amount(self.amount, self.unit)}内"
        elif self.kind == REALTIME:
            head = f"{self.trigger}实时更新"
        elif self.kind == STANDING:
            head = "长期公开"
        elif self.amount is not None:
            head = f"每{self.every}结束后{format_amount(self.amount, self.unit)}内"
        elif self.by_month is not None:
            day = f"{self.by_day}日" if self.by_day else "底"
            head = f"每{self.every}{self.by_month}月{day}前"
        elif self.by_day is not None:
            head = f"每{self.every}{self.by_day}日前"
        else:
            head = f"每{self.every}更新"
        parts = [head, *(str(extra) for extra in self.extra_periods)]
        if self.standing and self.kind != STANDING:
            parts.append("长期公开")
        return ",".join(parts)

    def due_date(self, start: date, *, unknown_years: str = UNKNOWN_YEARS_RAISE) -> date | None:
        """Last day to publish information that arose on ``start``.

        WITHIN: the period counted from ``start``. REALTIME: ``start`` itself. PERIODIC: the
        period's end (or fixed date) on or after ``start``, plus any amount after it.
        STANDING: None — 长期公开 says how long information stays public, not when it must
        appear, so there is no due date to compute.
        """
        if self.kind == WITHIN:
            return add_period(start, self.amount, self.unit, unknown_years=unknown_years)
        if self.kind == REALTIME:
            return start
        if self.kind == STANDING:
            return None
        return self._periodic_due(start, unknown_years=unknown_years)

    def _periodic_due(self, start: date, *, unknown_years: str) -> date:
        if self.by_month is not None or (self.every == "月" and self.by_day is not None):
            return self._next_fixed_date(start)
        if self.every == WEEK:
            period_end = start + timedelta(days=6 - start.weekday())
        else:
            span = PERIOD_MONTHS[self.every]
            last_month = ((start.month - 1) // span + 1) * span
            period_end = _end_of_month(start.year, last_month)
        if self.amount is None:
            return period_end
        return add_period(period_end, self.amount, self.unit, unknown_years=unknown_years)

    def _next_fixed_date(self, start: date) -> date:
        def fixed(year: int, month: int) -> date:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, min(self.by_day or last, last))

        if self.every == "月":
            candidate = fixed(start.year, start.month)
            if candidate < start:
                following = add_months(date(start.year, start.month, 1), 1)
                candidate = fixed(following.year, following.month)
            return candidate
        candidate = fixed(start.year, self.by_month)
        return candidate if candidate >= start else fixed(start.year + 1, self.by_month)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# Only numerals followed by something that counts are numbers: 十个工作日, 二十日, 三月底, 一次.
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=个|工作日|自然日|日|天|月|周|次|号|季)")


def chinese_numeral_to_int(text: str) -> int:
    """十 → 10, 二十 → 20, 十五 → 15, 一百零五 → 105, 二〇二〇 → 2020."""
    if all(char in _CN_DIGITS for char in text):
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    total = current = 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        else:
            total += (current or 1) * (100 if char == "百" else 10)
            current = 0
    return total + current


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return _CN_NUMBER.sub(lambda match: str(chinese_numeral_to_int(match.group())), text)


_UNIT = r"(?P<unit>个工作日|工作日|个自然日|自然日|日|天|个月|周|个星期|星期)"
_UNIT_NAMES = {
    "个工作日": WORKDAY,
    "工作日": WORKDAY,
    "个自然日": DAY,
    "自然日": DAY,
    "日": DAY,
    "天": DAY,
    "个月": MONTH,
}
_WEEK_UNITS = {"周", "个星期", "星期"}
_VERB = r"(?:予以公开|公开|发布|公布|更新|完成|办结)?"
_TRIGGER = r"(?:自|从|于)?(?P<trigger>.*?(?:之日起|之日|起|以后|之后|后))?"
_WITHIN = re.compile(_TRIGGER + r"(?P<amount>\d+)" + _UNIT + r"(?:内|以内|之内)" + _VERB)
_EXTRA = re.compile(
    r"(?:并|且|同时|其中)?(?P<label>张榜公示|公示|公告)(?:期|时间|期限)?(?:为|不少于|不得少于|不低于)?"
    r"(?P<amount>\d+)" + _UNIT
)
_REALTIME = re.compile(_TRIGGER + r"(?:实时|及时|即时|动态)(?:更新|公开|发布|公布|调整)?")
_STANDING = re.compile(r"(?:并|且)?(?:长期|常年|持续)(?:公开|公示|有效)?")
_EVERY = r"(?:每|按)(?P<every>年度|年|半年|季度|季|月|周|星期)(?:度)?"
_PERIODIC_AFTER = re.compile(
    _EVERY
    + r"(?:结束|终了|届满)?(?:后|之后|以后)(?P<amount>\d+)"
    + _UNIT
    + r"(?:内|以内|之内)"
    + _VERB
)
_PERIODIC_BY = re.compile(
    _EVERY
    + r"(?:(?P<yearend>年底|年末)|(?:(?P<month>\d+)月)?(?:(?P<day>\d+)[日号]|(?P<monthend>底|末)))"
    + r"(?:前|之前|以前)"
    + _VERB
)
_PERIODIC_PLAIN = re.compile(_EVERY + r"(?:末)?" + _VERB + r"(?:1次)?")
_REMARK = re.compile(r"\(([^()]*)\)")
_CLAUSE_SEPARATORS = re.compile(r"[,;。]+")
_EVERY_NAMES = {"年度": "年", "季": "季度", "星期": WEEK}


def _unit_and_amount(unit: str, amount: str) -> tuple[str, int]:
    if unit in _WEEK_UNITS:
        return DAY, int(amount) * 7
    return _UNIT_NAMES[unit], int(amount)


def _every(match: re.Match) -> str:
    return _EVERY_NAMES.get(match["every"], match["every"])


def _main_clause(clause: str) -> dict | None:
    """The fields of a clause that states when to publish, or None."""
    if match := _PERIODIC_AFTER.fullmatch(clause):
        unit, amount = _unit_and_amount(match["unit"], match["amount"])
        return {"kind": PERIODIC, "every": _every(match), "amount": amount, "unit": unit}
    if match := _PERIODIC_BY.fullmatch(clause):
        every = _every(match)
        month = 12 if match["yearend"] else (int(match["month"]) if match["month"] else None)
        day = int(match["day"]) if match["day"] else None
        if every == "年" and month is None:
            return None
        if every not in ("年", "月") or (month is not None and every != "年"):
            return None
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            return None
        return {"kind": PERIODIC, "every": every, "by_month": month, "by_day": day}
    if match := _PERIODIC_PLAIN.fullmatch(clause):
        return {"kind": PERIODIC, "every": _every(match)}
    if match := _WITHIN.fullmatch(clause):
        unit, amount = _unit_and_amount(match["unit"], match["amount"])
        if amount <= 0:
            return None
        return {"kind": WITHIN, "trigger": match["trigger"] or "", "amount": amount, "unit": unit}
    if match := _REALTIME.fullmatch(clause):
        return {"kind": REALTIME, "trigger": match["trigger"] or ""}
    if _STANDING.fullmatch(clause):
        return {"kind": STANDING}
    return None


@lru_cache(maxsize=4096)
def parse_deadline(text: str) -> DeadlineRule | None:
    """Read a 公开时限 text as a rule; None when it is empty or states no readable rule."""
    normalised = _normalise(text)
    remarks = _REMARK.findall(normalised)
    normalised = _REMARK.sub("", normalised)
    clauses = [clause for clause in _CLAUSE_SEPARATORS.split(normalised) if clause]
    if not clauses:
        return None
    main: dict | None = None
    extras: list[Period] = []
    standing = False
    for clause in clauses:
        if match := _EXTRA.fullmatch(clause):
            unit, amount = _unit_and_amount(match["unit"], match["amount"])
            extras.append(Period(amount, unit, match["label"]))
            continue
        fields = _main_clause(clause)
        if fields is None:
            return None
        if fields["kind"] == STANDING:
            standing = True
        elif main is None:
            main = fields
        elif fields["kind"] == WITHIN:
            # A second deadline (公示期满后5个工作日内) is kept as an extra period named by its trigger.
            extras.append(Period(fields["amount"], fields["unit"], fields["trigger"]))
        else:
            return None
    if main is None:
        if not standing:
            return None  # only a publicity period: says how long, never by when
        main = {"kind": STANDING}
    return DeadlineRule(
        text=text,
        **main,
        extra_periods=tuple(extras),
        standing=standing,
        note="；".join(remarks),
    )
