"""Demo data: Jilin's regions, the standard catalogs, and 长春市 compiled and mostly published.

``build_demo`` runs once per database: it builds the demo in one transaction and records a
``SetupMarker``; once that exists, set-up writes nothing at all, so ``make run`` can be
repeated without undoing what people did since. It never builds over a database that already
holds catalogs or staff, and reference data (regions, standard catalogs) is only created when
missing, never updated. Demo passwords are generated on first use and kept in
``.demo-logins.json`` next to manage.py (ignored by git).
"""

import json
import secrets
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

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
from portal.models import SetupMarker

DEMO_CITY = "2201"  # 长春市
DEMO_PROVINCE = "22"  # 吉林省
DEMO_MARKER = "demo"
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
    """Jilin's divisions and the standard catalogs, each only if missing (never updated)."""
    if not Region.objects.filter(code=DEMO_PROVINCE).exists():
        load_divisions(DEMO_PROVINCE)
    standard_catalogs_load_initial()  # creates a catalog or its first edition only if missing


def _stored_logins() -> dict[str, str]:
    return json.loads(LOGINS_FILE.read_text()) if LOGINS_FILE.exists() else {}


def ensure_users() -> dict[str, str]:
    """Create the demo staff users that do not exist yet; returns username -> password.

    An existing user (and its profile) is left exactly as it is, password included.
    """
    logins = _stored_logins()
    User = get_user_model()
    for demo in DEMO_USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        password = logins.get(demo.username) or secrets.token_urlsafe(9)
        logins[demo.username] = password
        user = User(
            username=demo.username,
            first_name=demo.full_name,
            is_staff=True,
            is_superuser=demo.role == Role.PROVINCE_ADMIN,
        )
        user.set_password(password)
        user.save()
        region = Region.objects.get(code=demo.region_code)
        StaffProfile.objects.create(
            user=user, role=demo.role, region=region, office=demo.office, phone=_phone(region)
        )
    LOGINS_FILE.write_text(json.dumps(logins, ensure_ascii=False, indent=2))
    LOGINS_FILE.chmod(0o600)
    return logins


def demo_logins() -> dict[str, str]:
    """What to print for each demo user, read-only: the kept password while it still works."""
    logins = _stored_logins()
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    shown = {}
    for demo in DEMO_USERS:
        user, password = users.get(demo.username), logins.get(demo.username)
        if user is None:
            shown[demo.username] = "（不存在）"
        elif password and check_password(password, user.password):
            shown[demo.username] = password
        else:
            shown[demo.username] = "（密码已更改）"
    return shown


def demo_built_at():
    marker = SetupMarker.objects.filter(name=DEMO_MARKER).first()
    return marker.done_at if marker else None


def existing_data() -> bool:
    """Catalogs or staff not made by the demo: the demo is never mixed into them."""
    return Catalog.objects.exists() or StaffProfile.objects.exists()


@transaction.atomic
def build_demo(*, today: date) -> dict | None:
    """Build the whole demo once; None when it was built before or other data exists."""
    if SetupMarker.objects.filter(name=DEMO_MARKER).exists() or existing_data():
        return None
    ensure_reference_data()
    ensure_users()
    counts = compile_city()
    # Issue 13 before the review demo, which locks catalogs in review: guides are published
    # with their catalogs (the 实施清单 first, as the guides link to it).
    for app in ("matters", "guides"):
        counts[app] = import_module(f"{app}.demo").seed(today)
    counts["review"] = seed_review(today)
    counts["records"] = seed_records(today)
    counts["assessment"] = seed_assessment(today)
    # Issue 14: policies, questions and consultations in 长春市.
    for app in ("policies", "inquiries", "participation"):
        counts[app] = import_module(f"{app}.demo").seed(today)
    # Issue 14 (八): 农安镇 derives and publishes its villages' catalogs.
    counts["villages"] = import_module("portal.village_demo").seed_villages(today)
    SetupMarker.objects.create(name=DEMO_MARKER, done_at=timezone.now())
    return counts


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
    """Derive, localise and publish the catalogs of one city's counties and townships.

    Only into a city without catalogs: existing ones are never touched.
    """
    city = Region.objects.get(code=city_code)
    if Catalog.objects.within(city).exists():
        return {"published": 0, "catalogs": Catalog.objects.within(city).count()}
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


def seed_records(today: date) -> str:
    """公开信息 for 农安县 and 农安镇 showing each state the checks tell apart (idempotent)."""
    from records.demo import seed_records as seed_records_demo

    return seed_records_demo(today=today)


def seed_assessment(today: date) -> str:
    """The assessment's demo: 长春市's counties recording different shares of their items."""
    from assessment.demo import seed_assessment as seed_assessment_demo

    return seed_assessment_demo(today=today)


def seed_review(today: date) -> str:
    from review.demo import seed_review_demo

    summary = seed_review_demo(today=today)
    return f"审核演示：{summary.get('findings', 0)} 条问题" if summary else "审核演示已存在"
