"""The fast write paths write exactly what the ORM would.

On PostgreSQL (``DATABASE_URL=postgres://...``) bulk publishing streams the published items
with COPY and the check runs store findings the same way (``items.bulk``); on SQLite both
fall back to ``bulk_create``. Each test compares every column with the ORM path.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalogs.models import CatalogEvent, CatalogStatus, Region, RegionLevel
from catalogs.permissions import SYSTEM
from items.bulk import insert_objects, uses_copy
from items.models import Item, ItemExtraElement, Publication, PublishedItem
from items.publishing import catalogs_publish_many
from items.services import catalog_derive, catalog_publish
from review.models import Finding, FindingEvent
from tests.conftest import localise

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "publication_id", "item_id", "public_id"}


NAMES = [f.attname for f in PublishedItem._meta.concrete_fields if f.attname not in SKIPPED]


def _rows(catalog):
    publication = Publication.objects.get(catalog=catalog, is_current=True)
    names = NAMES
    return list(
        PublishedItem.objects.filter(publication=publication)
        .order_by("seq", "pk")
        .values_list(*names)
    )


def test_bulk_rows_equal_single_publish_in_every_column(catalogs):
    one, other = catalogs.nongan_social, catalogs.yongji_social
    for catalog in (one, other):
        localise(catalog)
        first = Item.objects.filter(catalog=catalog).order_by("seq").first()
        ItemExtraElement.objects.create(item=first, name="办理地点", value="“县政务大厅”\\n二楼")
        ItemExtraElement.objects.create(item=first, name="备注", value="")
    # Same region path and subject apart, the two catalogs' items read the same.
    Item.objects.filter(catalog__in=[one, other]).update(subject="民政局")
    now = timezone.now()
    catalog_publish(actor=SYSTEM, catalog=one, note="批量", now=now)
    assert catalogs_publish_many(actor=SYSTEM, catalogs=[other.pk], now=now).published == 1

    single, bulk = _rows(one), _rows(other)
    assert len(single) == len(bulk) == Item.objects.filter(catalog=one).count() > 5
    key_index = NAMES.index("search_key")
    for a, b in zip(single, bulk, strict=True):
        # Everything but the search key's region path is equal, column for column.
        a, b = list(a), list(b)
        assert a[key_index].split("!")[1:] == b[key_index].split("!")[1:]
        a[key_index] = b[key_index] = None
        assert a == b
    extras = PublishedItem.objects.filter(publication__catalog=other, seq=1).get().extra_elements
    assert extras == [["办理地点", "“县政务大厅”\\n二楼"], ["备注", ""]]
    # Each draft item is the anchor of its published copy.
    assert set(
        PublishedItem.objects.filter(publication__catalog=other).values_list("item_id", flat=True)
    ) == set(Item.objects.filter(catalog=other).values_list("pk", flat=True))


def test_republishing_in_bulk_keeps_one_current_indexed_copy(catalogs):
    localise(catalogs.nongan_social)
    ids = [catalogs.nongan_social.pk]
    catalogs_publish_many(actor=SYSTEM, catalogs=ids)
    Item.objects.filter(catalog=catalogs.nongan_social, seq=1).update(content="●新的内容")
    type(catalogs.nongan_social).objects.filter(pk__in=ids).update(draft_changed_at=timezone.now())
    assert catalogs_publish_many(actor=SYSTEM, catalogs=ids).published == 1

    old, new = Publication.objects.filter(catalog_id__in=ids).order_by("number")
    assert (old.is_current, new.is_current, new.number) == (False, True, 2)
    assert not old.items.exclude(search_key=None).exists()
    assert not new.items.filter(search_key=None).exists()
    assert new.items.get(seq=1).content == "●新的内容"
    assert new.item_count == new.items.count()


def test_insert_objects_assigns_ids_and_writes_every_field(catalogs):
    now = timezone.now()
    catalog = catalogs.nongan_social
    events = [
        CatalogEvent(
            catalog=catalog,
            actor=None,
            from_status=CatalogStatus.DRAFTING,
            to_status=CatalogStatus.PUBLISHED,
            at=now,
            note=f"第{n}次",
        )
        for n in range(3)
    ]
    insert_objects(CatalogEvent, events)
    ids = [event.pk for event in events]
    assert None not in ids and ids == sorted(ids)
    stored = list(
        CatalogEvent.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("catalog_id", "from_status", "to_status", "at", "note")
    )
    assert stored == [(catalog.pk, "drafting", "published", now, f"第{n}次") for n in range(3)]
    assert all(not event._state.adding for event in events)


def test_findings_and_their_events_are_stored_together(published):
    call_command("check_catalogs", "--region", "220122", stdout=StringIO())
    findings = Finding.objects.filter(catalog=published.catalog)
    assert findings.count() > 0
    # Every new finding has its one 'created' event, pointing at it.
    assert FindingEvent.objects.filter(finding__in=findings).count() == findings.count()
    call_command("check_catalogs", "--region", "220122", stdout=StringIO())
    assert Finding.objects.filter(catalog=published.catalog).count() == findings.count()


def test_copy_is_used_exactly_on_postgresql():
    assert uses_copy(PublishedItem) is (connection.vendor == "postgresql")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="processes need PostgreSQL")
def test_provinces_checked_in_parallel_store_what_one_process_stores(regions, standards):
    liaoning = Region.objects.create(code="21", name="辽宁省", level=RegionLevel.PROVINCE)
    shenyang = Region.objects.create(
        code="2101", name="沈阳市", level=RegionLevel.CITY, parent=liaoning
    )
    county = Region.objects.create(
        code="210112", name="浑南区", level=RegionLevel.COUNTY, parent=shenyang
    )
    for region in (regions.nongan, regions.yongji, county):
        localise(catalog_derive(actor=SYSTEM, region=region, standard=standards.social))
    call_command("publish_catalogs", "--all-complete", stdout=StringIO())

    def findings():
        return sorted(Finding.objects.values_list("catalog_id", "fingerprint", "state", "severity"))

    call_command("check_catalogs", "--jobs", "1", stdout=StringIO())
    serial = findings()
    Finding.objects.all().delete()
    call_command("check_catalogs", "--jobs", "2", stdout=StringIO())
    assert findings() == serial
    assert {code for (code,) in Finding.objects.values_list("catalog__region__code")} >= {
        "220122",
        "210112",
    }
