"""The participation demo: built fast, and R23 finds exactly the overdue consultation."""

import time
from datetime import date

from catalogs.models import Catalog
from participation import demo
from participation.models import Comment, Consultation, ParticipationPublication
from review.checks import run_checks

TODAY = date(2026, 11, 30)


def test_seed_builds_catalogs_consultations_and_one_r23_hit(catalogs, regions, monkeypatch):
    started = time.perf_counter()
    counts = demo.seed(TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 2, elapsed
    assert counts == {"catalogs": 2, "matters": 8, "consultations": 4, "comments": 6}
    assert ParticipationPublication.objects.filter(is_current=True).count() == 2
    nongan = Consultation.objects.filter(region=regions.nongan)
    assert [c.status_on(TODAY) for c in nongan.order_by("opens_on")] == [
        "closed",
        "closed",
        "open",
    ]
    assert Comment.objects.filter(status="held", held_reason="link").count() == 1
    monkeypatch.setattr("review.checks.participation.current_date", lambda: TODAY)
    results = run_checks(Catalog.objects.all(), rules=["R23-participation"])
    assert [(r.catalog_id, r.message[:26]) for r in results] == [
        (catalogs.nongan_social.pk, "意见征集“2026年农安县社会救助服务质量网上评议”")
    ]
