"""The default campaign, copying it for the next year, and the admin for milestones."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from review.models import Campaign, Finding, Milestone, Severity
from review.services import (
    campaign_copy,
    campaign_set_current,
    ensure_default_campaign,
    finding_create,
    milestone_save,
)


def test_default_campaign_follows_the_2020_work_plan(campaign):
    assert ensure_default_campaign() == campaign  # idempotent
    assert Campaign.objects.filter(year=2020).count() == 1
    schedule = [
        (m.code, m.due_on, m.region_levels, m.completion) for m in campaign.milestones.all()
    ]
    assert schedule == [
        ("plan", date(2020, 4, 25), ["province"], "confirmed"),
        ("publish", date(2020, 6, 15), ["county", "township"], "published"),
        ("rollup", date(2020, 6, 15), ["city"], "rollup"),
        ("viewable", date(2020, 7, 1), ["county", "township"], "confirmed"),
        ("review", date(2020, 9, 1), ["county", "township"], "reviewed"),
        ("entry", date(2020, 10, 15), ["county", "township"], "entered"),
        ("acceptance", date(2020, 12, 1), ["county", "township"], "accepted"),
    ]
    assert campaign.basis_document == "吉民发〔2020〕13号"


@pytest.mark.parametrize("who", ["reviewer", "coordinator", "county_editor"])
def test_only_the_province_admin_copies_and_edits(campaign, users, who):
    actor = getattr(users, who)
    with pytest.raises(PermissionDenied):
        campaign_copy(actor=actor, campaign=campaign, year=2021)
    milestone = campaign.milestones.first()
    milestone.due_on = date(2020, 5, 1)
    with pytest.raises(PermissionDenied):
        milestone_save(actor=actor, milestone=milestone)


def test_copy_refuses_an_existing_year_and_sets_current_once(campaign, users):
    copy = campaign_copy(actor=users.admin, campaign=campaign, year=2021, make_current=True)
    assert copy.copied_from == campaign
    assert Campaign.objects.current() == copy
    with pytest.raises(ValidationError, match="2021年度的工作已经存在"):
        campaign_copy(actor=users.admin, campaign=campaign, year=2021)
    campaign_set_current(actor=users.admin, campaign=campaign)
    assert list(Campaign.objects.filter(is_current=True)) == [campaign]


def test_copy_of_29_february_lands_on_28_february(campaign, users):
    milestone = campaign.milestones.get(code="plan")
    milestone.due_on = date(2020, 2, 29)
    milestone_save(actor=users.admin, milestone=milestone)
    copy = campaign_copy(actor=users.admin, campaign=campaign, year=2021)
    assert copy.milestones.get(code="plan").due_on == date(2021, 2, 28)


def test_milestone_levels_are_validated(campaign, users):
    milestone = campaign.milestones.get(code="review")
    milestone.region_levels = ["city"]
    with pytest.raises(ValidationError, match="县级、乡级"):
        milestone_save(actor=users.admin, milestone=milestone)
    milestone.region_levels = ["nowhere"]
    with pytest.raises(ValidationError, match="无效的区划层级"):
        milestone_save(actor=users.admin, milestone=milestone)


def test_admin_province_admin_edits_milestones(login, users, campaign):
    client = login(users.admin)
    url = reverse("admin:review_campaign_change", args=[campaign.pk])
    assert client.get(url).status_code == 200
    milestones = list(campaign.milestones.all())
    data = {
        "year": "2020",
        "title": campaign.title,
        "basis_document": campaign.basis_document,
        "starts_on": "2020-04-21",
        "is_current": "on",
        "milestones-TOTAL_FORMS": str(len(milestones)),
        "milestones-INITIAL_FORMS": str(len(milestones)),
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    for index, m in enumerate(milestones):
        prefix = f"milestones-{index}-"
        data.update(
            {
                prefix + "id": str(m.pk),
                prefix + "campaign": str(campaign.pk),
                prefix + "order": str(m.order),
                prefix + "code": m.code,
                prefix + "title": m.title,
                prefix + "due_on": "2020-09-10" if m.code == "review" else m.due_on.isoformat(),
                prefix + "region_levels": m.region_levels,
                prefix + "completion": m.completion,
                prefix + "description": m.description,
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Milestone.objects.get(campaign=campaign, code="review").due_on == date(2020, 9, 10)


def test_admin_others_read_campaigns_but_may_not_change_them(login, users, campaign):
    client = login(users.reviewer)
    assert client.get(reverse("admin:review_campaign_changelist")).status_code == 200
    url = reverse("admin:review_campaign_change", args=[campaign.pk])
    response = client.post(url, {"year": "2020", "title": "改名"})
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.title != "改名"


def test_admin_findings_are_scoped_by_region(login, users, all_published):
    mine = finding_create(
        actor=users.reviewer,
        catalog=all_published.nongan_social,
        severity=Severity.INFO,
        description="农安县的问题",
    )
    other = finding_create(
        actor=users.reviewer,
        catalog=all_published.yongji_social,
        severity=Severity.INFO,
        description="永吉县的问题",
    )
    text = login(users.coordinator).get(reverse("admin:review_finding_changelist")).content.decode()
    assert "农安县的问题" in text and "永吉县的问题" not in text
    client = login(users.coordinator)
    response = client.get(reverse("admin:review_finding_change", args=[mine.pk]))
    assert response.status_code == 200
    assert response.context["original"] == mine
    # Another region's finding is answered exactly like one that does not exist.
    hidden = client.get(reverse("admin:review_finding_change", args=[other.pk]), follow=True)
    missing = client.get(
        reverse("admin:review_finding_change", args=[other.pk + 1000]), follow=True
    )
    for response in (hidden, missing):
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
    (said,) = [str(m) for m in hidden.context["messages"]]
    assert f"“{other.pk}”" in said and "不存在" in said
    assert [str(m) for m in missing.context["messages"]] == [
        said.replace(str(other.pk), str(other.pk + 1000))
    ]
    assert "永吉县的问题" not in hidden.content.decode()
    assert Finding.objects.count() == 2
