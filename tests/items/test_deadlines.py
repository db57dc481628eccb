import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from items.deadlines import (
    CALENDAR_YEARS,
    DAY,
    MONTH,
    PERIODIC,
    REALTIME,
    STANDING,
    WITHIN,
    WORKDAY,
    Period,
    WorkdayCalendarError,
    add_months,
    add_workdays,
    chinese_numeral_to_int,
    is_workday,
    parse_deadline,
)

# 2020 国庆/中秋: 10月1日–8日 off; Sunday 9月27日 and Saturday 10月10日 are make-up workdays.
NATIONAL_DAY_2020 = date(2020, 9, 28)


# ---------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------


def test_ten_workdays_across_national_day_2020_skip_the_holiday_and_count_make_up_saturday():
    due = add_workdays(NATIONAL_DAY_2020, 10)
    # 9/29, 9/30, 10/9, 10/10 (Saturday, 调休), 10/12–16, 10/19.
    assert due == date(2020, 10, 19)
    naive_weekdays = add_workdays(NATIONAL_DAY_2020, 10, unknown_years="weekdays")
    assert naive_weekdays == due  # known year: the fallback changes nothing
    # Counting Monday to Friday alone would have ended on 10/12.
    monday_to_friday, day = 0, NATIONAL_DAY_2020
    while monday_to_friday < 10:
        day += timedelta(days=1)
        monday_to_friday += day.weekday() < 5
    assert day == date(2020, 10, 12) != due


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2020, 9, 25), 1, date(2020, 9, 27)),  # Friday → make-up Sunday
        (date(2020, 9, 30), 1, date(2020, 10, 9)),  # over the eight holidays
        (date(2020, 10, 9), 1, date(2020, 10, 10)),  # make-up Saturday
        (date(2020, 10, 10), 1, date(2020, 10, 12)),  # ordinary Sunday skipped
        (date(2020, 10, 9), -1, date(2020, 9, 30)),  # backwards
        (date(2020, 10, 3), 0, date(2020, 10, 3)),  # zero is the day itself
    ],
)
def test_add_workdays_follows_the_statutory_calendar(start, n, expected):
    assert add_workdays(start, n) == expected


def test_make_up_days_are_workdays_and_holidays_are_not():
    assert is_workday(date(2020, 9, 27)) and is_workday(date(2020, 10, 10))
    assert not is_workday(date(2020, 10, 8)) and not is_workday(date(2020, 10, 11))


def test_a_year_the_calendar_does_not_know_raises_a_clear_error():
    last_known = date(CALENDAR_YEARS.stop - 1, 12, 31)
    with pytest.raises(WorkdayCalendarError, match=str(CALENDAR_YEARS.stop)) as error:
        add_workdays(last_known, 1)
    assert "chinesecalendar" in str(error.value) and "weekdays" in str(error.value)
    with pytest.raises(WorkdayCalendarError):
        add_workdays(date(CALENDAR_YEARS.start, 1, 1), -1)


def test_unknown_years_can_fall_back_to_monday_to_friday():
    year = CALENDAR_YEARS.stop
    friday = date(year, 3, 1) + timedelta(days=(4 - date(year, 3, 1).weekday()) % 7)
    assert add_workdays(friday, 1, unknown_years="weekdays") == friday + timedelta(days=3)
    assert add_workdays(friday, 5, unknown_years="weekdays") == friday + timedelta(days=7)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2020, 11, 15), 3, date(2021, 2, 15)),
    ],
)
def test_add_months_ends_on_the_months_last_day_when_it_has_no_such_day(start, months, expected):
    assert add_months(start, months) == expected


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("二十", 20),
        ("十五", 15),
        ("二十三", 23),
        ("一百零五", 105),
        ("两", 2),
        ("七", 7),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_numeral_to_int(text) == value


