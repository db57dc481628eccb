"""Demo of village catalogs (issue 14): 农安镇 derives and publishes its villages' catalogs.

The province publishes the village standard; 农安镇 (220122100) derives the catalogs of all
its villages, fills in what the standard leaves empty, and publishes them all but two (left as drafts to
show what 暂未公开 looks like). One village changes the 公开内容 of a shared item before
publishing, so R24-village-consistency has something to find.
"""

from datetime import date

from catalogs.models import Catalog, Region
from catalogs.permissions import SYSTEM
from catalogs.villages import village_standard, village_standard_publish_initial
from items.models import Item
from items.services import catalog_publish, item_update
from items.validation import item_problems
from items.villages import township_village_catalogs_derive

DEMO_TOWNSHIP = "220122100"  # 农安县农安镇
# Villages left as drafts.
UNPUBLISHED_VILLAGES = {"220122100246", "220122100247"}
# The village whose 审核信息 lists more than the township's (R24).
DIVERGING_VILLAGE = "220122100207"  # 十里堡村委会
DIVERGING_KEY = "social-assistance-5"
DIVERGING_CONTENT = "●初审对象名单及相关信息\n●初审对象家庭收入情况"

_FILLERS = {
    "basis": "《社会救助暂行办法》(国务院令第649号)",
    "deadline": "制定或获取信息之日起10个工作日内",
    "channels": ["社区/企事业单位/村公示栏(电子屏)"],
    "audience": ["全社会"],
    "method": ["主动"],
}


def _subject(village: Region, township: Region) -> str:
    return f"{township.name}人民政府、{village.name}"


def seed_villages(today: date) -> str:
    """Idempotent: a second run finds the catalogs and publishes nothing new."""
    township = Region.objects.filter(code=DEMO_TOWNSHIP).first()
    if township is None:
        return "村（居）目录演示：未找到农安镇"
    if village_standard() is None:
        village_standard_publish_initial(actor=SYSTEM)
    result = township_village_catalogs_derive(actor=SYSTEM, township=township)
    published = 0
    catalogs = (
        Catalog.objects.filter(region__parent=township, last_published_at__isnull=True)
        .select_related("region", "standard")
        .order_by("region__code")
    )
    for catalog in catalogs:
        village = catalog.region
        # Only what is missing (and the one diverging item) is edited: the village keeps
        # the standard's wording elsewhere, which keeps the demo quick to build.
        for item in Item.objects.filter(catalog=catalog).select_related("standard_item"):
            values = {k: v for k, v in _FILLERS.items() if not getattr(item, k)}
            if not item.subject:
                values["subject"] = _subject(village, township)
            if village.code == DIVERGING_VILLAGE and item.standard_item.key == DIVERGING_KEY:
                values["content"] = DIVERGING_CONTENT
            if values:
                item_update(actor=SYSTEM, item=item, **values)
        if village.code in UNPUBLISHED_VILLAGES:
            continue
        if all(not item_problems(item, village) for item in catalog.items.all()):
            catalog_publish(actor=SYSTEM, catalog=catalog, note=f"{today.year}年村（居）务首次公开")
            published += 1
    return f"村（居）目录演示：{township.name}新建{result.created}个，公开{published}个"
