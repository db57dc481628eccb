import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached pages and counts must not leak between
    tests (SQLite reuses the ids of rolled-back rows, so a new publication may get an old
    one's id)."""
    cache.clear()
    yield
    cache.clear()
