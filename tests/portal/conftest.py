"""Every test starts with an empty cache: cached pages and counts must not leak between tests
(SQLite reuses the ids of rolled-back rows, so a new publication may get an old one's id)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()
