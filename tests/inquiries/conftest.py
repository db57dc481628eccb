"""Fixtures of the inquiries tests: published catalogs of 农安县, 农安镇 and 永吉县, and a way
to leave an inquiry on one of their items at a chosen moment."""

from datetime import datetime, time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalogs.permissions import SYSTEM
from inquiries import services
from items.models import PublishedItem
from tests.factories import localise


def at(day, hour: int = 10) -> datetime:
    """An aware moment on ``day`` (China time)."""
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and cached pages live in the cache: each test starts empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def items(published, catalogs):
    """The first current published item of 农安县, 农安镇 and 永吉县's catalogs."""
    from items.services import catalog_publish

    for catalog in (catalogs.town_social, catalogs.yongji_social):
        localise(catalog)
        catalog_publish(actor=SYSTEM, catalog=catalog, note="首次发布")

    def first(catalog):
        return (
            PublishedItem.objects.visible_to_public()
            .filter(publication__catalog=catalog)
            .order_by("seq")
            .first()
        )

    return SimpleNamespace(
        county=first(catalogs.nongan_social),
        town=first(catalogs.town_social),
        other=first(catalogs.yongji_social),
    )


@pytest.fixture
def ask():
    """``ask(item, text=..., when=...)``: an inquiry submitted through the service."""

    def _ask(item, text="请问申请需要哪些材料？", *, kind="question", when=None, **extra):
        return services.inquiry_submit(
            item_public_id=item.public_id, kind=kind, text=text, now=when, **extra
        )

    return _ask