@pytest.mark.parametrize(
    ("text", "trigger", "amount", "unit", "extras"),
    [
        ("制定或获取信息之日起10个工作日内", "制定或获取信息之日起", 10, WORKDAY, ()),
        (
            "制定或获取信息之日起10个工作日内,公示7个工作日",
            "制定或获取信息之日起",
            10,
            WORKDAY,
            (Period(7, WORKDAY, "公示"),),
        ),
        (
            "制定或获取信息之日起１０个工作日内，公示七个工作日",
            "制定或获取信息之日起",
            10,
            WORKDAY,
            (Period(7, WORKDAY, "公示"),),
        ),
        (
            "制定或获取扶持政策措施之日起10个工作日内",
            "制定或获取扶持政策措施之日起",
            10,
            WORKDAY,
            (),
        ),
        ("信息形成或者变更之日起20日内", "信息形成或者变更之日起", 20, DAY, ()),
        ("自收到申请之日起二十日内予以公开", "收到申请之日起", 20, DAY, ()),
        ("十个工作日内", "", 10, WORKDAY, ()),
        ("审批完成后15天内公开", "审批完成后", 15, DAY, ()),
        ("制定之日起1个月内", "制定之日起", 1, MONTH, ()),
        ("制定之日起2周内", "制定之日起", 14, DAY, ()),
        (
            "制定或获取信息之日起 10 个工作日内；公示期不少于7天",
            "制定或获取信息之日起",
            10,
            WORKDAY,
            (Period(7, DAY, "公示"),),
        ),
    ],
)
def test_periods_after_a_trigger(text, trigger, amount, unit, extras):
    rule = parse_deadline(text)
    assert rule is not None
    assert (rule.kind, rule.trigger, rule.amount, rule.unit) == (WITHIN, trigger, amount, unit)
    assert rule.extra_periods == extras
    assert rule.text == text


def test_remarks_in_brackets_are_kept_as_a_note():
    rule = parse_deadline("制定或获取信息之日起10个工作日内（法律法规另有规定的从其规定）")
    assert (rule.kind, rule.amount, rule.unit) == (WITHIN, 10, WORKDAY)
    assert rule.note == "法律法规另有规定的从其规定"


@pytest.mark.parametrize(
    ("text", "kind", "fields"),
    [
        ("实时更新", REALTIME, {}),
        ("及时公开", REALTIME, {}),
        ("信息变更后实时更新", REALTIME, {"trigger": "信息变更后"}),
        ("长期公开", STANDING, {}),
        ("常年公开", STANDING, {}),
        ("每季度结束后10日内", PERIODIC, {"every": "季度", "amount": 10, "unit": DAY}),
        ("每季度公开一次", PERIODIC, {"every": "季度", "amount": None}),
        ("按季度更新", PERIODIC, {"every": "季度"}),
        ("每月10日前", PERIODIC, {"every": "月", "by_day": 10, "by_month": None}),
        ("每年3月31日前", PERIODIC, {"every": "年", "by_month": 3, "by_day": 31}),
        ("每年一月底前公开", PERIODIC, {"every": "年", "by_month": 1, "by_day": None}),
        ("每年年底前", PERIODIC, {"every": "年", "by_month": 12, "by_day": None}),
        ("每半年公开1次", PERIODIC, {"every": "半年"}),
    ],
)
def test_recurring_continuous_and_standing_rules(text, kind, fields):
    rule = parse_deadline(text)
    assert rule is not None and rule.kind == kind
    for name, value in fields.items():
        assert getattr(rule, name) == value, name


def test_within_plus_standing_keeps_the_period():
    rule = parse_deadline("制定或获取信息之日起10个工作日内，长期公开")
    assert (rule.kind, rule.amount, rule.standing) == (WITHIN, 10, True)
    assert rule.describe() == "制定或获取信息之日起10个工作日内,长期公开"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "按规定时限",
        "尽快公开",
        "制定或获取信息之日起10个工作日",  # no 内: a length, not a limit
        "每年13月1日前",
        "制定之日起0个工作日内",
        "制定或获取信息之日起10个工作日内,视情况而定",
    ],
)
def test_unreadable_texts_give_none(text):
    assert parse_deadline(text) is None


def test_every_deadline_of_the_standard_catalogs_is_readable():
    data = json.loads(
        (Path(settings.BASE_DIR) / "fixtures" / "standard-catalogs.json").read_text("utf-8")
    )
    texts = [
        row[field]
        for catalog in data["catalogs"]
        for row in catalog["items"]
        for field in ("deadline",)
        if row[field]
    ]
    texts += [
        row["style_a_variant"]["deadline"]
        for catalog in data["catalogs"]
        for row in catalog["items"]
        if (row.get("style_a_variant") or {}).get("deadline")
    ]
    assert len(texts) >= 15
    unreadable = [text for text in texts if parse_deadline(text) is None]
    assert unreadable == []


# ---------------------------------------------------------------------------
# Due dates
# ---------------------------------------------------------------------------


