from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from items.deadlines import CALENDAR_YEARS, add_workdays, parse_deadline
from records.calendar import (
    HolidayFileError,
    TableCalendar,
    load_calendar,
    parse_date_text,
    read_holiday_csv,
)
from records.models import HolidayCalendar, HolidayKind
from records.selectors import missing_holiday_years
from records.services import holidays_load, holidays_seed_from_chinesecalendar

pytestmark = pytest.mark.django_db

CSV_2027 = (
    "日期,类型,节日\n"
    "2027-01-01,休,元旦\n"
    "2027/2/6,休,春节\n"
    "2027年2月7日,休,春节\n"
    "2027-02-08,休,春节\n"
    "2027-02-20,班,春节\n"
).encode()


def test_the_table_is_seeded_from_chinesecalendar():
    calendar = load_calendar()
    assert all(calendar.knows(year) for year in CALENDAR_YEARS)
    assert not calendar.knows(CALENDAR_YEARS.stop)
    national_day = HolidayCalendar.objects.get(date=date(2026, 10, 1))
    assert national_day.kind == HolidayKind.REST and national_day.name == "国庆节"
    assert national_day.source.startswith("chinesecalendar")
    assert HolidayCalendar.objects.get(date=date(2026, 10, 10)).kind == HolidayKind.WORK


def test_the_table_calendar_agrees_with_chinesecalendar_on_known_years():
    import chinese_calendar

    calendar = load_calendar()
    day = date(2024, 1, 1)
    while day.year < 2027:
        assert calendar.workday(day) == chinese_calendar.is_workday(day), day
        day = day.fromordinal(day.toordinal() + 1)


def test_an_edited_table_changes_the_deadlines():
    rule = parse_deadline("制定或获取信息之日起1个工作日内")
    assert rule.due(date(2026, 11, 30), calendar=load_calendar()).on == date(2026, 12, 1)
    HolidayCalendar.objects.create(
        date=date(2026, 12, 1), kind=HolidayKind.REST, name="测试", source="test"
    )
    assert rule.due(date(2026, 11, 30), calendar=load_calendar()).on == date(2026, 12, 2)


def test_an_unknown_year_falls_back_to_weekdays_and_says_so():
    calendar = TableCalendar({})
    assert calendar.workday(date(2027, 1, 1)) is None
    due = parse_deadline("制定或获取信息之日起10个工作日内").due(
        date(2027, 1, 1), calendar=calendar
    )
    assert due.estimated and due.on == date(2027, 1, 15)
    with pytest.raises(ValueError, match="load_holidays"):
        add_workdays(date(2027, 1, 1), 1, calendar=calendar)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("2026.11.3", date(2026, 11, 3)),
        ("2026-02-30", None),
        ("明天", None),
    ],
)
def test_date_texts(text, expected):
    assert parse_date_text(text) == expected


def test_loading_a_year_from_the_state_council_notice(regions, users):
    rows = read_holiday_csv(CSV_2027)
    assert [row.line for row in rows] == [2, 3, 4, 5, 6]
    report = holidays_load(actor=users.admin, rows=rows, source="国办发明电〔2026〕1号")
    assert report.years == [2027] and (report.rest_days, report.work_days) == (4, 1)
    assert "2027年" in str(report)
    calendar = load_calendar()
    assert calendar.knows(2027)
    assert calendar.workday(date(2027, 2, 8)) is False  # Monday off
    assert calendar.workday(date(2027, 2, 20)) is True  # Saturday at work
    assert calendar.workday(date(2027, 3, 1)) is True


def test_loading_a_year_replaces_that_year_only(users):
    holidays_load(actor=users.admin, rows=read_holiday_csv(CSV_2027), source="a")
    holidays_load(actor=users.admin, rows=read_holiday_csv("2027-10-01,休\n".encode()), source="b")
    assert list(
        HolidayCalendar.objects.filter(date__year=2027).values_list("source", flat=True)
    ) == ["b"]
    assert HolidayCalendar.objects.filter(date__year=2026).count() > 20


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("日期,类型\n2027-01-01,放假\n", "第2行“类型”列：“放假”应为“休”或“班”"),
        ("日期,类型\n2027-13-01,休\n", "第2行“日期”列"),
        ("2027-01-01\n", "第1行：应有“日期,类型”两列"),
        ("2027-01-01,休\n2027-01-01,休\n", "第2行：2027-01-01与第1行重复"),
        ("2027-01-04,班\n", "第1行：2027-01-04是周一，本来就是工作日"),
        ("日期,类型\n", "没有任何日期"),
    ],
)
def test_bad_holiday_files_name_the_row(content, message):
    with pytest.raises(HolidayFileError, match=message):
        read_holiday_csv(content.encode())


def test_a_gbk_csv_from_excel_is_read():
    rows = read_holiday_csv("日期,类型,节日\n2027-10-01,休,国庆节\n".encode("gbk"))
    assert rows[0].name == "国庆节"


def test_only_the_province_administrator_loads_holidays(users):
    rows = read_holiday_csv(CSV_2027)
    for user in (users.county_editor, users.reviewer):
        with pytest.raises(PermissionDenied):
            holidays_load(actor=user, rows=rows, source="x")
    with pytest.raises(PermissionDenied):
        holidays_seed_from_chinesecalendar(actor=users.county_editor)


def test_load_holidays_command(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_bytes(CSV_2027)
    call_command("load_holidays", str(path), "--source", "国办发明电〔2026〕1号")
    assert "已导入2027年的节假日安排" in capsys.readouterr().out
    assert (
        HolidayCalendar.objects.filter(date__year=2027, source="国办发明电〔2026〕1号").count() == 5
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("2028-01-01,休\n2028-01-02,半天\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行“类型”列"):
        call_command("load_holidays", str(bad))
    assert not HolidayCalendar.objects.filter(date__year=2028).exists()


def test_seeding_again_keeps_a_provinces_corrections(capsys):
    HolidayCalendar.objects.filter(date=date(2026, 10, 10)).update(source="省级更正")
    call_command("load_holidays", "--chinesecalendar")
    assert "已包含" in capsys.readouterr().out
    assert HolidayCalendar.objects.get(date=date(2026, 10, 10)).source == "省级更正"
    HolidayCalendar.objects.filter(date__year=2020).delete()
    call_command("load_holidays", "--chinesecalendar")
    assert "2020年" in capsys.readouterr().out
    assert load_calendar().knows(2020)


def test_missing_years_for_the_dashboard():
    assert missing_holiday_years(today=date(2026, 6, 1)) == []
    assert missing_holiday_years(today=date(2026, 11, 29)) == [2027]
    HolidayCalendar.objects.filter(date__year=2026).delete()
    assert missing_holiday_years(today=date(2026, 6, 1)) == [2026]
