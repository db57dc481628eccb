"""The reviewers' side: the 7/1 milestone from evidence, the evidence screen, the dashboard."""

from datetime import date

import pytest
from django.urls import reverse

from catalogs.permissions import SYSTEM
from items.models import Item
from records.channels import ONLINE_CHANNELS
from records.models import HolidayCalendar
from records.selectors import evidence_summaries
from records.services import record_create
from review.selectors import campaign_progress
from review.selectors.progress import ProgressStatus
from review.services import ensure_default_campaign, milestone_report
from tests.records.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewable():
    campaign = ensure_default_campaign()
    return campaign, campaign.milestones.get(code="viewable")


def evidence_for(item, published_on: date) -> list[dict]:
    return [
        {"channel": channel, "url": f"https://www.nongan.gov.cn/{item.seq}/{n}.html"}
        if channel in ONLINE_CHANNELS
        else {"channel": channel, "location": "农安县政务服务中心一楼"}
        for n, channel in enumerate(item.channels)
    ]


def record_every_item(catalog, published_on: date):
    for item in Item.objects.filter(catalog=catalog):
        record_create(
            actor=SYSTEM,
            item=item,
            title=f"第{item.seq}项的公开信息",
            formed_on=date(2026, 9, 25),
            published_on=published_on,
            channels=evidence_for(item, published_on),
            today=TODAY,
        )


def cell(campaign, milestone, region):
    table = campaign_progress(campaign=campaign, root=region, today=TODAY)
    return table.cell(region, milestone)


def test_the_milestone_completes_from_evidence(viewable, county, regions):
    campaign, milestone = viewable
    before = cell(campaign, milestone, regions.nongan)
    items = Item.objects.filter(catalog=county).count()
    assert before.status == ProgressStatus.OVERDUE
    assert before.detail == f"未报送；佐证0/{items}个事项"
    record_every_item(county, date(2026, 10, 9))
    summary = evidence_summaries([county.pk])[county.pk]
    assert summary.is_complete and summary.evidenced_on == date(2026, 10, 9)
    after = cell(campaign, milestone, regions.nongan)
    assert after.is_done and after.done_on == date(2026, 10, 9)
    assert after.status == ProgressStatus.LATE  # due 2020-07-01
    assert after.detail == f"佐证齐全（{items}/{items}个事项）"


def test_a_self_declaration_still_counts_and_shows_the_evidence(viewable, county, regions, users):
    campaign, milestone = viewable
    milestone_report(actor=users.county_editor, milestone=milestone, region=regions.nongan)
    reported = cell(campaign, milestone, regions.nongan)
    assert reported.is_done and reported.detail.startswith("已报送；佐证0/")


def test_progress_reads_evidence_in_a_fixed_number_of_queries(
    viewable, county, regions, django_assert_num_queries
):
    campaign, _ = viewable
    record_every_item(county, date(2026, 10, 9))
    # Seven for the campaign, three for the evidence (items, records, their channels).
    with django_assert_num_queries(10):
        campaign_progress(campaign=campaign, root=regions.province, today=TODAY)


def test_the_evidence_screen_is_linked_from_the_catalog_review_page(login, users, county, catalogs):
    evidence = reverse("records:evidence", args=[county.pk])
    page = login(users.reviewer).get(reverse("review:catalog", args=[county.pk]))
    assert evidence in page.content.decode()
    screen = login(users.county_editor).get(evidence)
    assert screen.status_code == 200 and "承诺渠道可查阅" in screen.content.decode()
    assert "no-store" in screen["Cache-Control"]  # a staff page (portal.middleware)
    assert "Content-Security-Policy" in screen
    assert login(users.other_county_editor).get(evidence).status_code == 404
    assert login(users.other_coordinator).get(evidence).status_code == 404
    other = reverse("records:evidence", args=[catalogs.yongji_social.pk])
    assert login(users.county_editor).get(other).status_code == 404


def test_the_dashboard_names_missing_holiday_years(login, users, viewable):
    HolidayCalendar.objects.filter(date__year=TODAY.year).delete()
    page = login(users.reviewer).get(reverse("review:dashboard")).content.decode()
    assert f"节假日安排缺少{TODAY.year}年" in page
    assert "load_holidays" in page
