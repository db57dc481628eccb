"""Demo records for 长春市 (called by ``setup_demo``): one of each state the checks tell apart.

农安县's social-assistance catalog gets: a record on time; one published late across the
National Day holiday; a record whose promised channels lack evidence; a record whose web
page answers 404 (two failed checks, so it shows as broken without any network); and
农安镇 gets a 公示 cut short of the 7 working days its catalog requires. Every other item
has no record, which is the "missing" state. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.deadlines import add_workdays, parse_deadline
from items.models import Item
from records.calendar import load_calendar
from records.models import ChannelCheck, DisclosureRecord
from records.services import channel_checks_save, record_create

COUNTY, TOWNSHIP = "220122", "220122100"  # 农安县, 农安镇
STANDARD = "social-assistance"
DEMO_TITLE_PREFIX = "（示例）"


def _catalog(code: str) -> Catalog | None:
    return (
        Catalog.objects.filter(region__code=code, standard__code=STANDARD)
        .select_related("region")
        .first()
    )


def _national_day_year(today: date) -> int:
    """The latest year whose National Day holiday is over by ``today`` (with a margin)."""
    return today.year if today >= date(today.year, 11, 5) else today.year - 1


def _item(catalog: Catalog, *, needs_notice: bool = False) -> list[Item]:
    items = list(Item.objects.filter(catalog=catalog).order_by("seq", "pk"))
    if needs_notice:
        return [
            item
            for item in items
            if (rule := parse_deadline(item.deadline.strip())) and rule.publicity_period
        ]
    return [
        item
        for item in items
        if (rule := parse_deadline(item.deadline.strip())) and rule.has_due_date
    ]


def seed_records(*, today: date | None = None) -> str:
    today = today or timezone.localdate()
    county, township = _catalog(COUNTY), _catalog(TOWNSHIP)
    if county is None:
        return "无农安县目录，未生成公开信息示例"
    if DisclosureRecord.objects.filter(catalog__region__code__in=[COUNTY, TOWNSHIP]).exists():
        return "公开信息示例已存在"
    calendar = load_calendar()
    year = _national_day_year(today)
    formed = date(year, 9, 25)
    items = _item(county)
    if len(items) < 4:
        return "农安县目录事项不足，未生成公开信息示例"
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    site = "https://www.nongan.gov.cn"

    def due_of(item: Item) -> date:
        return parse_deadline(item.deadline.strip()).due(formed, calendar=calendar).on

    def offline(item: Item) -> list[dict]:
        return [
            {"channel": channel, "location": "农安县民政局一楼政务公开查阅点"}
            for channel in item.channels
            if channel != "政府网站"
        ]

    on_time, late, no_evidence, broken = items[:4]
    record_create(
        actor=SYSTEM,
        item=on_time,
        title=f"{DEMO_TITLE_PREFIX}农安县关于调整城乡低保标准的通知",
        document_number=f"农民发〔{year}〕21号",
        formed_on=formed,
        published_on=add_workdays(due_of(on_time), -1, calendar=calendar),
        channels=[{"channel": "政府网站", "url": f"{site}/zwgk/shjz/{year}0930.html"}]
        + offline(on_time),
        today=today,
    )
    record_create(
        actor=SYSTEM,
        item=late,
        title=f"{DEMO_TITLE_PREFIX}{year}年第三季度社会救助监督检查情况",
        formed_on=formed,
        published_on=add_workdays(due_of(late), 3, calendar=calendar),
        channels=[{"channel": "政府网站", "url": f"{site}/zwgk/shjz/{year}1020.html"}]
        + offline(late),
        today=today,
    )
    record_create(
        actor=SYSTEM,
        item=no_evidence,
        title=f"{DEMO_TITLE_PREFIX}最低生活保障办事指南（{year}年修订）",
        formed_on=formed,
        published_on=formed + timedelta(days=3),
        # Only the website: the promised offline channels have no place or photo.
        channels=[{"channel": "政府网站", "url": f"{site}/zwgk/shjz/bszn.html"}],
        today=today,
    )
    gone = record_create(
        actor=SYSTEM,
        item=broken,
        title=f"{DEMO_TITLE_PREFIX}特困人员救助供养政策文件汇编",
        formed_on=formed,
        published_on=formed + timedelta(days=3),
        # An address of the portal itself that answers 404.
        channels=[{"channel": "政府网站", "url": f"{base}/demo/removed-notice/"}] + offline(broken),
        today=today,
    )
    website = gone.channels.get(channel="政府网站")
    now = timezone.now()
    channel_checks_save(
        [
            ChannelCheck(
                channel=website,
                url=website.url,
                status=404,
                ok=False,
                final_url=website.url,
                took_ms=35,
                checked_at=now - timedelta(days=days),
                error="HTTP 404",
                broken=days == 0,
            )
            for days in (1, 0)
        ]
    )
    made = 4
    notices = _item(township, needs_notice=True) if township else []
    if notices:
        item = notices[0]
        start = add_workdays(formed, 5, calendar=calendar)
        record_create(
            actor=SYSTEM,
            item=item,
            title=f"{DEMO_TITLE_PREFIX}农安镇{year}年9月低保审核对象公示",
            formed_on=formed,
            published_on=start,
            notice_start=start,
            notice_end=add_workdays(start, 3, calendar=calendar),  # 4 of 7 working days
            channels=[
                {"channel": channel, "location": "各村村务公开栏"}
                for channel in item.channels
                if channel != "政府网站"
            ],
            today=today,
        )
        made += 1
    return f"公开信息示例{made}条"
