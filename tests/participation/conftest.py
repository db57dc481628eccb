"""Fixtures of the participation tests: 农安县's published participation catalog."""

from datetime import date

import pytest
from django.core.cache import cache

from tests.factories import participation_catalog

TODAY = date(2026, 11, 16)  # a Monday


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and cached pages live in the (process-wide) cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pcatalog(regions):
    return participation_catalog(regions.nongan)


@pytest.fixture
def matter(pcatalog):
    return pcatalog.matters.order_by("seq").first()
