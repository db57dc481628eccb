"""Disclosure deadlines (公开时限) read as rules, and working days on China's statutory calendar.

The catalogs write deadlines as short Chinese phrases. ``parse_deadline`` reads the ones
that state a rule and returns None for anything else, so a checker can flag the rest.

Grammar (after NFKC folding, removing white space and turning Chinese numerals before a
unit into digits; clauses are separated by , ; 。 and bracketed remarks, as well as the
reservation 法律法规另有规定的从其规定, are kept as a note):

    deadline  := main ("," (extra | main | standing))*  |  notice ("," …)*
    main      := within | periodic | realtime | standing | progress
    within    := [trigger] N unit ("内" | "以内" | "之内") [verb]
                 制定或获取信息之日起10个工作日内 · 收到申请之日起20日内 · 10个工作日内公开
    trigger   := text ending in 之日起 | 之日 | 起 | 后 | 以后 | 之后
    unit      := 个工作日 | 工作日 | 日 | 天 | 个自然日 | 自然日 | 个月 | 周   (→ 工作日 / 日 / 个月)
    extra     := [并] (公示 | 公告 | 张榜公示)[期] [为 | 不少于] N unit      公示7个工作日 · 公示期7天
    notice    := [trigger] extra        审核后公示7天 (a 公示 with no publication limit)
    periodic  := (每 | 按) period ( [结束]后 N unit 内 | [M月](D日 | 底 | 末)前 | [公开|更新][1次] )
                 | 定期[公开|更新|发布]            (no stated period: counted as once a year)
                 每季度结束后10日内 · 每年3月31日前 · 每年1月底前 · 每月10日前 · 每季度更新一次
    period    := 年 | 年度 | 半年 | 季度 | 季 | 月 | 周
    realtime  := [trigger] (实时 | 及时 | 即时 | 动态)[更新 | 公开 | 发布 | 调整]
    standing  := (长期 | 常年 | 持续 | 常态化)[公开 | 公示 | 有效 | 更新]
    progress  := (根据 | 按照 | 依据 | 按)[工作]进度[情况][及时](公开 | 更新 | 发布 | 公布)

Counting follows the Civil Code (民法典 第二百零一至二百零三条): the start day is not
counted; a period in days or months that ends on a statutory holiday or rest day ends on
the next working day instead, and so does a fixed date (每月10日前) or a period's end; a
month with no corresponding day ends on its last day.

Which days are working days is a ``WorkdayCalendar``: anything with ``workday(day)``
answering True, False or None (None: that year's schedule is unknown). The default is
``STATUTORY_CALENDAR``, from the ``chinesecalendar`` package, which knows the State
Council's holiday schedule including make-up working days (调休) — but only for the years
it ships (see ``CALENDAR_YEARS``). The records app passes its own calendar, a table the
province keeps current. For an unknown year ``add_workdays`` raises
``WorkdayCalendarError`` unless the caller asks for ``unknown_years="weekdays"``, which
counts Monday to Friday and is then only an estimate; ``DeadlineRule.due`` does that and
says whether the result is an estimate (预计).
"""

from items.deadlines.parser import (
    chinese_numeral_to_int,
    parse_deadline,
)
from items.deadlines.rules import (
    DeadlineRule,
    Due,
    Period,
    PeriodWindow,
)
from items.deadlines.workdays import (
    CALENDAR_YEARS,
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
    UNITS,
    UNKNOWN_YEARS_RAISE,
    UNKNOWN_YEARS_WEEKDAYS,
    UNSTATED_PERIOD,
    UNSTATED_PERIOD_NOTE,
    WEEK,
    WITHIN,
    WORKDAY,
    StatutoryCalendar,
    WorkdayCalendar,
    WorkdayCalendarError,
    _EstimateRecorder,
    add_months,
    add_period,
    add_workdays,
    format_amount,
    is_workday,
    next_workday_on_or_after,
    workdays_between,
)

__all__ = [
    "CALENDAR_YEARS",
    "DAY",
    "MONTH",
    "NOTICE",
    "PERIODIC",
    "PERIOD_MONTHS",
    "PROGRESS",
    "REALTIME",
    "STANDING",
    "STATUTORY_CALENDAR",
    "StatutoryCalendar",
    "UNDATED_KINDS",
    "UNITS",
    "UNKNOWN_YEARS_RAISE",
    "UNKNOWN_YEARS_WEEKDAYS",
    "UNSTATED_PERIOD",
    "UNSTATED_PERIOD_NOTE",
    "WEEK",
    "WITHIN",
    "WORKDAY",
    "WorkdayCalendar",
    "WorkdayCalendarError",
    "_EstimateRecorder",
    "add_months",
    "add_period",
    "add_workdays",
    "format_amount",
    "is_workday",
    "next_workday_on_or_after",
    "workdays_between",
    "DeadlineRule",
    "Due",
    "Period",
    "PeriodWindow",
    "chinese_numeral_to_int",
    "parse_deadline",
]