def test_due_date_in_working_days_uses_the_statutory_calendar():
    rule = parse_deadline("制定或获取信息之日起10个工作日内,公示7个工作日")
    due = rule.due_date(NATIONAL_DAY_2020)
    assert due == date(2020, 10, 19)
    # The publicity period runs from publication, in working days too.
    assert rule.extra_periods[0].end(due) == date(2020, 10, 28)


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        # Day 20 is Sunday 10/18: the period ends on the next working day.
        ("制定或获取信息之日起20日内", date(2020, 9, 28), date(2020, 10, 19)),
        # Day 10 is 10/1, a holiday: the period runs to the first day after the holidays.
        ("制定或获取信息之日起10日内", date(2020, 9, 21), date(2020, 10, 9)),
        # Ends on a weekday: unchanged.
        ("制定或获取信息之日起10日内", date(2020, 9, 1), date(2020, 9, 11)),
        # 1/31 + 1 month = 2/28 (Sunday) → Monday 3/1.
        ("制定之日起1个月内", date(2021, 1, 31), date(2021, 3, 1)),
        # 9/30 + 10 days = Saturday 10/10, a make-up workday: it stays.
        ("每季度结束后10日内", date(2020, 8, 3), date(2020, 10, 10)),
        ("每季度结束后10日内", date(2021, 2, 3), date(2021, 4, 12)),
        ("每季度公开一次", date(2020, 11, 5), date(2020, 12, 31)),
        ("每年3月31日前", date(2020, 3, 31), date(2020, 3, 31)),
        ("每年3月31日前", date(2020, 4, 1), date(2021, 3, 31)),
        # 2021-02-28 is a Sunday: a fixed date moves to the next working day like the others.
        ("每年2月底前", date(2020, 3, 1), date(2021, 3, 1)),
        ("每月10日前", date(2020, 1, 11), date(2020, 2, 10)),
        ("实时更新", date(2020, 5, 6), date(2020, 5, 6)),
    ],
)
def test_due_dates(text, start, expected):
    assert parse_deadline(text).due_date(start) == expected


def test_standing_rules_have_no_due_date():
    assert parse_deadline("长期公开").due_date(date(2020, 5, 6)) is None


def test_due_date_in_an_unknown_year_raises_unless_asked_to_estimate():
    rule = parse_deadline("制定或获取信息之日起10个工作日内")
    late = date(CALENDAR_YEARS.stop - 1, 12, 28)
    with pytest.raises(WorkdayCalendarError):
        rule.due_date(late)
    estimate = rule.due_date(late, unknown_years="weekdays")
    assert estimate.year == CALENDAR_YEARS.stop


# ---------------------------------------------------------------------------
# Texts the parser used to miss (issue 8)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "制定或获取信息之日起10个工作日内，法律法规另有规定的从其规定",
        "制定或获取信息之日起10个工作日内,法律、法规另有规定的,从其规定",
        "制定或获取信息之日起10个工作日内；国家另有规定的，按其规定执行",
    ],
)
def test_a_reservation_for_other_laws_is_kept_as_a_note(text):
    rule = parse_deadline(text)
    assert rule is not None
    assert (rule.kind, rule.amount, rule.unit) == (WITHIN, 10, WORKDAY)
    assert "另有规定" in rule.note and "规定" in rule.note
    assert rule.describe() == "制定或获取信息之日起10个工作日内"


@pytest.mark.parametrize(
    ("text", "trigger", "period"),
    [
        ("公示期7天", "", Period(7, DAY, "公示")),
        ("审核后公示7天", "审核后", Period(7, DAY, "公示")),
        ("审核确认后在村务公开栏公示七个工作日", "审核确认后", Period(7, WORKDAY, "公示")),
        ("公示7个工作日", "", Period(7, WORKDAY, "公示")),
    ],
)
def test_a_notice_period_alone_is_readable_but_sets_no_due_date(text, trigger, period):
    from items.deadlines import NOTICE

    rule = parse_deadline(text)
    assert rule is not None and rule.kind == NOTICE
    assert rule.trigger == trigger and rule.publicity_period == period
    assert rule.due_date(date(2026, 9, 25)) is None
    assert rule.has_due_date is False


def test_standing_and_progress_promises_are_readable_without_a_due_date():
    from items.deadlines import PROGRESS

    standing = parse_deadline("常态化公开")
    assert standing.kind == STANDING and standing.due_date(date(2026, 9, 25)) is None
    progress = parse_deadline("根据工作进度公开")
    assert progress.kind == PROGRESS and progress.due(date(2026, 9, 25)).on is None
    assert parse_deadline("按照工作进展及时公开").kind == PROGRESS


