"""Defect found in review: a document's page kept showing its items as an earlier
publication named them, for up to an hour after the catalog was published again."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalogs.permissions import SYSTEM
from items.models import Item
from items.services import catalog_publish, item_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_document_page_follows_a_new_publication_of_its_items(client, published, policy):
    url = reverse("site:policies_detail", args=["220122", policy.document.pk])
    item = Item.objects.get(pk=policy.items[0].pk)
    old_name = item.name
    assert old_name in client.get(url).content.decode()
    item_update(actor=SYSTEM, item=item, level2="改名后的二级事项")
    catalog_publish(actor=SYSTEM, catalog=item.catalog)
    html = client.get(url).content.decode()
    assert f"{item.level1} · 改名后的二级事项" in html
