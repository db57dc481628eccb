"""The staff queue in the admin: scoped lists and filters, answering through the form, 404
for another region's inquiry, read-only for coordinators, release/reject actions, settings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inquiries.models import Inquiry, InquirySettings, Status
from tests.inquiries.conftest import at

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:inquiries_inquiry_changelist"


def change_url(inquiry):
    return reverse("admin:inquiries_inquiry_change", args=[inquiry.pk])


@pytest.fixture
def queue(items, ask):
    today = timezone.localdate()
    return {
        "county": ask(items.county, "县级的问题", name="张三", phone="13912345678"),
        "town": ask(items.town, "镇里的问题"),
        "other": ask(items.other, "永吉的问题"),
        "overdue": ask(items.county, "早就该答复", when=at(today - timedelta(days=30))),
        "held": ask(items.county, "广告 www.spam.example.com"),
    }


def listed(client):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("county_editor", {"county", "town", "overdue", "held"}),
        ("township_editor", {"town"}),
        ("coordinator", {"county", "town", "overdue", "held"}),
        ("other_coordinator", {"other"}),
        ("other_county_editor", {"other"}),
        ("reviewer", {"county", "town", "other", "overdue", "held"}),
    ],
)
def test_queue_is_scoped_to_the_region(login, users, queue, role, sees):
    client = login(getattr(users, role))
    assert listed(client) == {queue[name].pk for name in sees}


def test_queue_filters(login, users, queue, django_assert_max_num_queries):
    client = login(users.county_editor)
    url = reverse(CHANGELIST)
    expected = {
        "overdue": {queue["overdue"].pk},
        "held": {queue["held"].pk},
        "open": {queue["county"].pk, queue["town"].pk, queue["overdue"].pk},
        "answered": set(),
    }
    for value, pks in expected.items():
        response = client.get(url, {"queue": value})
        assert {row.pk for row in response.context["cl"].result_list} == pks, value
    with django_assert_max_num_queries(14):
        client.get(url)


def test_another_regions_inquiry_is_404(login, users, queue):
    client = login(users.other_county_editor)
    assert client.get(change_url(queue["county"])).status_code == 404
    response = client.post(change_url(queue["county"]), {"answer": "越权", "visibility": "public"})
    assert response.status_code == 404
    assert login(users.township_editor).get(change_url(queue["county"])).status_code == 404
    assert Inquiry.objects.get(pk=queue["county"].pk).status == Status.OPEN


def test_county_editor_answers_through_the_form(login, users, queue):
    inquiry = queue["town"]
    client = login(users.county_editor)
    page = client.get(change_url(inquiry))
    assert page.status_code == 200
    response = client.post(
        change_url(inquiry),
        {"answer": "已答复", "visibility": "public", "seen_version": inquiry.version},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer, inquiry.answered_by) == (
        Status.ANSWERED,
        "已答复",
        users.county_editor,
    )


def test_staff_see_name_and_phone(login, users, queue):
    html = login(users.county_editor).get(change_url(queue["county"])).content.decode()
    assert "张三" in html and "13912345678" in html


def test_stale_answer_form_is_refused_in_chinese(login, users, queue):
    inquiry = queue["county"]
    seen = inquiry.version
    client = login(users.county_editor)
    client.post(
        change_url(inquiry), {"answer": "第一", "visibility": "public", "seen_version": seen}
    )
    response = login(users.admin).post(
        change_url(inquiry), {"answer": "第二", "visibility": "private", "seen_version": seen}
    )
    assert response.status_code == 200
    assert "保存未成功" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.answer, inquiry.visibility) == ("第一", "public")


def test_answering_a_held_one_is_refused_in_the_form(login, users, queue):
    inquiry = queue["held"]
    client = login(users.county_editor)
    response = client.post(
        change_url(inquiry),
        {"answer": "x", "visibility": "public", "seen_version": inquiry.version},
    )
    # The answer fields are read-only while held, and the service refuses: nothing is written.
    assert response.status_code == 200
    assert "请先“放行”" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == Status.HELD and inquiry.answer == ""


def test_coordinator_reads_but_cannot_answer(login, users, queue):
    client = login(users.coordinator)
    assert client.get(change_url(queue["county"])).status_code == 200
    response = client.post(
        change_url(queue["county"]),
        {"answer": "市级答复", "visibility": "public", "seen_version": 0},
    )
    assert response.status_code == 403
    assert Inquiry.objects.get(pk=queue["county"].pk).answer == ""


def test_release_and_reject_actions(login, users, queue, ask, items):
    spam = ask(items.county, "更多广告 http://x.example.com")
    client = login(users.county_editor)
    url = reverse(CHANGELIST)
    client.post(url, {"action": "release_selected", "_selected_action": [queue["held"].pk]})
    client.post(url, {"action": "reject_selected", "_selected_action": [spam.pk]})
    assert Inquiry.objects.get(pk=queue["held"].pk).status == Status.OPEN
    assert Inquiry.objects.get(pk=spam.pk).status == Status.REJECTED


def test_actions_on_another_regions_inquiry_do_nothing(login, users, queue):
    client = login(users.other_county_editor)
    client.post(
        reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [queue["held"].pk]}
    )
    assert Inquiry.objects.get(pk=queue["held"].pk).status == Status.HELD


def test_coordinator_actions_are_refused(login, users, queue):
    client = login(users.coordinator)
    client.post(
        reverse(CHANGELIST), {"action": "release_selected", "_selected_action": [queue["held"].pk]}
    )
    assert Inquiry.objects.get(pk=queue["held"].pk).status == Status.HELD


def test_settings_page_for_the_province_admin_only(login, users, regions):
    url = reverse("admin:inquiries_inquirysettings_change", args=[1])
    response = login(users.admin).post(
        url, {"reply_days": 7, "retention_days": 200, "hourly_limit": 4, "seen_version": 0}
    )
    assert response.status_code == 302
    row = InquirySettings.load()
    assert (row.reply_days, row.retention_days, row.hourly_limit) == (7, 200, 4)
    response = login(users.county_editor).post(
        url, {"reply_days": 1, "retention_days": 30, "hourly_limit": 1, "seen_version": 1}
    )
    assert response.status_code == 403
    assert InquirySettings.load().reply_days == 7
    assert login(users.reviewer).get(url).status_code == 200  # reads them


def test_overdue_label_in_the_queue(login, users, queue):
    html = login(users.county_editor).get(reverse(CHANGELIST)).content.decode()
    assert html.count("待答复（逾期）") == 1


def test_search_by_reference_as_read_out(login, users, queue):
    inquiry = queue["county"]
    client = login(users.county_editor)
    response = client.get(reverse(CHANGELIST), {"q": inquiry.reference_display.lower()})
    assert [row.pk for row in response.context["cl"].result_list] == [inquiry.pk]
