"""seed_review_demo: a campaign in mid-year over 长春市, and idempotent."""

import pytest
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, CatalogStatus, StandardCatalog
from catalogs.permissions import SYSTEM
from items.services import catalog_publish, catalogs_derive_many
from review.demo import seed_review_demo
from review.models import (
    AcceptanceDecision,
    Campaign,
    CheckRun,
    Decision,
    Finding,
    FindingSource,
    FindingState,
    MilestoneReport,
)
from review.selectors import campaign_progress
from tests.conftest import localise
from tests.factories import RegionFactory

S = CatalogStatus


@pytest.fixture
def changchun(regions, standards, users):
    """长春市 as the lead's demo leaves it: every catalog derived, all but one published."""
    RegionFactory(code="220102", name="南关区", level="county", parent=regions.changchun)
    catalogs_derive_many(
        actor=SYSTEM,
        root=regions.changchun,
        standards=StandardCatalog.objects.all(),
        recursive=True,
    )
    for catalog in Catalog.objects.within(regions.changchun):
        if catalog.region.code == "220112001":
            continue  # 平湖街道 is still compiling
        localise(catalog)
        catalog_publish(actor=SYSTEM, catalog=catalog, note="首次公开")
    return regions.changchun


def _counts():
    return (
        Campaign.objects.count(),
        CatalogEvent.objects.count(),
        Finding.objects.count(),
        AcceptanceDecision.objects.count(),
        MilestoneReport.objects.count(),
        CheckRun.objects.count(),
    )


def test_demo_plays_a_year_out_until_today(changchun, regions):
    today = timezone.localdate()
    seed_review_demo(today=today)
    campaign = Campaign.objects.current()
    due = {m.code: m.due_on for m in campaign.milestones.all()}
    assert campaign.year == today.year and Campaign.objects.filter(year=2020).exists()
    assert due["review"] < today < due["entry"]

    statuses = dict(
        Catalog.objects.within(changchun)
        .values_list("region__code", "status")
        .filter(standard__code="social-assistance")
    )
    assert statuses["220102"] == S.ACCEPTED
    assert statuses["220122"] == S.ACCEPTING
    assert statuses["220112001"] == S.DRAFTING
    accepted = AcceptanceDecision.objects.get(decision=Decision.ACCEPT)
    assert accepted.snapshot["items"] and accepted.decided_at.date() <= today

    states = set(Finding.objects.values_list("source", "state"))
    assert (FindingSource.REVIEWER, FindingState.OPEN) in states
    assert (FindingSource.REVIEWER, FindingState.ANSWERED) in states
    assert (FindingSource.REVIEWER, FindingState.VERIFIED) in states
    assert (FindingSource.RULE, FindingState.OPEN) in states
    assert not CatalogEvent.objects.filter(at__gt=timezone.now()).exists()

    table = campaign_progress(campaign=campaign, root=changchun, today=today)
    review = next(m for m in table.milestones if m.code == "review")
    publish = next(m for m in table.milestones if m.code == "publish")
    assert table.counts(review).on_time >= 1 and table.counts(review).overdue >= 1
    assert table.counts(publish).on_time >= 1
    assert table.cell(changchun, next(m for m in table.milestones if m.code == "rollup")).is_done


def test_demo_twice_is_harmless(changchun):
    today = timezone.localdate()
    seed_review_demo(today=today)
    before = _counts()
    seed_review_demo(today=today)
    assert _counts() == before
