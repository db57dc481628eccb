"""The working-day calendar as data: the ``HolidayCalendar`` table the province keeps current.

``TableCalendar`` answers ``items.deadlines``' calendar protocol from the table: a listed
day is a holiday (休) or a make-up working day (班); any other day of a known year follows
the week. A year is known once the table has a row in it; for any other year the answer
is None, and ``DeadlineRule.due`` then counts Monday to Friday and marks the due date 预计.

The table is seeded from ``chinesecalendar`` (migration 0002 and ``load_holidays
--chinesecalendar``) and extended with ``load_holidays FILE`` from the State Council's
notice, as a CSV of dates marked 休 or 班.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from records.models import HolidayCalendar, HolidayKind

# chinesecalendar names holidays in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
KIND_WORDS = {"休": HolidayKind.REST, "班": HolidayKind.WORK}
MAX_CSV_BYTES = 256 * 1024
MAX_CSV_ROWS = 2000


class TableCalendar:
    """Working days from a snapshot of the HolidayCalendar table (one query)."""

    def __init__(self, days: dict[date, str]):
        self.days = days
        self.years = frozenset(day.year for day in days)

    @classmethod
    def load(cls) -> TableCalendar:
        return cls(dict(HolidayCalendar.objects.values_list("date", "kind")))

    def knows(self, year: int) -> bool:
        return year in self.years

    def workday(self, day: date) -> bool | None:
        if day.year not in self.years:
            return None
        kind = self.days.get(day)
        if kind == HolidayKind.WORK:
            return True
        if kind == HolidayKind.REST:
            return False
        return day.weekday() < 5

    def missing_message(self, day: date) -> str:
        return (
            f"节假日安排表中没有{day.year}年的安排，无法确定{day.isoformat()}是否为工作日；"
            f"请按国务院办公厅通知用 manage.py load_holidays 导入{day.year}年的安排。"
        )


def load_calendar() -> TableCalendar:
    return TableCalendar.load()


def missing_years(years, calendar: TableCalendar | None = None) -> list[int]:
    """Which of ``years`` the table has no schedule for."""
    calendar = calendar or load_calendar()
    return sorted({year for year in years if not calendar.knows(year)})


# ---------------------------------------------------------------------------
# Seeding and loading
# ---------------------------------------------------------------------------


def chinesecalendar_days() -> list[tuple[date, str, str]]:
    """(date, kind, name) of every holiday and make-up day ``chinesecalendar`` ships."""
    from chinese_calendar import constants

    days = [
        (day, HolidayKind.REST, HOLIDAY_NAMES.get(name, name))
        for day, name in constants.holidays.items()
    ]
    days += [
        (day, HolidayKind.WORK, HOLIDAY_NAMES.get(name, name))
        for day, name in constants.workdays.items()
    ]
    return sorted(days)


def chinesecalendar_source() -> str:
    import chinese_calendar

    return f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()


class HolidayFileError(ValueError):
    """A holiday CSV that cannot be loaded; the message is Chinese and names the row."""


@dataclass(frozen=True)
class HolidayRow:
    line: int
    day: date
    kind: str
    name: str


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date_text(text: str) -> date | None:
    """2026-11-03, 2026/11/3, 2026.11.3 and 2026年11月3日; None when it is none of them."""
    text = (text or "").strip()
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


_HEADER_WORDS = {"日期", "date"}


def read_holiday_csv(content: bytes) -> list[HolidayRow]:
    """Rows of a CSV ``日期,类型[,节日]`` (a header row is optional); 类型 is 休 or 班.

    UTF-8 (with or without BOM) or GB18030, as Excel on Chinese Windows saves it.
    """
    if len(content) > MAX_CSV_BYTES:
        raise HolidayFileError(f"文件超过{MAX_CSV_BYTES // 1024}KB，不像是一年的节假日安排。")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise HolidayFileError("无法识别文件编码，请保存为UTF-8编码的CSV文件。") from exc
    rows: list[HolidayRow] = []
    seen: dict[date, int] = {}
    for line, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in _HEADER_WORDS:
            continue
        if len(rows) >= MAX_CSV_ROWS:
            raise HolidayFileError(f"文件超过{MAX_CSV_ROWS}行。")
        if len(cells) < 2:
            raise HolidayFileError(f"第{line}行：应有“日期,类型”两列，类型为“休”或“班”。")
        day = parse_date_text(cells[0])
        if day is None:
            raise HolidayFileError(
                f"第{line}行“日期”列：“{cells[0]}”不是日期，请写成2027-01-01或2027年1月1日。"
            )
        kind = KIND_WORDS.get(cells[1])
        if kind is None:
            raise HolidayFileError(f"第{line}行“类型”列：“{cells[1]}”应为“休”或“班”。")
        if kind == HolidayKind.WORK and day.weekday() < 5:
            raise HolidayFileError(
                f"第{line}行：{day.isoformat()}是周{'一二三四五'[day.weekday()]}，"
                "本来就是工作日，不应标为“班”（调休上班只在周六或周日）。"
            )
        if day in seen:
            raise HolidayFileError(f"第{line}行：{day.isoformat()}与第{seen[day]}行重复。")
        seen[day] = line
        name = cells[2] if len(cells) > 2 else ""
        if len(name) > 30:
            raise HolidayFileError(f"第{line}行“节日”列超过30字。")
        rows.append(HolidayRow(line, day, kind, name))
    if not rows:
        raise HolidayFileError("文件中没有任何日期。")
    return rows


__all__ = [
    "HolidayFileError",
    "HolidayRow",
    "TableCalendar",
    "chinesecalendar_days",
    "chinesecalendar_source",
    "load_calendar",
    "missing_years",
    "parse_date_text",
    "read_holiday_csv",
]
