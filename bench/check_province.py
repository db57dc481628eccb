"""Time check_catalogs on the demo data and on every county and township catalog of Jilin.

.venv/bin/python bench/check_province.py
"""

import io

from _django import measure, setup

setup("checks")

from django.core.management import call_command  # noqa: E402

from catalogs.models import Catalog  # noqa: E402

results: dict = {}
call_command("setup_demo", today="2026-09-20", stdout=io.StringIO())
with measure(f"check_catalogs --region 22, demo ({Catalog.objects.count()} catalogs)", results):
    call_command("check_catalogs", region="22", stdout=io.StringIO())
with measure("derive_catalogs --region 22 --recursive", results):
    call_command("derive_catalogs", region="22", recursive=True, stdout=io.StringIO())
total = Catalog.objects.count()
with measure(f"check_catalogs --region 22, all Jilin ({total} catalogs), first", results):
    call_command("check_catalogs", region="22", stdout=io.StringIO())
with measure(f"check_catalogs --region 22, all Jilin ({total} catalogs), again", results):
    call_command("check_catalogs", region="22", stdout=io.StringIO())
