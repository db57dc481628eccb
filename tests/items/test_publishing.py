"""Bulk publishing writes exactly what publishing one catalog at a time writes."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Region
from catalogs.permissions import SYSTEM
from items.models import Item, Publication, PublishedItem
from items.publishing import catalogs_publish_many
from items.services import catalog_publish
from tests.conftest import localise

pytestmark = pytest.mark.django_db

PUBLICATION_FIELDS = ("number", "is_current", "note", "item_count")
ITEM_FIELDS = ("public_id", "standard_item_id", "name", "content", "channels", "extra_elements")


def _snapshot(catalog):
    catalog.refresh_from_db()
    publication = Publication.objects.get(catalog=catalog, is_current=True)
    return {
        "status": catalog.status,
        "changes": catalog.has_unpublished_changes,
        "publication": [getattr(publication, name) for name in PUBLICATION_FIELDS],
        "items": [
            [getattr(item, name) for name in ITEM_FIELDS]
            for item in PublishedItem.objects.filter(publication=publication).order_by("seq", "pk")
        ],
        "events": list(
            CatalogEvent.objects.filter(catalog=catalog)
            .order_by("pk")
            .values_list("from_status", "to_status", "note")
        ),
        "history": catalog.history.count(),
    }


def test_bulk_publish_matches_publishing_one_at_a_time(catalogs):
    one, other = catalogs.nongan_social, catalogs.yongji_social
    localise(one)
    localise(other)
    now = timezone.now()
    catalog_publish(actor=SYSTEM, catalog=one, note="批量", now=now)
    report = catalogs_publish_many(actor=SYSTEM, catalogs=[other.pk], note="批量", now=now)

    assert report.published == 1
    single, bulk = _snapshot(one), _snapshot(other)
    assert bulk["status"] == single["status"] == CatalogStatus.PUBLISHED
    assert bulk["events"] == single["events"] == [(CatalogStatus.DRAFTING, "published", "批量")]
    assert bulk["publication"] == single["publication"]
    assert len(bulk["items"]) == len(single["items"]) > 0
    assert [row[1:] for row in bulk["items"]] == [row[1:] for row in single["items"]]
    assert bulk["changes"] is single["changes"] is False
    assert bulk["history"] == single["history"]


def test_rerun_publishes_only_changed_catalogs(catalogs):
    for catalog in (catalogs.nongan_social, catalogs.yongji_social):
        localise(catalog)
    ids = [catalogs.nongan_social.pk, catalogs.yongji_social.pk]
    assert catalogs_publish_many(actor=SYSTEM, catalogs=ids).published == 2

    again = catalogs_publish_many(actor=SYSTEM, catalogs=ids)
    assert (again.published, again.unchanged) == (0, 2)
    assert Publication.objects.filter(catalog_id__in=ids).count() == 2

    item = Item.objects.filter(catalog=catalogs.yongji_social).first()
    item.content = "●新的公开内容"
    item.save()
    Catalog.objects.filter(pk=catalogs.yongji_social.pk).update(draft_changed_at=timezone.now())
    third = catalogs_publish_many(actor=SYSTEM, catalogs=ids)
    assert (third.published, third.unchanged) == (1, 1)
    current = Publication.objects.get(catalog=catalogs.yongji_social, is_current=True)
    assert current.number == 2
    assert current.items.filter(content="●新的公开内容").count() == 1


def test_incomplete_catalogs_are_skipped_not_half_published(catalogs):
    localise(catalogs.nongan_social)
    report = catalogs_publish_many(
        actor=SYSTEM, catalogs=[catalogs.nongan_social.pk, catalogs.yongji_social.pk]
    )
    assert report.published == 1
    assert [catalog.pk for catalog, _ in report.incomplete] == [catalogs.yongji_social.pk]
    assert not Publication.objects.filter(catalog=catalogs.yongji_social).exists()


def test_other_regions_editor_cannot_bulk_publish(catalogs, users):
    localise(catalogs.yongji_social)
    report = catalogs_publish_many(actor=users.county_editor, catalogs=[catalogs.yongji_social.pk])
    assert report.published == 0
    assert "无权发布" in report.refused[0][1]
    assert not Publication.objects.filter(catalog=catalogs.yongji_social).exists()


def test_command_refuses_incomplete_unless_all_complete(catalogs, regions):
    localise(catalogs.nongan_social)
    with pytest.raises(CommandError, match="要素不完整，未发布任何目录"):
        call_command("publish_catalogs", "--region", "22")
    assert not Publication.objects.exists()

    call_command("publish_catalogs", "--region", "220122", "--all-complete")
    published = set(Publication.objects.values_list("catalog_id", flat=True))
    assert catalogs.nongan_social.pk in published
    # 农安镇 lacks its township subject; 永吉县 is outside the region asked for.
    assert catalogs.town_social.pk not in published
    assert catalogs.yongji_social.pk not in published


def test_derive_without_region_covers_every_province(regions, standards):
    from django.core.management import call_command

    call_command("derive_catalogs")
    holders = Region.objects.catalog_holders().count()
    assert Catalog.objects.count() == holders * 2
    call_command("derive_catalogs")  # a rerun derives nothing twice
    assert Catalog.objects.count() == holders * 2
