"""Milestone progress per region: on time, late, open, overdue, derived from recorded dates."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.models import CatalogStatus
from review.models import Campaign, MilestoneReport
from review.selectors import ProgressStatus, campaign_progress, upcoming_milestones
from review.services import campaign_copy, catalog_move, milestone_report, rollup_submit
from tests.factories import RegionFactory
from tests.review.conftest import at, publish

S = CatalogStatus
P = ProgressStatus


def _cell(campaign, region, code, today):
    table = campaign_progress(campaign=campaign, root=region, today=today)
    milestone = next(m for m in table.milestones if m.code == code)
    return table.cell(region, milestone)


def test_published_before_the_due_date_is_on_time(campaign, catalogs, regions):
    publish(catalogs.nongan_social, at(2020, 6, 10))
    publish(catalogs.nongan_elderly, at(2020, 6, 15, 23))
    cell = _cell(campaign, regions.nongan, "publish", date(2020, 7, 1))
    assert cell.status == P.ON_TIME
    assert cell.done_on == date(2020, 6, 15)
    assert cell.detail == "2/2个目录已发布"


def test_published_after_the_due_date_is_late(campaign, catalogs, regions):
    publish(catalogs.nongan_social, at(2020, 6, 10))
    publish(catalogs.nongan_elderly, at(2020, 6, 16, 9))
    assert _cell(campaign, regions.nongan, "publish", date(2020, 7, 1)).status == P.LATE


def test_not_done_is_open_until_the_due_date_then_overdue(campaign, catalogs, regions):
    publish(catalogs.nongan_social, at(2020, 6, 10))  # the elderly-care catalog is not
    before = _cell(campaign, regions.nongan, "publish", date(2020, 6, 15))
    after = _cell(campaign, regions.nongan, "publish", date(2020, 6, 16))
    assert (before.status, after.status) == (P.OPEN, P.OVERDUE)
    assert before.detail == "1/2个目录已发布"


def test_a_region_without_catalogs_is_not_done(campaign, regions, catalogs):
    cell = _cell(campaign, regions.fulongquan, "publish", date(2020, 7, 1))
    assert (cell.status, cell.detail) == (P.OVERDUE, "尚未建立目录")


def test_reviewed_counts_the_first_move_to_reviewed_or_beyond(
    campaign, users, all_published, regions
):
    town = all_published.town_social
    catalog_move(
        actor=users.township_editor, catalog=town, to_status=S.REVIEWED, at=at(2020, 8, 30)
    )
    catalog_move(actor=users.county_editor, catalog=town, to_status=S.ENTERED, at=at(2020, 10, 16))
    catalog_move(actor=users.reviewer, catalog=town, to_status=S.ACCEPTING, at=at(2020, 10, 20))
    catalog_move(
        actor=users.reviewer, catalog=town, to_status=S.RETURNED, note="退回", at=at(2020, 10, 21)
    )
    today = date(2020, 11, 1)
    # 农安镇 has only a social-assistance catalog in the fixtures.
    assert _cell(campaign, regions.nongan_town, "review", today).status == P.ON_TIME
    assert _cell(campaign, regions.nongan_town, "entry", today).status == P.LATE
    assert _cell(campaign, regions.nongan_town, "acceptance", today).status == P.OPEN


def test_events_outside_the_campaign_window_do_not_count(campaign, admin_copy, catalogs, regions):
    publish(catalogs.nongan_social, at(2020, 3, 1))  # before the 2020 campaign began
    publish(catalogs.nongan_elderly, at(2020, 6, 1))
    assert _cell(campaign, regions.nongan, "publish", date(2020, 7, 1)).status == P.OVERDUE
    # A publication in 2021 counts for the 2021 campaign, not for 2020's.
    publish(catalogs.nongan_social, at(2021, 5, 1))
    publish(catalogs.nongan_elderly, at(2021, 5, 2))
    assert _cell(admin_copy, regions.nongan, "publish", date(2021, 7, 1)).status == P.ON_TIME
    assert _cell(campaign, regions.nongan, "publish", date(2021, 7, 1)).status == P.OVERDUE


@pytest.fixture
def admin_copy(campaign, users):
    return campaign_copy(actor=users.admin, campaign=campaign, year=2021)


def test_rollup_is_done_when_the_city_reports_it(campaign, users, regions):
    assert _cell(campaign, regions.changchun, "rollup", date(2020, 6, 20)).status == P.OVERDUE
    rollup_submit(
        actor=users.coordinator, city=regions.changchun, campaign=campaign, at=at(2020, 6, 14)
    )
    assert _cell(campaign, regions.changchun, "rollup", date(2020, 6, 20)).status == P.ON_TIME


def test_only_the_citys_own_coordinator_submits_its_rollup(campaign, users, regions):
    for outsider in (users.other_coordinator, users.county_editor, users.reviewer):
        with pytest.raises(PermissionDenied):
            rollup_submit(actor=outsider, city=regions.changchun, campaign=campaign)
    rollup_submit(actor=users.admin, city=regions.jilin_city, campaign=campaign)
    with pytest.raises(ValidationError, match="已报送"):
        rollup_submit(actor=users.admin, city=regions.jilin_city, campaign=campaign)


def test_confirmations_by_the_regions_own_staff(campaign, milestones, users, regions):
    viewable = milestones["viewable"]
    with pytest.raises(PermissionDenied):
        milestone_report(actor=users.township_editor, milestone=viewable, region=regions.nongan)
    with pytest.raises(PermissionDenied):
        milestone_report(actor=users.coordinator, milestone=viewable, region=regions.nongan)
    with pytest.raises(ValidationError, match="县级"):
        milestone_report(actor=users.admin, milestone=viewable, region=regions.changchun)
    with pytest.raises(ValidationError, match="无需报送"):
        milestone_report(
            actor=users.county_editor, milestone=milestones["review"], region=regions.nongan
        )
    milestone_report(
        actor=users.county_editor, milestone=viewable, region=regions.nongan_town, at=at(2020, 7, 2)
    )
    report = MilestoneReport.objects.get(milestone=viewable, region=regions.nongan_town)
    assert report.reported_by == users.county_editor
    assert _cell(campaign, regions.nongan_town, "viewable", date(2020, 7, 3)).status == P.LATE


def test_upcoming_milestones_show_days_left_and_townships(campaign, all_published, regions):
    today = date(2020, 8, 25)
    town = upcoming_milestones(campaign=campaign, region=regions.nongan_town, today=today)
    assert [entry.milestone.code for entry in town][:3] == ["viewable", "review", "entry"]
    entries = upcoming_milestones(campaign=campaign, region=regions.nongan, today=today)
    # 农安县 published on time, but 伏龙泉镇 (one of its townships) has no catalog yet.
    assert [entry.milestone.code for entry in entries][:4] == [
        "publish",
        "viewable",
        "review",
        "entry",
    ]
    publish, viewable, review = entries[0], entries[1], entries[2]
    assert publish.cell.status == P.ON_TIME
    assert (publish.below.on_time, publish.below.overdue) == (1, 1)
    assert (viewable.days_left, viewable.overdue_days, viewable.cell.status) == (-55, 55, P.OVERDUE)
    assert (review.days_left, review.cell.status) == (7, P.OPEN)
    assert (review.below.open, review.below.total) == (2, 2)


def test_grouped_counts_roll_regions_up_to_cities(campaign, all_published, regions):
    table = campaign_progress(campaign=campaign, root=regions.province, today=date(2020, 7, 1))
    publish_index = [m.code for m in table.milestones].index("publish")
    rows = dict(table.grouped_counts([regions.changchun, regions.jilin_city]))
    changchun = rows[regions.changchun][publish_index]
    jilin = rows[regions.jilin_city][publish_index]
    # 长春市: 农安县 and 农安镇 published; 伏龙泉镇, 双阳区, 平湖街道 have no catalogs.
    assert (changchun.on_time, changchun.overdue, changchun.total) == (2, 3, 5)
    assert (jilin.on_time, jilin.overdue, jilin.total) == (1, 1, 2)


def test_progress_takes_a_fixed_number_of_queries(
    campaign, all_published, regions, django_assert_num_queries
):
    today = date(2020, 9, 10)
    # 7 for regions, catalogs, events, reports and milestones; 2 for the evidence of the
    # 7/1 milestone (published items and their records).
    with django_assert_num_queries(9):
        campaign_progress(campaign=campaign, root=regions.province, today=today)
    county = RegionFactory(code="220183", name="德惠市", level="county", parent=regions.changchun)
    for number in range(20):
        RegionFactory(
            code=f"22018310{number:02d}", name=f"镇{number}", level="township", parent=county
        )
    with django_assert_num_queries(9):
        table = campaign_progress(campaign=campaign, root=regions.province, today=today)
    assert len([r for r in table.regions if r.parent_id == county.pk]) == 20


def test_copying_a_campaign_moves_every_date_a_year(campaign, users):
    copy = campaign_copy(actor=users.admin, campaign=campaign, year=2021)
    assert copy.starts_on == date(2021, 4, 21)
    assert [(m.code, m.due_on) for m in copy.milestones.all()] == [
        (m.code, m.due_on.replace(year=2021)) for m in campaign.milestones.all()
    ]
    assert Campaign.objects.current() == campaign  # not current until made so
