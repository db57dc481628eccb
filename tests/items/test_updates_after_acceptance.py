"""After 已验收 a county keeps its catalog current: content updates are published without a
reopening; adding or removing items sends the catalog back to review (issue 9, point 5)."""

import pytest
from django.core.exceptions import ValidationError

from catalogs.models import CatalogEvent, CatalogStatus
from catalogs.permissions import SYSTEM
from items.models import Item
from items.publishing import catalogs_publish_many
from items.services import catalog_publish, item_delete, item_update
from tests.factories import CatalogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(regions, standards):
    return CatalogFactory(region=regions.nongan, standard=standards.social, accepted=True)


def _events(catalog):
    return list(
        CatalogEvent.objects.filter(catalog=catalog)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def test_content_update_after_acceptance_is_published_and_stays_accepted(accepted, users):
    before = _events(accepted)
    item = accepted.items.order_by("seq").first()
    item_update(actor=users.county_editor, item=item, content="●更新后的公开内容")
    publication = catalog_publish(actor=users.county_editor, catalog=accepted, note="内容更新")
    accepted.refresh_from_db()
    assert accepted.status == CatalogStatus.ACCEPTED
    assert _events(accepted) == before  # no move, no reopening
    assert publication.items.filter(content="●更新后的公开内容").count() == 1


def test_removing_an_item_after_acceptance_goes_back_to_review(accepted, users):
    item = accepted.items.order_by("seq").last()
    item_delete(actor=users.county_editor, item=item)
    catalog_publish(actor=users.county_editor, catalog=accepted, note="删除事项")
    accepted.refresh_from_db()
    assert accepted.status == CatalogStatus.PUBLISHED
    assert _events(accepted)[-1] == (CatalogStatus.ACCEPTED, CatalogStatus.PUBLISHED)


def test_bulk_publishing_follows_the_same_rule(accepted, regions, standards, users):
    other = CatalogFactory(region=regions.yongji, standard=standards.social, accepted=True)
    item = accepted.items.order_by("seq").first()
    item_update(actor=SYSTEM, item=item, content="●只改内容")
    item_delete(actor=SYSTEM, item=other.items.order_by("seq").last())
    report = catalogs_publish_many(actor=SYSTEM, catalogs=[accepted.pk, other.pk])
    assert report.published == 2
    accepted.refresh_from_db()
    other.refresh_from_db()
    assert (accepted.status, other.status) == (CatalogStatus.ACCEPTED, CatalogStatus.PUBLISHED)


def test_other_regions_editor_still_cannot_touch_an_accepted_catalog(accepted, users):
    item = Item.objects.filter(catalog=accepted).first()
    with pytest.raises(Exception, match="无权"):
        item_update(actor=users.other_county_editor, item=item, content="●越权修改")


def test_catalogs_under_review_stay_locked(regions, standards, users):
    entered = CatalogFactory(region=regions.nongan, standard=standards.social, entered=True)
    item = entered.items.first()
    with pytest.raises(ValidationError, match="已锁定"):
        item_update(actor=users.county_editor, item=item, content="●锁定中修改")
