"""portal.routers: public reads go to the read replica when there is one; all else to the primary.

The replica here is a second alias of the test database itself (as production's
``DATABASE_REPLICA_URL`` adds one with ``TEST: {"MIRROR": "default"}``): the queries each
connection runs show which side a request read from. The tests commit (transaction=True)
so that the second connection sees the rows.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogs.models import Region
from items.models import PublishedItem
from portal.routers import REPLICA, PublicReadRouter, public_reads, reading_publicly

router = PublicReadRouter()


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """A "replica" alias of the test database, as DATABASE_REPLICA_URL would add.

    Added before any test's database set-up, which must list it among its databases.
    """
    databases = connections.settings  # the same dict as settings.DATABASES
    primary = databases["default"]
    databases[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": "default"}}
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del databases[REPLICA]


@pytest.fixture
def replica():
    return connections[REPLICA]


with_replica = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def test_without_a_replica_every_read_goes_to_the_primary(settings, monkeypatch):
    monkeypatch.delitem(settings.DATABASES, REPLICA)
    with public_reads():
        assert reading_publicly()
        assert router.db_for_read(Region) == "default"
    assert not reading_publicly()
    assert router.db_for_write(PublishedItem) == "default"


def test_with_a_replica_only_public_reads_go_there(replica):
    with public_reads():
        assert router.db_for_read(PublishedItem) == REPLICA
        assert router.db_for_write(PublishedItem) == "default"  # writes never
    assert router.db_for_read(PublishedItem) == "default"
    assert router.allow_migrate("default", "items")
    assert not router.allow_migrate(REPLICA, "items")  # a replica copies the schema


@with_replica
def test_public_pages_and_the_api_read_the_replica(client, replica, published):
    catalog = published.catalog
    item = catalog.items.first()
    urls = [
        "/",
        reverse("site:catalog", args=[catalog.pk]),
        reverse("site:item", args=[item.public_id]),
        reverse("site:search") + "?q=%E4%BD%8E%E4%BF%9D",
        reverse("site:region", args=[catalog.region.code]),
        reverse("site:sitemap"),
        "/api/v1/regions/",
        f"/api/v1/catalogs/{catalog.pk}/",
        "/api/v1/search/?q=%E4%BD%8E%E4%BF%9D",
    ]
    for url in urls:
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(replica) as secondary,
        ):
            assert client.get(url).status_code == 200, url
        assert len(secondary) > 0, url
        assert len(primary) == 0, (url, [query["sql"] for query in primary])


@with_replica
def test_staff_pages_and_writes_use_the_primary(client, replica, published, users):
    client.force_login(users.admin)
    for url in ("/admin/", reverse("admin:items_publication_changelist"), "/review/"):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(replica) as secondary,
        ):
            response = client.get(url)
        assert response.status_code in (200, 302), url
        assert len(primary) > 0, url
        assert len(secondary) == 0, (url, [query["sql"] for query in secondary])
