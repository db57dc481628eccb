"""check_catalogs and send_reminders."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from catalogs.models import Catalog
from review.models import CheckRun, Finding, ReminderLog, Severity
from review.services import finding_create, milestone_report
from tests.review.conftest import at


def _run(*args) -> str:
    out = StringIO()
    call_command("check_catalogs", *args, stdout=out)
    return out.getvalue()


def test_check_catalogs_region_covers_a_county_with_its_townships(all_published):
    report = json.loads(_run("--region", "220122", "--format", "json", "--details"))
    (scope,) = report["scopes"]
    inside = Catalog.objects.filter(region__path__startswith="22/2201/220122/")
    assert scope["catalogs"] == inside.count() == 3  # 农安县 ×2, 农安镇 ×1
    assert {entry["region_code"] for entry in scope["by_region"]} == {"220122", "220122100"}
    assert all(r["region_code"].startswith("220122") for r in report["results"])
    assert scope["results_total"] == len(report["results"])
    stored = Finding.objects.filter(source="rule")
    assert stored.count() == scope["findings"]["created"]
    assert not stored.exclude(catalog__in=inside).exists()


def test_check_catalogs_province_groups_by_city_and_prints_time(all_published):
    text = _run("--region", "22")
    assert "检查范围：吉林省（全部县级、乡级目录）" in text
    assert "目录 4 个" in text
    assert "2201" in text and "长春市" in text and "2202" in text
    assert "用时" in text and "秒" in text
    assert CheckRun.objects.get().catalog_count == 4


def test_check_catalogs_default_is_every_province(all_published):
    report = json.loads(_run("--format", "json"))
    assert [scope["region_code"] for scope in report["scopes"]] == ["22"]
    assert report["scopes"][0]["catalogs"] == 4


def test_check_catalogs_is_idempotent_and_no_store_writes_nothing(all_published):
    item = all_published.nongan_social.items.order_by("seq").first()
    type(item).objects.filter(pk=item.pk).update(subject="")
    first = json.loads(_run("--region", "220122", "--format", "json"))["scopes"][0]
    assert first["findings"]["created"] >= 1
    count = Finding.objects.count()
    again = json.loads(_run("--region", "220122", "--format", "json"))["scopes"][0]
    assert again["findings"] == {"created": 0, "updated": 0, "resolved": 0, "reopened": 0}
    assert Finding.objects.count() == count
    Finding.objects.all().delete()
    dry = json.loads(_run("--region", "220122", "--format", "json", "--no-store"))["scopes"][0]
    assert dry["stored"] is False and dry["results_total"] == first["results_total"]
    assert not Finding.objects.exists()


def test_check_catalogs_one_catalog(all_published):
    catalog = all_published.town_social
    report = json.loads(_run("--catalog", str(catalog.pk), "--format", "json"))
    assert report["scopes"][0]["catalogs"] == 1


def test_check_catalogs_unknown_region_is_a_clear_error(db):
    with pytest.raises(CommandError, match="找不到区划代码 9999"):
        _run("--region", "9999")


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


@pytest.fixture
def mailboxes(users):
    for user in (users.county_editor, users.township_editor, users.coordinator, users.admin):
        user.email = f"{user.username}@example.cn"
        user.save()
    users.other_county_editor.email = "yongji@example.cn"
    users.other_county_editor.save()
    return users


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run send_reminders as the daily timer would."""

    def _remind(*args) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", *args, stdout=out)
        return out.getvalue()

    return _remind


def test_reminders_before_a_milestone_are_sent_once(mailboxes, catalogs, campaign, remind):
    remind("--today", "2020-08-29")  # 复核 due 9/1: three days left
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # 农安县, 农安镇 (editors); 永吉县 too; 长春市's roll-up is long overdue (no reminder).
    assert recipients == [
        "nongan-editor@example.cn",
        "nongan-town-editor@example.cn",
        "yongji@example.cn",
    ]
    nongan = next(m for m in mail.outbox if m.to == ["nongan-editor@example.cn"])
    assert nongan.subject.startswith("【基层政务公开】工作提醒")
    assert "公开事项复核" in nongan.body and "还有3天" in nongan.body
    assert "农安县" in nongan.body and "伏龙泉镇" in nongan.body  # a township without an editor
    sent = len(mail.outbox)
    remind("--today", "2020-08-29")
    remind("--today", "2020-08-30")  # same 3-day window: still nothing new
    assert len(mail.outbox) == sent
    remind("--today", "2020-08-31")  # one day left: the next reminder
    assert len(mail.outbox) == sent + 3


def test_done_milestones_are_not_reminded(mailboxes, users, catalogs, milestones, regions, remind):
    milestone_report(
        actor=users.township_editor, milestone=milestones["viewable"], region=regions.nongan_town
    )
    remind("--today", "2020-06-30")
    bodies = {m.to[0]: m.body for m in mail.outbox}
    # 农安县 has not confirmed 承诺渠道可查阅 (due 7/1): reminded; 农安镇 confirmed: not.
    assert "农安县：承诺渠道可查阅" in bodies["nongan-editor@example.cn"]
    assert "nongan-town-editor@example.cn" not in bodies


def test_findings_due_and_overdue_are_reminded(mailboxes, users, all_published, campaign, remind):
    today = date(2020, 10, 1)
    finding_create(
        actor=users.reviewer,
        catalog=all_published.nongan_social,
        severity=Severity.ERROR,
        description="缺少审批信息",
        due_on=today - timedelta(days=2),
        now=at(2020, 9, 1),
    )
    finding_create(
        actor=users.reviewer,
        catalog=all_published.town_social,
        severity=Severity.WARNING,
        description="渠道不全",
        due_on=today + timedelta(days=2),
        now=at(2020, 9, 1),
    )
    remind("--today", today.isoformat())
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "缺少审批信息" in bodies["nongan-editor@example.cn"]
    assert "已逾期2天" in bodies["nongan-editor@example.cn"]
    assert "渠道不全" in bodies["nongan-town-editor@example.cn"]
    assert "yongji@example.cn" not in bodies or "缺少审批信息" not in bodies["yongji@example.cn"]
    count = ReminderLog.objects.count()
    remind("--today", today.isoformat())
    assert ReminderLog.objects.count() == count


def test_dry_run_sends_and_records_nothing(mailboxes, catalogs, campaign, remind):
    out = remind("--today", "2020-08-29", "--dry-run")
    assert "将发送" in out and "公开事项复核" in out
    assert not mail.outbox and not ReminderLog.objects.exists()


def test_a_bad_date_is_a_clear_error(db, remind):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        remind("--today", "29.08.2020")


def test_a_reminder_the_mail_server_refuses_is_sent_again_next_run(
    mailboxes, catalogs, campaign, remind, monkeypatch
):
    import smtplib

    from review import reminders

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(reminders, "send_mail", refuse)
    remind("--today", "2020-08-29")
    assert ReminderLog.objects.count() == 0
    assert mail.outbox == []
    monkeypatch.undo()
    remind("--today", "2020-08-29")
    assert len(mail.outbox) == 3
    assert ReminderLog.objects.count() >= 3