def test_an_unstated_period_counts_as_once_a_year():
    rule = parse_deadline("定期公开")
    assert rule.kind == PERIODIC and rule.every == "年"
    assert "按每年" in rule.note


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        # 2026-10-10 is a make-up Saturday (调休): it is a working day and stays.
        ("每月10日前", date(2026, 9, 25), date(2026, 10, 10)),
        # 2026-01-10 is a Saturday → Monday 1/12.
        ("每月10日前", date(2025, 12, 20), date(2026, 1, 12)),
        # 2026-10-01 falls in the National Day holiday → 10/8.
        ("每月1日前", date(2026, 9, 5), date(2026, 10, 8)),
        # A period's end on a working day stays: 2020-12-31 is a Thursday.
        ("每季度公开一次", date(2020, 11, 5), date(2020, 12, 31)),
        # 2026-03-31 is a Tuesday; 2020-02-29 a Saturday → Monday 3/2.
        ("每季度公开一次", date(2026, 2, 5), date(2026, 3, 31)),
        ("每月公开一次", date(2020, 2, 5), date(2020, 3, 2)),
    ],
)
def test_fixed_dates_move_off_rest_days(text, start, expected):
    assert parse_deadline(text).due_date(start) == expected


def test_due_marks_an_estimate_when_a_year_is_unknown():
    rule = parse_deadline("制定或获取信息之日起10个工作日内")
    known = rule.due(date(2026, 9, 25))
    assert known.on == date(2026, 10, 15) and known.estimated is False
    unknown = rule.due(date(CALENDAR_YEARS.stop, 3, 1))
    assert unknown.on is not None and unknown.estimated is True
    assert parse_deadline("长期公开").due(date(CALENDAR_YEARS.stop, 3, 1)).estimated is False


class _TableStub:
    """A calendar that knows only 2030, where 2030-01-02 is a holiday and Saturday 1/5 a workday."""

    def workday(self, day):
        if day.year != 2030:
            return None
        if day == date(2030, 1, 2):
            return False
        if day == date(2030, 1, 5):
            return True
        return day.weekday() < 5

    def missing_message(self, day):
        return f"节假日表缺少{day.year}年"


def test_a_calendar_can_be_passed_in():
    # Tuesday 2030-01-01 + 3 working days: 1/3, 1/4, 1/5 (make-up Saturday).
    assert add_workdays(date(2030, 1, 1), 3, calendar=_TableStub()) == date(2030, 1, 5)
    with pytest.raises(WorkdayCalendarError, match="节假日表缺少2031年"):
        add_workdays(date(2030, 12, 31), 1, calendar=_TableStub())
    rule = parse_deadline("制定或获取信息之日起3个工作日内")
    assert rule.due(date(2030, 1, 1), calendar=_TableStub()).on == date(2030, 1, 5)


def test_workdays_between_counts_the_end_not_the_start():
    from items.deadlines import workdays_between

    # Due Wednesday 2026-09-30, published Friday 10/9: 10/8 and 10/9 are working days.
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert workdays_between(date(2026, 10, 9), date(2026, 9, 30)) == -2
    assert workdays_between(date(2026, 10, 9), date(2026, 10, 9)) == 0


@pytest.mark.parametrize(
    ("text", "day", "start", "end", "label"),
    [
        (
            "每季度结束后10日内",
            date(2026, 9, 25),
            date(2026, 7, 1),
            date(2026, 9, 30),
            "2026年第3季度",
        ),
        ("每月10日前", date(2026, 11, 3), date(2026, 10, 11), date(2026, 11, 10), "2026年11月"),
        ("每月10日前", date(2026, 11, 15), date(2026, 11, 11), date(2026, 12, 10), "2026年12月"),
        ("每年3月31日前", date(2026, 5, 1), date(2026, 4, 1), date(2027, 3, 31), "2027年"),
        ("每半年公开1次", date(2026, 8, 1), date(2026, 7, 1), date(2026, 12, 31), "2026年下半年"),
        ("定期公开", date(2026, 8, 1), date(2026, 1, 1), date(2026, 12, 31), "2026年"),
    ],
)
def test_periodic_rules_split_time_into_periods(text, day, start, end, label):
    window = parse_deadline(text).window(day)
    assert (window.start, window.end, window.label) == (start, end, label)
    assert day in window


def test_windows_cover_a_range_without_gaps():
    rule = parse_deadline("每季度结束后10日内")
    windows = rule.windows(date(2026, 2, 10), date(2026, 11, 29))
    assert [window.label for window in windows] == [
        "2026年第1季度",
        "2026年第2季度",
        "2026年第3季度",
        "2026年第4季度",
    ]
    assert all(
        a.end + timedelta(days=1) == b.start for a, b in zip(windows, windows[1:], strict=False)
    )
    with pytest.raises(ValueError, match="not a periodic rule"):
        parse_deadline("实时更新").window(date(2026, 1, 1))
