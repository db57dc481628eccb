"""Seed the holiday table with every year the installed ``chinesecalendar`` knows.

Later years come from ``manage.py load_holidays FILE`` (the State Council's notice) or,
after upgrading the package, ``manage.py load_holidays --chinesecalendar``.
"""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    HolidayCalendar = apps.get_model("records", "HolidayCalendar")
    if HolidayCalendar.objects.exists():
        return
    source = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    rows = [
        HolidayCalendar(date=day, kind="rest", name=NAMES.get(name, name), source=source)
        for day, name in constants.holidays.items()
    ]
    rows += [
        HolidayCalendar(date=day, kind="work", name=NAMES.get(name, name), source=source)
        for day, name in constants.workdays.items()
    ]
    HolidayCalendar.objects.bulk_create(sorted(rows, key=lambda row: row.date), batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("records", "HolidayCalendar").objects.filter(
        source__startswith="chinesecalendar"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0001_disclosure_records")]

    operations = [migrations.RunPython(seed, unseed)]
