"""The staff admin of participation: scoped by region, saving through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Comment, Consultation, ParticipationMatter
from participation.services import comment_submit
from tests.factories import consultation as make_consultation


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def matter_post(matter, **overrides):
    data = {
        "name": matter.name,
        "scope": matter.scope,
        "methods": list(matter.methods),
        "other_method": "",
        "timing": matter.timing,
        "feedback_channel": matter.feedback_channel,
        "office": matter.office,
        "seen_version": str(matter.version),
    }
    data.update(overrides)
    return data


def test_the_county_editor_edits_a_row(login, users, matter):
    client = login(users.county_editor)
    response = client.post(change_url(matter), matter_post(matter, name="经编辑的事项"))
    assert response.status_code == 302, response.content.decode()[:2000]
    matter.refresh_from_db()
    assert (matter.name, matter.version) == ("经编辑的事项", 1)


def test_a_stale_admin_edit_is_refused_in_chinese(login, users, matter):
    client = login(users.county_editor)
    stale = matter_post(matter, timing="甲的时间")
    client.post(change_url(matter), matter_post(matter, name="乙先保存"))
    response = client.post(change_url(matter), stale)
    assert response.status_code == 200
    assert "保存未成功" in response.content.decode()
    matter.refresh_from_db()
    assert (matter.name, matter.timing) == ("乙先保存", "方案起草阶段")


@pytest.mark.parametrize("role", ["coordinator", "reviewer"])
def test_readers_see_but_cannot_change(login, users, matter, role):
    client = login(getattr(users, role))
    assert client.get(change_url(matter)).status_code == 200
    response = client.post(change_url(matter), matter_post(matter, name="越权"))
    assert response.status_code == 403
    matter.refresh_from_db()
    assert matter.name == "公众参与事项1"


# A township's staff see their own township only (catalogs.permissions); citizens' pages
# show the county's catalog to everyone.
@pytest.mark.parametrize("role", ["other_county_editor", "other_coordinator", "township_editor"])
def test_another_regions_staff_get_404(login, users, matter, role):
    client = login(getattr(users, role))
    assert client.get(change_url(matter)).status_code == 404
    assert client.post(change_url(matter), matter_post(matter, name="越权")).status_code == 404
    catalog = matter.catalog
    assert client.get(change_url(catalog)).status_code == 404
    listing = client.get(reverse("admin:participation_participationmatter_changelist"))
    assert "公众参与事项1" not in listing.content.decode()


def test_publishing_from_the_catalog_list(login, users, pcatalog):
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:participation_participationcatalog_changelist"),
        {"action": "publish_selected", "_selected_action": [pcatalog.pk]},
        follow=True,
    )
    assert "第2次公开" in response.content.decode()
    assert pcatalog.publications.filter(is_current=True).get().number == 2


def test_another_county_cannot_publish_by_action(login, users, pcatalog):
    client = login(users.other_county_editor)
    client.post(
        reverse("admin:participation_participationcatalog_changelist"),
        {"action": "publish_selected", "_selected_action": [pcatalog.pk]},
    )
    assert pcatalog.publications.count() == 1


def test_moderating_and_answering_comments(login, users, matter):
    today = timezone.localdate()
    consultation = make_consultation(matter, opens_on=today, closes_on=today)
    held = comment_submit(consultation=consultation, text="见 www.a.cn", today=today)
    client = login(users.county_editor)
    client.post(
        reverse("admin:participation_comment_changelist"),
        {"action": "publish_selected", "_selected_action": [held.pk]},
    )
    held.refresh_from_db()
    assert held.status == "published"
    response = client.post(
        change_url(held),
        {"adoption": "not_adopted", "adoption_reason": "不属于本次征集范围", "seen_version": "1"},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.adoption, held.adoption_reason) == ("not_adopted", "不属于本次征集范围")
    other = login(users.other_county_editor)
    other.post(
        reverse("admin:participation_comment_changelist"),
        {"action": "reject_selected", "_selected_action": [held.pk]},
    )
    assert Comment.objects.get(pk=held.pk).status == "published"


def test_feedback_is_published_from_the_consultation_form(login, users, matter):
    today = timezone.localdate()
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=10), closes_on=today - timedelta(days=1)
    )
    client = login(users.county_editor)
    data = {
        "field": consultation.field,
        "title": consultation.title,
        "draft_text": consultation.draft_text,
        "draft_url": "",
        "opens_on": consultation.opens_on.isoformat(),
        "closes_on": consultation.closes_on.isoformat(),
        "feedback": "采纳2条，未采纳1条（理由：……）",
        "seen_version": "0",
    }
    response = client.post(change_url(consultation), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation.refresh_from_db()
    assert consultation.feedback == "采纳2条，未采纳1条（理由：……）"
    assert consultation.feedback_published_at is not None


def test_adding_a_row_and_a_consultation(login, users, pcatalog):
    client = login(users.county_editor)
    response = client.post(
        reverse("admin:participation_participationmatter_add"),
        {
            "catalog": pcatalog.pk,
            "name": "新事项",
            "methods": ["symposium"],
            "timing": "随时",
            "feedback_channel": "座谈会",
            "office": "农安县民政局",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    matter = ParticipationMatter.objects.get(name="新事项")
    assert (matter.seq, matter.methods) == (3, ["symposium"])
    today = timezone.localdate()
    response = client.post(
        reverse("admin:participation_consultation_add"),
        {
            "matter": pcatalog.matters.get(seq=1).pk,
            "field": "社会救助",
            "title": "新征集",
            "draft_text": "正文",
            "draft_url": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Consultation.objects.get(title="新征集").region == pcatalog.region


@pytest.mark.parametrize("role", ["county_editor", "reviewer", "coordinator", "admin"])
def test_every_page_opens_for_those_who_may_see_it(login, users, pcatalog, matter, role):
    today = timezone.localdate()
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=30)
    )
    comment = comment_submit(consultation=consultation, text="意见", today=consultation.opens_on)
    publication = pcatalog.publications.get()
    client = login(getattr(users, role))
    for model in ("participationcatalog", "participationmatter", "consultation", "comment"):
        response = client.get(reverse(f"admin:participation_{model}_changelist"))
        assert response.status_code == 200, model
    for obj in (pcatalog, matter, consultation, comment, publication):
        response = client.get(change_url(obj))
        assert response.status_code == 200, obj
    listing = client.get(reverse("admin:participation_consultation_changelist")).content.decode()
    assert "逾期未公布" in listing


def test_the_clerk_filters_overdue_consultations(login, users, matter):
    today = timezone.localdate()
    make_consultation(
        matter,
        title="逾期的",
        opens_on=today - timedelta(days=90),
        closes_on=today - timedelta(days=60),
    )
    make_consultation(
        matter,
        title="刚结束",
        opens_on=today - timedelta(days=9),
        closes_on=today - timedelta(days=1),
    )
    client = login(users.county_editor)
    listing = reverse("admin:participation_consultation_changelist")
    overdue = client.get(listing, {"feedback": "overdue"}).content.decode()
    assert "逾期的" in overdue and "刚结束" not in overdue
    pending = client.get(listing, {"feedback": "pending"}).content.decode()
    assert "刚结束" in pending and "逾期的" not in pending
