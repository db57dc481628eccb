"""Adopting a changed standard edition on the demo set (issue 9, point 5).

    .venv/bin/python bench/adopt_demo.py

Builds the demo (长春市) on a throwaway database, publishes edition 2 of 社会救助 with four
kinds of change (an element reworded, a deadline tightened, an item added, an item removed),
then counts the adoption tasks and runs `derive_catalogs --adopt --region 2201`: how many
catalogs were adopted without conflict, and how many conflicts are left for their editors.
"""

import io
import time

from _django import setup

setup("adopt")

from django.core.management import call_command  # noqa: E402

from catalogs.models import StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from catalogs.services import edition_create_draft, edition_publish, standard_item_save  # noqa: E402
from items.adoption import adoption_plan, adoption_tasks  # noqa: E402

call_command("setup_demo", today="2026-11-29", stdout=io.StringIO())
social = StandardCatalog.objects.get(code="social-assistance")
draft = edition_create_draft(actor=SYSTEM, standard=social, note="演示：第2版")
items = list(draft.items.order_by("seq"))
items[0].content = items[0].content + "\n●救助标准调整情况"
standard_item_save(actor=SYSTEM, item=items[0])
items[1].deadline = "信息形成或者变更之日起7个工作日内"
standard_item_save(actor=SYSTEM, item=items[1])
items[-1].delete()
added = items[2]
added.pk = None
added.key = ""
added.seq = max(item.seq for item in items) + 1
added.level2 = "临时救助备用金管理"
standard_item_save(actor=SYSTEM, item=added)
edition_publish(actor=SYSTEM, edition=draft)

tasks = list(adoption_tasks().filter(region__code__startswith="2201"))
conflicts = sum(len(adoption_plan(catalog).conflicts) for catalog in tasks)
print(f"adoption tasks in 长春市: {len(tasks)} catalogs on edition 1, {conflicts} conflicts in all")
out = io.StringIO()
started = time.perf_counter()
call_command("derive_catalogs", "--adopt", "--region", "2201", stdout=out)
print(out.getvalue().strip().splitlines()[-1])
print(f"derive_catalogs --adopt: {time.perf_counter() - started:.1f} s")
left = list(adoption_tasks().filter(region__code__startswith="2201"))
print(f"left for their editors: {len(left)} catalogs")
