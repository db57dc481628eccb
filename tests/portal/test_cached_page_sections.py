"""Cached item and catalog pages hold the sections' counters they were rendered under.

The counters are read with the page in one cache round trip (``cached_page(...,
with_sections=True)``); a page whose counters moved on is rendered anew, at once.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalogs import states
from items.models import PublishedItem
from portal.sections import PROVIDERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _urls(published):
    item = PublishedItem.objects.filter(publication=published.publication).order_by("seq")[0]
    return [
        reverse("site:item", args=[item.public_id]),
        reverse("site:catalog", args=[published.catalog.pk]),
    ]


# Not named "page": that is pytest-playwright's fixture, and a test using that name joins
# the browser tests' group, which pytest then moves here, ahead of the other database tests.
@pytest.mark.parametrize("which", [0, 1], ids=["item", "catalog"])
def test_a_hit_runs_one_query_and_a_section_change_renders_anew(
    client, published, django_assert_num_queries, which
):
    url = _urls(published)[which]
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the key's narrow query; the page is cached
        again = client.get(url)
    assert again.content == first.content

    for provider in PROVIDERS:
        kind = __import__(provider, fromlist=["STATE"]).STATE
        states.changed(kind)
        # Rendered anew: more than the key's query.
        with pytest.raises(pytest.fail.Exception):
            with django_assert_num_queries(1):
                client.get(url)
        with django_assert_num_queries(1):
            client.get(url)


def test_an_evicted_counter_is_started_again_and_the_page_rendered(client, published):
    url = _urls(published)[0]
    assert client.get(url).status_code == 200
    cache.delete_many([f"{states.PREFIX}{kind}" for kind in ("guides", "matters")])
    response = client.get(url)
    assert response.status_code == 200
    assert cache.get(f"{states.PREFIX}guides") is not None
