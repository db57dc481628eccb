"""The demo: 农安县's documents show R22's hits and passes, fast."""

import time
from datetime import date

import pytest

from catalogs.models import Catalog
from policies.demo import seed
from policies.models import PolicyDocument
from review.checks import run_checks

pytestmark = pytest.mark.django_db


def test_demo_seeds_each_case_and_r22_finds_two(catalogs):
    started = time.monotonic()
    counts = seed(date(2026, 11, 29))
    elapsed = time.monotonic() - started
    assert counts == {"documents": 5, "interpretations": 2}
    assert elapsed < 2
    statuses = dict(PolicyDocument.objects.values_list("title", "status"))
    assert statuses["农安县高龄津贴发放管理办法"] == "repealed"
    assert PolicyDocument.objects.get(title="农安县高龄津贴发放管理办法").replaced_by.title == (
        "农安县高龄老年人补贴发放管理办法"
    )
    assert all(d.item_links.exists() for d in PolicyDocument.objects.all())
    results = run_checks(Catalog.objects.all(), rules=["R22-interpretation"])
    found = sorted((r.catalog_id, r.key.rsplit(":", 1)[1]) for r in results)
    assert found == sorted(
        [(catalogs.nongan_social.pk, "missing"), (catalogs.nongan_elderly.pk, "late")]
    )
    assert any("《农安县特困人员救助供养实施细则》" in r.message for r in results)
    assert any("6个工作日" in r.message for r in results)
    assert seed(date(2026, 11, 29)) == {}  # once only
    assert PolicyDocument.objects.count() == 5
