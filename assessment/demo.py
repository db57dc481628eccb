"""Demo data for the assessment (called by ``setup_demo``): 长春市's counties with a spread.

The records demo gives 农安县 one record of each state; here every other county of 长春市
records, in both fields, a different share of its items (from nearly all
to a few), some of them late, some without evidence on one promised channel, so that the
scores spread out. A provincial reviewer's override shows in the grid. Built once inside the
demo's transaction; a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from assessment.models import Dimension, MarkOverride
from assessment.services import mark_override
from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.deadlines import parse_deadline
from items.models import Item
from records.calendar import load_calendar
from records.channels import ONLINE_CHANNELS
from records.models import DisclosureRecord
from records.services import record_create

CITY = "2201"
SKIP = "220122"  # 农安县: the records demo already shows each state there
TITLE_PREFIX = "（评估示例）"
# Share of items each county records, in code order: a spread from diligent to behind.
SHARES = (0.95, 0.3, 0.8, 0.55, 0.15, 0.7, 0.45, 0.9, 0.25, 0.6, 0.35, 0.85, 0.5, 0.2, 0.65)
OVERRIDE_REASON = "（评估示例）现场核查：该事项已在便民服务站公示栏公开，线上佐证补录中"


def _formed_on(today: date) -> date:
    year = today.year if today >= date(today.year, 11, 5) else today.year - 1
    return date(year, 9, 25)


def _evidence(item: Item, region: Region, *, drop_one: bool) -> list[dict]:
    channels = [c for c in item.channels if c != "其他"]
    if drop_one and len(channels) > 1:
        channels = channels[:-1]
    return [
        {"channel": c, "url": f"https://www.example.gov.cn/{region.code}/{item.seq}.html"}
        if c in ONLINE_CHANNELS
        else {"channel": c, "location": f"{region.name}政务服务中心一楼"}
        for c in channels
    ]


def seed_assessment(*, today: date, year: int = 2020) -> str:
    if DisclosureRecord.objects.filter(title__startswith=TITLE_PREFIX).exists():
        return "评估示例已存在"
    calendar = load_calendar()
    formed = _formed_on(today)
    catalogs = list(
        Catalog.objects.filter(region__parent__code=CITY, region__level=RegionLevel.COUNTY)
        .exclude(region__code=SKIP)
        .select_related("region")
        .order_by("region__code", "standard__order")
    )
    counties = sorted({catalog.region.code for catalog in catalogs})
    created = 0
    for catalog in catalogs:
        share = SHARES[counties.index(catalog.region.code) % len(SHARES)]
        items = list(Item.objects.filter(catalog=catalog).order_by("seq", "pk"))
        for position, item in enumerate(items[: round(len(items) * share)]):
            rule = parse_deadline(item.deadline.strip())
            due = rule.due(formed, calendar=calendar).on if rule and rule.has_due_date else None
            # Counties further behind are also later and thinner on evidence.
            late = due is not None and position % max(2, round(10 * share)) == 1
            published = due + timedelta(days=12) if late else formed + timedelta(days=1)
            published = min(max(published, formed), today)
            record_create(
                actor=SYSTEM,
                item=item,
                title=f"{TITLE_PREFIX}{catalog.region.name}{item.level2 or item.level1}",
                formed_on=formed,
                published_on=published,
                channels=_evidence(
                    item,
                    catalog.region,
                    drop_one=(position + counties.index(catalog.region.code)) % 4 == 3,
                ),
                today=today,
            )
            created += 1
    overrides = 0
    if catalogs and not MarkOverride.objects.filter(reason=OVERRIDE_REASON).exists():
        # The first county's last item, which its share leaves without a record.
        last = Item.objects.filter(catalog=catalogs[0]).order_by("-seq").first()
        if last is not None:
            mark_override(
                actor=SYSTEM,
                item=last,
                year=year,
                dimension=Dimension.PUBLIC,
                mark=2,
                reason=OVERRIDE_REASON,
            )
            overrides = 1
    return f"{len(counties)}个县的{created}条评估示例公开信息，{overrides}条评分调整"
