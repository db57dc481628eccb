"""Staff writes through inquiries.services: who may answer, release and reject; versions;
the reply deadline on the statutory calendar; the settings; erasing personal data."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from catalogs.permissions import SYSTEM
from inquiries import services
from inquiries.models import Inquiry, InquiryEvent, InquirySettings, Status, Visibility
from tests.inquiries.conftest import at

pytestmark = pytest.mark.django_db


def answer(actor, inquiry, text="答复内容", visibility=Visibility.PUBLIC, seen=None):
    return services.inquiry_answer(
        actor=actor,
        inquiry=inquiry,
        answer=text,
        visibility=visibility,
        seen_version=inquiry.version if seen is None else seen,
    )


@pytest.mark.parametrize(
    ("role", "where", "allowed"),
    [
        # The item's region's editors answer; a county's editors also for its townships.
        ("county_editor", "county", True),
        ("county_editor", "town", True),
        ("township_editor", "town", True),
        ("township_editor", "county", False),
        ("other_county_editor", "county", False),
        ("other_county_editor", "town", False),
        # Coordinators and reviewers see, they do not answer; the province administrator may.
        ("coordinator", "county", False),
        ("other_coordinator", "county", False),
        ("reviewer", "county", False),
        ("admin", "county", True),
        ("county_editor", "other", False),
    ],
)
def test_who_may_answer(users, items, ask, role, where, allowed):
    inquiry = ask(getattr(items, where))
    actor = getattr(users, role)
    if allowed:
        answered = answer(actor, inquiry)
        assert answered.status == Status.ANSWERED
        assert answered.answered_by == actor
        assert InquiryEvent.objects.filter(inquiry=inquiry, to_status=Status.ANSWERED).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            answer(actor, inquiry)
        inquiry.refresh_from_db()
        assert inquiry.status == Status.OPEN


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("township_editor", True),
        ("county_editor", True),
        ("other_county_editor", False),
        ("coordinator", False),
        ("reviewer", False),
    ],
)
def test_who_may_release_and_reject(users, items, ask, role, allowed):
    first = ask(items.town, "看这里 https://spam.example.com")
    second = ask(items.town, "又一个 www.spam.example.com")
    assert first.status == second.status == Status.HELD
    actor = getattr(users, role)
    if allowed:
        assert services.inquiry_release(actor=actor, inquiry=first).status == Status.OPEN
        rejected = services.inquiry_reject(actor=actor, inquiry=second, note="广告")
        assert rejected.status == Status.REJECTED and rejected.closed_at is not None
    else:
        with pytest.raises(PermissionDenied):
            services.inquiry_release(actor=actor, inquiry=first)
        with pytest.raises(PermissionDenied):
            services.inquiry_reject(actor=actor, inquiry=second)


def test_held_is_answered_only_after_release(users, items, ask):
    inquiry = ask(items.county, "详见 http://a.example.cn")
    with pytest.raises(ValidationError, match="请先“放行”"):
        answer(users.county_editor, inquiry)
    released = services.inquiry_release(actor=users.county_editor, inquiry=inquiry)
    assert answer(users.county_editor, released).status == Status.ANSWERED


def test_rejected_cannot_be_released_or_answered(users, items, ask):
    inquiry = services.inquiry_reject(actor=users.county_editor, inquiry=ask(items.county))
    with pytest.raises(ValidationError, match="现在是“已驳回”"):
        services.inquiry_release(actor=users.county_editor, inquiry=inquiry)
    with pytest.raises(ValidationError, match="不能改为“已答复”"):
        answer(users.county_editor, inquiry)


def test_two_clerks_answering_at_once(users, items, ask):
    inquiry = ask(items.town)
    seen = inquiry.version
    answer(users.township_editor, inquiry, "先到的答复", seen=seen)
    with pytest.raises(ValidationError) as refused:
        answer(users.county_editor, inquiry, "后到的答复", seen=seen)
    message = refused.value.messages[0]
    assert "nongan-town-editor已处理了留言" in message
    assert "先到的答复" in message
    inquiry.refresh_from_db()
    assert inquiry.answer == "先到的答复"
    assert inquiry.answered_by == users.township_editor


def test_revising_keeps_the_first_answer_date(users, items, ask):
    inquiry = ask(items.county, when=at(date(2026, 3, 2)))
    first = services.inquiry_answer(
        actor=users.county_editor,
        inquiry=inquiry,
        answer="一",
        visibility="public",
        seen_version=inquiry.version,
        now=at(date(2026, 3, 4)),
    )
    revised = services.inquiry_answer(
        actor=users.county_editor,
        inquiry=first,
        answer="二",
        visibility="private",
        seen_version=first.version,
        now=at(date(2026, 3, 20)),
    )
    assert (revised.answer, revised.visibility) == ("二", "private")
    assert revised.answered_on == date(2026, 3, 4)
    assert revised.answered_on_time() is True


def test_answer_text_is_bounded(users, items, ask):
    inquiry = ask(items.county)
    with pytest.raises(ValidationError, match="“答复内容”不能超过3000字"):
        answer(users.county_editor, inquiry, "答" * 3001)
    with pytest.raises(ValidationError, match="请填写“答复内容”"):
        answer(users.county_editor, inquiry, "   ")


def test_deadline_counts_working_days_over_national_day(items, ask):
    # 2025-09-30 (Tue): 10月1日–8日 国庆中秋 off; Sat 10月11日 a make-up working day (调休).
    # Working days after it: 9 Thu, 10 Fri, 11 Sat (班), 13 Mon, 14 Tue.
    inquiry = ask(items.county, when=at(date(2025, 9, 30), 16))
    assert inquiry.received_on == date(2025, 9, 30)
    assert inquiry.due_date == date(2025, 10, 14)
    # Received on a holiday: the holiday counts for nothing, the same five working days.
    assert ask(items.county, when=at(date(2025, 10, 3))).due_date == date(2025, 10, 14)
    # On the make-up Saturday (a working day): 13 Mon, 14 Tue, 15 Wed, 16 Thu, 17 Fri.
    assert ask(items.county, when=at(date(2025, 10, 11))).due_date == date(2025, 10, 17)


def test_deadline_follows_the_province_setting(users, items, ask):
    services.inquiry_settings_update(
        actor=users.admin, reply_days=10, retention_days=180, hourly_limit=3, seen_version=None
    )
    inquiry = ask(items.county, when=at(date(2026, 3, 2)))  # Monday
    assert inquiry.due_date == date(2026, 3, 16)


def test_received_late_at_night_counts_by_china_date(items, ask):
    from datetime import UTC, datetime

    inquiry = ask(items.county, when=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))  # 3月2日 01:00
    assert inquiry.received_on == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("reviewer", False), ("coordinator", False), ("county_editor", False)],
)
def test_only_the_province_admin_changes_settings(users, regions, role, allowed):
    kwargs = {"reply_days": 7, "retention_days": 400, "hourly_limit": 9, "seen_version": 0}
    if allowed:
        row = services.inquiry_settings_update(actor=getattr(users, role), **kwargs)
        assert (row.reply_days, row.retention_days, row.hourly_limit, row.version) == (7, 400, 9, 1)
    else:
        with pytest.raises(PermissionDenied):
            services.inquiry_settings_update(actor=getattr(users, role), **kwargs)
        assert InquirySettings.load().reply_days == 5


def test_settings_are_bounded_and_versioned(users, regions):
    with pytest.raises(ValidationError) as refused:
        services.inquiry_settings_update(
            actor=users.admin, reply_days=0, retention_days=5, hourly_limit=1, seen_version=0
        )
    assert set(refused.value.message_dict) == {"reply_days", "retention_days"}
    services.inquiry_settings_update(
        actor=users.admin, reply_days=6, retention_days=365, hourly_limit=5, seen_version=0
    )
    with pytest.raises(ValidationError, match="答复时限6个工作日"):
        services.inquiry_settings_update(
            actor=users.admin, reply_days=8, retention_days=365, hourly_limit=5, seen_version=0
        )


def test_purge_erases_personal_data_after_retention(users, items, ask):
    old_day = date(2025, 1, 6)
    closed_old = ask(
        items.county,
        name="张三",
        phone="13912345678",
        client_address="198.51.100.1",
        when=at(old_day),
    )
    services.inquiry_answer(
        actor=users.county_editor,
        inquiry=closed_old,
        answer="好",
        visibility="public",
        seen_version=closed_old.version,
        now=at(old_day + timedelta(days=1)),
    )
    open_old = ask(items.county, name="李四", phone="13800000000", when=at(old_day))
    recent = ask(items.county, name="王五", phone="13700000000", when=at(date(2026, 11, 2)))
    services.inquiry_answer(
        actor=users.county_editor,
        inquiry=recent,
        answer="好",
        visibility="public",
        seen_version=recent.version,
        now=at(date(2026, 11, 3)),
    )
    rejected = services.inquiry_reject(
        actor=users.county_editor,
        inquiry=ask(items.county, name="赵六", client_address="198.51.100.2", when=at(old_day)),
        now=at(old_day),
    )
    held_old = ask(
        items.county, name="钱七", phone="13600000000", text="加微信 spam.cn", when=at(old_day)
    )
    assert held_old.status == Status.HELD
    assert closed_old.client_hash

    now = at(date(2026, 11, 29))
    assert services.inquiries_purge_personal_data(actor=SYSTEM, now=now) == 3
    assert services.inquiries_purge_personal_data(actor=SYSTEM, now=now) == 0  # idempotent
    rows = {row.pk: row for row in Inquiry.objects.all()}
    assert (
        rows[closed_old.pk].name,
        rows[closed_old.pk].phone,
        rows[closed_old.pk].client_hash,
    ) == ("", "", "")
    assert rows[closed_old.pk].personal_data_erased_at == now
    assert rows[closed_old.pk].text and rows[closed_old.pk].answer == "好"  # the public part stays
    assert rows[rejected.pk].name == ""
    assert (rows[held_old.pk].name, rows[held_old.pk].phone) == ("", "")
    assert (rows[open_old.pk].name, rows[recent.pk].name) == ("李四", "王五")


def test_purge_is_for_the_province_admin(users):
    with pytest.raises(PermissionDenied):
        services.inquiries_purge_personal_data(actor=users.county_editor)


def test_purge_command_and_beat_entry(users, items, ask, settings):
    inquiry = ask(items.county, name="张三", when=at(date(2024, 1, 8)))
    services.inquiry_reject(actor=users.county_editor, inquiry=inquiry, now=at(date(2024, 1, 9)))
    from io import StringIO

    out = StringIO()
    call_command("purge_inquiry_personal_data", stdout=out)
    assert out.getvalue().strip() == "已删除1条办结超过365天的留言中的个人信息。"
    call_command("purge_inquiry_personal_data", stdout=(out := StringIO()))
    assert out.getvalue().startswith("已删除0条")
    entry = settings.CELERY_BEAT_SCHEDULE["purge-inquiry-personal-data"]
    assert entry["task"] == "inquiries.tasks.purge_inquiry_personal_data"
    from portal.celery import app as celery_app

    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {15})
    from inquiries.tasks import purge_inquiry_personal_data

    purge_inquiry_personal_data.delay()  # eager in tests: runs the command once more
