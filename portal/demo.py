"""Demo data: Jilin's regions, the standard catalogs, and 长春市 compiled and mostly published.

Everything here is idempotent, so ``make run`` can be repeated. Demo passwords are generated
on first use and kept in ``.demo-logins.json`` next to manage.py (ignored by git).
"""

import importlib.util
import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from catalogs.divisions import load_divisions
from catalogs.models import Catalog, Region, RegionLevel, Role, StaffProfile, StandardCatalog
from catalogs.permissions import SYSTEM
from catalogs.services import region_update_contact, standard_catalogs_load_initial
from items.models import Item
from items.services import (
    catalog_publish,
    catalogs_derive_many,
    item_set_extra_elements,
    item_update,
)
from items.validation import item_problems

DEMO_CITY = "2201"  # 长春市
LOGINS_FILE = Path(settings.BASE_DIR) / ".demo-logins.json"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    region_code: str
    office: str
    full_name: str


DEMO_USERS = [
    DemoUser("admin", Role.PROVINCE_ADMIN, "22", "吉林省民政厅", "省级管理员"),
    DemoUser("reviewer", Role.PROVINCE_REVIEWER, "22", "吉林省民政厅", "省级审核员"),
    DemoUser("changchun", Role.CITY_COORDINATOR, "2201", "长春市民政局", "长春市协调员"),
    DemoUser("nongan", Role.COUNTY_EDITOR, "220122", "农安县民政局", "农安县编辑"),
    DemoUser("nonganzhen", Role.TOWNSHIP_EDITOR, "220122100", "农安镇人民政府", "农安镇编辑"),
    DemoUser("jilinshi", Role.CITY_COORDINATOR, "2202", "吉林市民政局", "吉林市协调员"),
]

# Townships whose catalogs stay unfinished drafts, to show what incomplete looks like.
UNFINISHED_TOWNSHIPS = {"220122101", "220122102", "220112001"}
# Catalogs published and then edited again (unpublished changes).
EDITED_AFTER_PUBLISHING = {"220122103", "220183"}


def office_of(region: Region) -> str:
    if region.level == RegionLevel.COUNTY:
        return f"{region.name}民政局"
    if region.name.endswith("街道"):
        return f"{region.name}办事处"
    return f"{region.name}人民政府"


def _phone(region: Region) -> str:
    return f"0431-8{int(region.code[-5:]) % 10000000:07d}"[:13]


def ensure_reference_data() -> None:
    load_divisions("22")
    standard_catalogs_load_initial()


def ensure_users() -> dict[str, str]:
    """Create the demo staff users; returns username -> password."""
    logins = json.loads(LOGINS_FILE.read_text()) if LOGINS_FILE.exists() else {}
    User = get_user_model()
    for demo in DEMO_USERS:
        password = logins.get(demo.username) or secrets.token_urlsafe(9)
        logins[demo.username] = password
        user, created = User.objects.get_or_create(
            username=demo.username, defaults={"is_staff": True, "first_name": demo.full_name}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.is_staff = True
            user.is_superuser = demo.role == Role.PROVINCE_ADMIN
            user.save()
        region = Region.objects.get(code=demo.region_code)
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "role": demo.role,
                "region": region,
                "office": demo.office,
                "phone": _phone(region),
            },
        )
    LOGINS_FILE.write_text(json.dumps(logins, ensure_ascii=False, indent=2))
    LOGINS_FILE.chmod(0o600)
    return logins


def _localised_values(item: Item, region: Region) -> dict:
    """What a region's staff would fill in: the real office, and any element still missing."""
    values = {"subject": region.office_name}
    if region.catalog_level not in item.levels:
        values["levels"] = [*item.levels, region.catalog_level]
    defaults = {
        "content": "●特困人员名单\n●救助供养标准",
        "basis": "《社会救助暂行办法》(国务院令第649号)",
        "deadline": "制定或获取信息之日起10个工作日内",
        "channels": ["政府网站", "社区/企事业单位/村公示栏(电子屏)"],
        "audience": ["全社会"],
        "method": ["主动"],
    }
    values.update({name: value for name, value in defaults.items() if not getattr(item, name)})
    if region.level == RegionLevel.COUNTY and item.level2 == "办事指南":
        values["level2"] = f"{item.level2}（{region.name}）"
    return values


@transaction.atomic
def compile_city(city_code: str = DEMO_CITY) -> dict[str, int]:
    """Derive, localise and publish the catalogs of one city's counties and townships."""
    city = Region.objects.get(code=city_code)
    for region in Region.objects.descendants_of(city).catalog_holders():
        if not region.office_name:
            region_update_contact(
                actor=SYSTEM,
                region=region,
                office_name=office_of(region),
                contact_name=f"{region.name}政务公开联系人",
                contact_phone=_phone(region),
                address=f"吉林省长春市{region.name}政务服务中心",
            )
    catalogs_derive_many(
        actor=SYSTEM, root=city, standards=StandardCatalog.objects.all(), recursive=True
    )
    published = 0
    catalogs = (
        Catalog.objects.within(city).filter(last_published_at__isnull=True).select_related("region")
    )
    for catalog in catalogs:
        region = catalog.region
        items = list(catalog.items.all())
        for index, item in enumerate(items):
            if region.code in UNFINISHED_TOWNSHIPS and index % 3 == 0:
                item_update(actor=SYSTEM, item=item, subject="")  # left for the township to fill
            else:
                item_update(actor=SYSTEM, item=item, **_localised_values(item, region))
        if region.code in UNFINISHED_TOWNSHIPS:
            continue
        if items and region.level == RegionLevel.COUNTY:
            item_set_extra_elements(
                actor=SYSTEM,
                item=items[0],
                extras=[("咨询电话", region.contact_phone), ("办公地址", region.address)],
            )
        if all(not item_problems(item, region) for item in catalog.items.all()):
            catalog_publish(actor=SYSTEM, catalog=catalog, note="2020年首次公开")
            published += 1
    for code in EDITED_AFTER_PUBLISHING:
        catalog = Catalog.objects.filter(region__code=code).order_by("standard__order").first()
        if catalog and not catalog.has_unpublished_changes:
            item = catalog.items.first()
            item_update(actor=SYSTEM, item=item, deadline="制定或获取信息之日起7个工作日内")
    return {"published": published, "catalogs": Catalog.objects.within(city).count()}


def seed_review(today: date) -> str:
    if importlib.util.find_spec("review.demo") is None:
        return "review demo not available"
    from review.demo import seed_review_demo

    seed_review_demo(today=today)
    return "review demo seeded"
