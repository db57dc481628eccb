"""The village part of the demo: 农安镇's villages, published, with one R24 finding."""

from datetime import date

from catalogs.models import Catalog, Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.services import catalog_publish
from portal.village_demo import DIVERGING_VILLAGE, seed_villages
from review.checks import run_checks
from review.checks.runner import PUBLICATION
from tests.factories import localise


def test_seed_villages_publishes_and_r24_finds_the_diverging_item(regions, standards, catalogs):
    for code, name in [
        ("220122100207", "十里堡村委会"),
        ("220122100208", "两家子村委会"),
        ("220122100246", "獾子洞村委会"),
    ]:
        Region.objects.create(
            code=code, name=name, level=RegionLevel.VILLAGE, parent=regions.nongan_town
        )
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)

    summary = seed_villages(date(2026, 6, 1))

    assert summary == "村（居）目录演示：农安镇新建3个，公开2个"
    village_catalogs = Catalog.objects.filter(region__level=RegionLevel.VILLAGE)
    assert village_catalogs.filter(last_published_at__isnull=False).count() == 2
    results = list(
        run_checks(village_catalogs, source=PUBLICATION, rules=["R24-village-consistency"])
    )
    assert len(results) == 1
    assert Catalog.objects.get(pk=results[0].catalog_id).region.code == DIVERGING_VILLAGE
    assert "多出“初审对象名单及相关信息、初审对象家庭收入情况”" not in results[0].message
    assert "多出“初审对象家庭收入情况”" in results[0].message
    # Idempotent.
    assert seed_villages(date(2026, 6, 1)) == "村（居）目录演示：农安镇新建0个，公开0个"
