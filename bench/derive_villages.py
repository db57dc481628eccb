"""Derive 农安县's village catalogs: how many, and how long (issue 14).

Loads Jilin's divisions (villages included) into a throwaway database, the standard
catalogs, derives 农安县's county and township catalogs, then runs the command
``derive_village_catalogs --region 220122`` twice (the second run must create nothing).

.venv/bin/python bench/derive_villages.py
BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/villages_bench .venv/bin/python bench/derive_villages.py
"""

import io

from _django import measure, setup

setup("villages")

from django.core.management import call_command  # noqa: E402

from catalogs.divisions import load_divisions  # noqa: E402
from catalogs.models import Catalog, Region, RegionLevel, StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from catalogs.services import standard_catalogs_load_initial  # noqa: E402
from items.models import Item  # noqa: E402
from items.services import catalogs_derive_many  # noqa: E402

COUNTY = "220122"  # 农安县
results: dict = {}
with measure("load_divisions 22 (villages included)", results):
    load_divisions("22")
with measure("load standard catalogs", results):
    standard_catalogs_load_initial()
county = Region.objects.get(code=COUNTY)
with measure("derive 农安县's county and township catalogs", results):
    report = catalogs_derive_many(
        actor=SYSTEM, root=county, standards=StandardCatalog.objects.all(), recursive=True
    )
print(f"county/township catalogs derived: {len(report.created)}")
villages = Region.objects.descendants_of(county).filter(level=RegionLevel.VILLAGE)
print(f"villages and residents' committees below 农安县: {villages.count()}")

for label in ("derive_village_catalogs --region 220122", "rerun (must create nothing)"):
    out = io.StringIO()
    with measure(label, results):
        call_command("derive_village_catalogs", region=COUNTY, stdout=out)
    lines = out.getvalue().splitlines()
    skipped = [line for line in lines[3:-1] if "跳过" in line or "不编制" in line]
    print("\n".join(lines[:3] + ["  ..."] + skipped + lines[-1:]))

village_catalogs = Catalog.objects.filter(region__in=villages)
print(
    f"village catalogs: {village_catalogs.count()}, "
    f"their items: {Item.objects.filter(catalog__in=village_catalogs).count()}"
)
