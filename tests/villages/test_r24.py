"""R24-village-consistency: a village item shared with its township whose content differs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.services import catalog_derive, catalog_publish, item_create, item_update
from items.villages import township_village_catalogs_derive
from review.checks import run_checks
from review.checks.runner import PUBLICATION
from review.checks.villages import content_key
from tests.factories import localise

R24 = "R24-village-consistency"


def _derive(regions, villages, catalogs):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    return Catalog.objects.get(region=villages.east)


def _hits(catalogs_qs, **kwargs):
    return list(run_checks(catalogs_qs, rules=[R24], **kwargs))


def test_content_key_ignores_bullets_spaces_and_order():
    assert content_key("●甲\n●乙") == content_key("1. 乙\n2. 甲 ")
    assert content_key("●甲") != content_key("●甲\n●乙")


def test_derived_village_catalog_passes(regions, villages, village_edition, catalogs):
    east = _derive(regions, villages, catalogs)
    assert _hits(Catalog.objects.filter(pk=east.pk)) == []


def test_changed_content_hits_with_the_township_item_named(
    regions, villages, village_edition, catalogs
):
    east = _derive(regions, villages, catalogs)
    item = east.items.get(standard_item__key="social-assistance-5")
    item_update(actor=SYSTEM, item=item, content="●初审对象名单\n●家庭收入情况")
    results = _hits(Catalog.objects.filter(pk=east.pk))
    assert len(results) == 1
    result = results[0]
    township_item = catalogs.town_social.items.get(standard_item__key="social-assistance-5")
    assert result.item_id == item.pk
    assert result.element == "content"
    assert result.message == (
        f"第{item.seq}项“最低生活保障 · 审核信息”的公开内容与农安镇目录第{township_item.seq}项"
        "“最低生活保障 · 审核信息”不一致：缺少乡镇目录中的“初审对象名单及相关信息”，"
        "多出“初审对象名单、家庭收入情况”。"
    )
    # The township's catalog is not a village's: R24 says nothing about it.
    assert _hits(Catalog.objects.filter(pk=catalogs.town_social.pk)) == []


def test_reformatted_content_is_the_same(regions, villages, village_edition, catalogs):
    east = _derive(regions, villages, catalogs)
    item = east.items.get(standard_item__key="social-assistance-1")
    township_item = catalogs.town_social.items.get(standard_item__key="social-assistance-1")
    elements = township_item.elements
    item_update(
        actor=SYSTEM,
        item=item,
        content="\n".join(f"{n}. {e}" for n, e in enumerate(reversed(elements), 1)),
    )
    assert _hits(Catalog.objects.filter(pk=east.pk)) == []


def test_local_items_match_by_normalised_name(regions, villages, village_edition, catalogs):
    east = _derive(regions, villages, catalogs)
    values = {
        "level1": "村务公开",
        "level2": "救助对象公示",
        "basis": "x",
        "deadline": "y",
        "subject": "z",
        "channels": ["政府网站"],
        "audience": ["全社会"],
        "method": ["主动"],
    }
    item_create(
        actor=SYSTEM, catalog=catalogs.town_social, content="●名单", levels=["乡级"], **values
    )
    local = item_create(
        actor=SYSTEM,
        catalog=east,
        content="●名单\n●金额",
        levels=["村级"],
        **{**values, "level2": "救助对象 公示"},
    )
    results = _hits(Catalog.objects.filter(pk=east.pk))
    assert [r.item_id for r in results] == [local.pk]
    assert "多出“金额”" in results[0].message


def test_without_township_catalog_nothing_is_compared(
    regions, villages, village_edition, standards
):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.fulongquan)
    village = Catalog.objects.get(region=villages.fulongquan)
    item = village.items.first()
    item_update(actor=SYSTEM, item=item, content="●完全不同")
    assert _hits(Catalog.objects.filter(pk=village.pk)) == []


def test_publication_source_compares_published_versions(
    regions, villages, village_edition, catalogs
):
    east = _derive(regions, villages, catalogs)
    localise(catalogs.town_social)
    catalog_publish(actor=SYSTEM, catalog=catalogs.town_social)
    localise(east)
    item = east.items.get(standard_item__key="social-assistance-2")
    item_update(actor=SYSTEM, item=item, content="●投诉电话")
    catalog_publish(actor=SYSTEM, catalog=east)
    # A later draft edit of the township does not count for what citizens see.
    township_item = catalogs.town_social.items.get(standard_item__key="social-assistance-2")
    item_update(actor=SYSTEM, item=township_item, content="●投诉电话")
    published = _hits(Catalog.objects.filter(pk=east.pk), source=PUBLICATION)
    assert len(published) == 1 and published[0].item_id == item.pk
    assert _hits(Catalog.objects.filter(pk=east.pk)) == []


def test_prepare_runs_in_a_fixed_number_of_queries(
    regions, villages, village_edition, catalogs, standards
):
    catalog_derive(actor=SYSTEM, region=regions.fulongquan, standard=standards.social)
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    one = Catalog.objects.filter(region=villages.east)
    with CaptureQueriesContext(connection) as few:
        _hits(one)
    township_village_catalogs_derive(actor=SYSTEM, township=regions.fulongquan)
    every = Catalog.objects.filter(region__level="village")
    assert every.count() == 4
    with CaptureQueriesContext(connection) as many:
        _hits(every)
    assert len(many) == len(few)


def test_prepare_costs_nothing_without_village_catalogs(catalogs):
    scope = Catalog.objects.filter(pk__in=[catalogs.town_social.pk, catalogs.nongan_social.pk])
    with CaptureQueriesContext(connection) as baseline:
        run_checks(scope, rules=["R12-duplicates"], overrides={})
    with CaptureQueriesContext(connection) as with_r24:
        assert run_checks(scope, rules=[R24], overrides={}) == []
    assert len(with_r24) == len(baseline)
