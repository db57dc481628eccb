"""Load Jilin, derive every county and township catalog at once, then publish one city.

.venv/bin/python bench/derive_province.py
"""

from _django import measure, setup

setup("derive")

from catalogs.divisions import load_divisions  # noqa: E402
from catalogs.models import Catalog  # noqa: E402
from catalogs.services import standard_catalogs_load_initial  # noqa: E402
from items.models import Item  # noqa: E402
from portal import demo  # noqa: E402

results: dict = {}
with measure("load_divisions 22 (13,015 regions)", results):
    load_divisions("22")
with measure("load standard catalogs", results):
    standard_catalogs_load_initial()
with measure("demo: compile and publish 长春市", results):
    demo.compile_city("2201")
from catalogs.models import Region, StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from items.services import catalogs_derive_many  # noqa: E402

with measure("derive the rest of Jilin (all counties+townships)", results):
    catalogs_derive_many(
        actor=SYSTEM,
        root=Region.objects.get(code="22"),
        standards=StandardCatalog.objects.all(),
        recursive=True,
    )
print(f"catalogs: {Catalog.objects.count()}, items: {Item.objects.count()}")
