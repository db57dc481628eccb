"""Demo data of the matters app, built once by portal.demo.build_demo (in 长春市).

A 实施清单 of 民政 entries for 长春市 and four of its county-level units, the 监督举报
channels of 长春市 and 农安县 (the other regions fall back to 长春市's), and links from
the demo catalogs' items to the entries whose names agree. 低收入家庭认定 and
社会救助家庭经济状况核对 stay unlinked: the report of unlinked 民政 entries lists them.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from catalogs.models import Catalog, Region
from catalogs.permissions import SYSTEM
from matters import services
from matters.models import ChannelKind, ComplaintChannel, ItemMatterLink, ServiceMatter
from matters.selectors import is_service_item, suggestions_for_catalog

CITY = "2201"
COUNTIES = ("220122", "220112", "220182", "220183")  # 农安县 双阳区 榆树市 德惠市
LINKED_TOWNSHIPS = ("220122100",)  # 农安镇: its guides link to 农安县's entries

# (basic code, name, handling items) of a county's 民政 entries.
COUNTY_ENTRIES = (
    (
        "000720001000",
        "最低生活保障对象认定",
        ["城市最低生活保障对象认定", "农村最低生活保障对象认定"],
    ),
    ("000720002000", "特困人员认定", ["特困人员救助供养认定", "终止特困人员救助供养"]),
    ("000720003000", "临时救助对象认定", ["急难型临时救助", "支出型临时救助"]),
    ("000720005000", "老年人补贴发放", ["高龄津贴发放", "养老服务补贴发放", "护理补贴发放"]),
    ("000720006000", "养老机构备案", ["养老机构备案", "养老机构备案变更"]),
    ("000720004000", "低收入家庭认定", ["低收入家庭认定"]),
    ("000720007000", "社会救助家庭经济状况核对", ["居民家庭经济状况核对"]),
)
CITY_ENTRIES = (
    ("000720008000", "养老服务扶持补贴", ["养老机构建设补贴", "养老机构运营补贴"]),
    ("000720006000", "养老机构备案", ["养老机构备案"]),
)
ONLINE = "https://zwfw.jl.gov.cn/jlszwfw/bsfw/item?code={code}"


def _entries(region: Region, entries, moment: datetime) -> list[ServiceMatter]:
    implementer = f"{region.name}民政局"
    rows = [
        ServiceMatter(
            region=region,
            code=f"{region.code}{basic}",
            name=name,
            implementer=implementer,
            department="民政",
            handling_items=handling,
            online_url=ONLINE.format(code=f"{region.code}{basic}"),
            source="2020年吉林省政务服务事项实施清单（演示）",
            imported_at=moment,
        )
        for basic, name, handling in entries
    ]
    return ServiceMatter.objects.bulk_create(rows)


def seed(today: date) -> dict[str, int]:
    """Create the demo rows; returns counts to print. Runs once, after the catalogs exist."""
    moment = timezone.make_aware(datetime.combine(today, time(9, 0)))
    regions = {
        region.code: region
        for region in Region.objects.filter(code__in=[CITY, *COUNTIES, *LINKED_TOWNSHIPS])
    }
    if CITY not in regions:
        return {}
    matters = _entries(regions[CITY], CITY_ENTRIES, moment)
    for code in COUNTIES:
        if code in regions:
            matters += _entries(regions[code], COUNTY_ENTRIES, moment)

    city, nongan = regions[CITY], regions.get("220122")
    channels = [
        ComplaintChannel(
            region=city,
            kind=ChannelKind.PHONE,
            value="12345",
            note="长春市民生服务热线，全天受理",
            order=1,
        ),
        ComplaintChannel(
            region=city, kind=ChannelKind.EMAIL, value="mzjjb@changchun.gov.cn", order=2
        ),
        ComplaintChannel(
            region=city,
            kind=ChannelKind.ADDRESS,
            value="长春市南关区人民大街2677号 长春市民政局",
            note="来信请注明“社会救助投诉”",
            order=3,
        ),
        ComplaintChannel(
            region=city,
            kind=ChannelKind.ONLINE,
            value="https://www.changchun.gov.cn/hdjl/",
            note="长春市人民政府网站“政民互动”",
            order=4,
        ),
    ]
    if nongan is not None:
        channels += [
            ComplaintChannel(
                region=nongan,
                kind=ChannelKind.PHONE,
                value="0431-83221234",
                note="工作日 8:30—16:30",
                order=1,
            ),
            ComplaintChannel(
                region=nongan,
                kind=ChannelKind.ADDRESS,
                value="农安县农安镇黄龙路 农安县民政局社会救助股",
                order=2,
            ),
            ComplaintChannel(
                region=nongan,
                kind=ChannelKind.PHONE,
                value="12345",
                note="长春市民生服务热线",
                order=3,
            ),
        ]
    ComplaintChannel.objects.bulk_create(channels)

    linked = 0
    catalogs = Catalog.objects.filter(
        region__code__in=[*COUNTIES, *LINKED_TOWNSHIPS]
    ).select_related("region")
    for catalog in catalogs:
        for row in suggestions_for_catalog(catalog):
            if row.suggested is None or row.score < 1.0 or "民政" not in row.suggested.department:
                continue
            if row.suggested.name in ("低收入家庭认定", "社会救助家庭经济状况核对"):
                continue
            if not is_service_item(row.item):
                continue  # the service items only, not the lists and policies about them
            services.item_link_matter(
                actor=SYSTEM, item=row.item, matter=row.suggested, score=row.score, now=moment
            )
            linked += 1
    services.states.changed(services.STATE)
    return {
        "matters": len(matters),
        "channels": len(channels),
        "links": linked or ItemMatterLink.objects.count(),
    }
