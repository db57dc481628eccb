"""Opening and saving a 5,000-item catalog's admin page (issue 12, point 4).

    .venv/bin/python bench/admin_catalog.py [--items 5000] [--runs 5]

Builds 农安县's social-assistance catalog with N items on a throwaway database, logs in as
the province administrator and times the change page (GET) and a save of its header (POST)
through Django's test client: the server's own work, wall time and CPU.
"""

import argparse
import re
import statistics
import time

from _django import setup

parser = argparse.ArgumentParser()
parser.add_argument("--items", type=int, default=5000)
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()

setup("admin-catalog")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from catalogs.models import Catalog, Region, Role, StaffProfile  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from items.models import Item  # noqa: E402
from items.services import catalog_derive  # noqa: E402

call_command("load_divisions", province="22", no_villages=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
call_command("load_standards", stdout=open("/dev/null", "w"))  # noqa: SIM115
from catalogs.models import StandardCatalog  # noqa: E402

region = Region.objects.get(code="220122")
catalog = catalog_derive(
    actor=SYSTEM, region=region, standard=StandardCatalog.objects.get(code="social-assistance")
)
start = catalog.items.count()
Item.objects.bulk_create(
    Item(
        catalog=catalog,
        seq=seq,
        level1=f"本地一级事项{seq // 10}",
        level2=f"本地二级事项{seq}",
        content=f"●要素{seq}",
        basis="《中华人民共和国政府信息公开条例》",
        deadline="信息形成或变更之日起20个工作日内",
        subject="农安县民政局",
        channels=["政府网站"],
        audience=["全社会"],
        method=["主动"],
        levels=["县级"],
    )
    for seq in range(start + 1, args.items + 1)
)
from django.contrib.auth import get_user_model  # noqa: E402

user = get_user_model().objects.create_user("bench-admin", password="x" * 12, is_staff=True)
StaffProfile.objects.create(
    user=user, role=Role.PROVINCE_ADMIN, region=Region.objects.get(code="22")
)
client = Client()
client.force_login(user)
url = reverse("admin:catalogs_catalog_change", args=[catalog.pk])

walls, cpus = [], []
for _ in range(args.runs):
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
    assert response.status_code == 200
html = response.content.decode()
print(f"catalog with {Catalog.objects.get(pk=catalog.pk).items.count()} items")
print(
    f"change page GET: median {statistics.median(walls):.3f} s wall, "
    f"{statistics.median(cpus):.3f} s CPU, {len(html) / 1024:.0f} KiB"
)
# Post the form back unchanged, as a browser would: every named input with its value.
fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
fields.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
wall = time.perf_counter()
saved = client.post(url, fields)
print(
    f"save (POST {len(fields)} fields): {time.perf_counter() - wall:.3f} s, status {saved.status_code}"
)
