"""Who may edit, publish and open village catalogs: allowed and denied side by side."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalogs.models import Catalog, CatalogStatus, Role
from catalogs.permissions import SYSTEM
from items.models import Item
from items.services import catalog_publish, item_update
from items.villages import township_village_catalogs_derive
from tests.factories import localise, staff_user


@pytest.fixture
def east(regions, villages, village_edition, catalogs):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    return Catalog.objects.get(region=villages.east)


@pytest.fixture
def fulongquan_editor(regions):
    return staff_user(Role.TOWNSHIP_EDITOR, regions.fulongquan, "fulongquan-editor")


def _first(catalog):
    return Item.objects.filter(catalog=catalog).order_by("seq").first()


@pytest.mark.parametrize("who", ["township_editor", "county_editor", "admin"])
def test_township_county_and_province_edit_a_village_item(users, east, who):
    item = _first(east)
    item_update(actor=getattr(users, who), item=item, subject="东村村民委员会")
    item.refresh_from_db()
    assert item.subject == "东村村民委员会"
    assert item.history.first().history_user_id == getattr(users, who).pk


@pytest.mark.parametrize("who", ["other_county_editor", "coordinator", "reviewer"])
def test_others_may_not_edit_a_village_item(users, east, who):
    item = _first(east)
    with pytest.raises(PermissionDenied):
        item_update(actor=getattr(users, who), item=item, subject="改")
    item.refresh_from_db()
    assert item.subject != "改"


def test_another_townships_editor_may_not_edit(east, fulongquan_editor):
    with pytest.raises(PermissionDenied):
        item_update(actor=fulongquan_editor, item=_first(east), subject="改")


def test_township_editor_publishes_a_village_catalog(users, east):
    localise(east)
    publication = catalog_publish(actor=users.township_editor, catalog=east, note="首次公开")
    east.refresh_from_db()
    assert (publication.number, publication.item_count) == (1, 14)
    assert east.status == CatalogStatus.PUBLISHED
    assert publication.published_by == users.township_editor


def test_another_township_may_not_publish_it(users, east, fulongquan_editor):
    localise(east)
    for actor in (fulongquan_editor, users.other_county_editor, users.coordinator):
        with pytest.raises(PermissionDenied):
            catalog_publish(actor=actor, catalog=east)
    east.refresh_from_db()
    assert east.last_published_at is None


def test_publishing_refuses_items_without_the_village_level(users, east):
    from django.core.exceptions import ValidationError

    localise(east)
    item_update(actor=users.township_editor, item=_first(east), levels=["乡级"])
    with pytest.raises(ValidationError, match="公开层级应包含“村级”"):
        catalog_publish(actor=users.township_editor, catalog=east)


def test_admin_change_page_for_township_editor(client, login, users, east):
    login(users.township_editor)
    response = client.get(reverse("admin:catalogs_catalog_change", args=[east.pk]))
    assert response.status_code == 200
    assert "目录公开后可打印公示栏二维码海报。" in response.content.decode()
    listing = client.get(reverse("admin:catalogs_catalog_changelist") + "?level=village")
    assert east.title.split("农安镇")[1] in listing.content.decode()


def test_admin_refuses_another_townships_editor(client, login, east, fulongquan_editor, users):
    login(fulongquan_editor)
    response = client.get(reverse("admin:catalogs_catalog_change", args=[east.pk]))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    listing = client.get(reverse("admin:catalogs_catalog_changelist") + "?level=village")
    assert "东村" not in listing.content.decode()
    item = _first(east)
    assert client.get(reverse("admin:items_item_change", args=[item.pk])).status_code in (302, 404)


def test_admin_poster_link_once_published(client, login, users, east):
    localise(east)
    catalog_publish(actor=SYSTEM, catalog=east)
    login(users.township_editor)
    text = client.get(reverse("admin:catalogs_catalog_change", args=[east.pk])).content.decode()
    assert reverse("site:catalog_poster", args=[east.pk]) in text


def test_admin_action_derives_village_catalogs(
    client, login, users, regions, villages, village_edition
):
    login(users.township_editor)
    response = client.post(
        reverse("admin:catalogs_region_changelist"),
        {"action": "derive_village_catalogs", "_selected_action": [regions.nongan_town.pk]},
        follow=True,
    )
    assert "已为3个村（居）民委员会编制目录。" in response.content.decode()
    assert Catalog.objects.filter(region__parent=regions.nongan_town).count() == 3


def test_admin_action_refuses_another_township(
    client, login, regions, villages, village_edition, fulongquan_editor
):
    login(fulongquan_editor)
    response = client.post(
        reverse("admin:catalogs_region_changelist"),
        {"action": "derive_village_catalogs", "_selected_action": [regions.nongan_town.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Catalog.objects.filter(region__parent=regions.nongan_town).exists()
