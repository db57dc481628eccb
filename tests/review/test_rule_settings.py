"""Severity the province controls: info is advice; rules re-graded or switched off in the
admin, with history; check_catalogs --details lists every result."""

import importlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from review.checks import RULES_BY_CODE
from review.checks.runner import PUBLICATION, run_checks
from review.models import (
    UNRESOLVED,
    Decision,
    Finding,
    FindingEvent,
    FindingSource,
    FindingState,
    RuleSetting,
    Severity,
)
from review.selectors import findings_by_rule, review_queue
from review.services import acceptance_decide, checks_run, rule_setting_save

F = FindingState
GENERIC = "R09-basis-generic"  # info by default: the basis cites no specific document
CHANNELS = "R03-channels"  # error by default


def _rule_findings(catalog, code):
    return Finding.objects.filter(catalog=catalog, source=FindingSource.RULE, rule_code=code)


# ---------------------------------------------------------------------------
# Info results are advice
# ---------------------------------------------------------------------------


def test_info_results_are_advice_not_open_problems(all_published, users):
    catalog = all_published.nongan_social
    checks_run(actor=users.reviewer, catalog=catalog)
    advice = _rule_findings(catalog, GENERIC)
    assert advice.exists()
    assert set(advice.values_list("state", flat=True)) == {F.ADVISORY}
    assert not Finding.objects.unresolved().filter(rule_code=GENERIC).exists()
    assert not Finding.objects.awaiting_staff().filter(rule_code=GENERIC).exists()
    assert GENERIC not in {row.rule_code for row in findings_by_rule(Finding.objects.all())}
    event = FindingEvent.objects.filter(finding__in=advice).first()
    assert (event.to_state, event.note) == (F.ADVISORY, "自动检查提示（无需整改）")
    # Checking again changes nothing; the advice is gone once the basis is specific.
    again = checks_run(actor=users.reviewer, catalog=catalog)
    assert (again.run.created_count, again.run.updated_count) == (0, 0)
    PublishedItem.objects.filter(publication__catalog=catalog).update(
        basis="《社会救助暂行办法》（国务院令第649号）"
    )
    checks_run(actor=users.reviewer, catalog=catalog)
    assert set(advice.values_list("state", flat=True)) == {F.RESOLVED}


def test_info_findings_never_block_acceptance_nor_count_in_the_queue(accepting, users):
    advice = _rule_findings(accepting, GENERIC).filter(state=F.ADVISORY)
    assert advice.exists()
    # Every rule re-graded as advice: nothing is left to count or to block.
    for code in {f.rule_code for f in Finding.objects.filter(catalog=accepting)}:
        rule_setting_save(actor=users.admin, rule_code=code, severity="info")
    checks_run(actor=users.reviewer, catalog=accepting)
    assert advice.exists()
    assert not Finding.objects.filter(catalog=accepting, state__in=UNRESOLVED).exists()
    queued = review_queue(users.reviewer).get(pk=accepting.pk)
    assert (queued.unresolved_findings, queued.error_findings) == (0, 0)
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="通过"
    )
    assert decision.findings == []  # advice is not listed as a problem of the catalog


def test_existing_info_findings_become_advice_in_the_data_migration(all_published):
    catalog = all_published.nongan_social
    now = catalog.last_published_at
    made = {
        state: Finding.objects.create(
            catalog=catalog,
            source=FindingSource.RULE,
            rule_code=GENERIC,
            fingerprint=f"{GENERIC}|{state}",
            severity=Severity.INFO,
            description="通用依据",
            state=state,
            created_at=now,
            state_changed_at=now,
        )
        for state in (F.OPEN, F.ANSWERED, F.VERIFIED)
    }
    warning = Finding.objects.create(
        catalog=catalog,
        source=FindingSource.RULE,
        rule_code=CHANNELS,
        fingerprint=f"{CHANNELS}|x",
        severity=Severity.WARNING,
        description="渠道",
        created_at=now,
        state_changed_at=now,
    )
    migration = importlib.import_module("review.migrations.0005_info_findings_advisory")
    migration.forwards(apps, None)
    states = {key: Finding.objects.get(pk=f.pk).state for key, f in made.items()}
    assert states == {F.OPEN: F.ADVISORY, F.ANSWERED: F.ADVISORY, F.VERIFIED: F.VERIFIED}
    assert Finding.objects.get(pk=warning.pk).state == F.OPEN
    assert FindingEvent.objects.filter(to_state=F.ADVISORY).count() == 2


# ---------------------------------------------------------------------------
# The province re-grades or switches off a rule
# ---------------------------------------------------------------------------


def test_only_the_province_administrator_adjusts_rules(users, db):
    for who in ("reviewer", "coordinator", "county_editor"):
        with pytest.raises(PermissionDenied, match="只有省级管理员"):
            rule_setting_save(actor=getattr(users, who), rule_code=GENERIC, severity="warning")
    assert not RuleSetting.objects.exists()
    with pytest.raises(ValidationError, match="没有代码为“R99-nothing”的检查规则"):
        rule_setting_save(actor=users.admin, rule_code="R99-nothing")
    with pytest.raises(ValidationError, match="无效的严重程度"):
        rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="fatal")
    setting = rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="warning")
    assert (setting.severity, setting.enabled, setting.updated_by) == ("warning", True, users.admin)


def test_the_history_keeps_who_changed_what(users, db):
    rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="warning", note="严格要求")
    rule_setting_save(actor=users.admin, rule_code=GENERIC, enabled=False, note="暂停")
    rule_setting_save(actor=users.admin, rule_code=GENERIC, enabled=False, note="暂停")  # no-op
    history = RuleSetting.objects.get(rule_code=GENERIC).history.order_by("history_date")
    assert [(h.severity, h.enabled, h.note, h.history_user) for h in history] == [
        ("warning", True, "严格要求", users.admin),
        ("", False, "暂停", users.admin),
    ]


def test_the_runner_applies_the_provinces_settings(all_published, users):
    catalog = all_published.nongan_social
    scope = Catalog.objects.filter(pk=catalog.pk)
    default = run_checks(scope, rules=[GENERIC], source=PUBLICATION)
    assert default and {r.severity for r in default} == {"info"}
    rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="warning")
    raised = run_checks(scope, rules=[GENERIC], source=PUBLICATION)
    assert {r.severity for r in raised} == {"warning"} and len(raised) == len(default)
    rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="info")  # its default
    assert RuleSetting.objects.get(rule_code=GENERIC).severity == ""
    rule_setting_save(actor=users.admin, rule_code=GENERIC, enabled=False)
    assert run_checks(scope, rules=[GENERIC], source=PUBLICATION) == []
    assert GENERIC not in {r.rule_code for r in run_checks(scope, source=PUBLICATION)}


def test_regrading_moves_findings_in_and_out_of_advice(all_published, users):
    catalog = all_published.nongan_social
    checks_run(actor=users.reviewer, catalog=catalog)
    findings = _rule_findings(catalog, GENERIC)
    count = findings.count()
    rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="warning")
    checks_run(actor=users.reviewer, catalog=catalog)
    assert set(findings.values_list("state", "severity")) == {(F.OPEN, "warning")}
    assert findings.filter(state__in=UNRESOLVED).count() == count
    rule_setting_save(actor=users.admin, rule_code=GENERIC, severity="")
    checks_run(actor=users.reviewer, catalog=catalog)
    assert set(findings.values_list("state", "severity")) == {(F.ADVISORY, "info")}
    # An error re-graded as advice no longer blocks acceptance.
    item = Item.objects.filter(catalog=catalog).order_by("seq").first()
    PublishedItem.objects.filter(item=item).update(channels=["公众号"])
    checks_run(actor=users.reviewer, catalog=catalog)
    assert _rule_findings(catalog, CHANNELS).get().state == F.OPEN
    rule_setting_save(actor=users.admin, rule_code=CHANNELS, severity="info")
    checks_run(actor=users.reviewer, catalog=catalog)
    assert _rule_findings(catalog, CHANNELS).get().state == F.ADVISORY


def test_a_disabled_rule_resolves_its_findings(all_published, users):
    catalog = all_published.nongan_social
    checks_run(actor=users.reviewer, catalog=catalog)
    rule_setting_save(actor=users.admin, rule_code=GENERIC, enabled=False, note="不检查")
    outcome = checks_run(actor=users.reviewer, catalog=catalog)
    assert GENERIC not in outcome.run.by_rule
    assert set(_rule_findings(catalog, GENERIC).values_list("state", flat=True)) == {F.RESOLVED}


# ---------------------------------------------------------------------------
# The admin: Chinese titles, the administrator writes, history shown
# ---------------------------------------------------------------------------


def test_admin_shows_rule_titles_and_only_the_administrator_writes(login, users, db):
    rule = RULES_BY_CODE[GENERIC]
    client = login(users.admin)
    add = client.get(reverse("admin:review_rulesetting_add")).content.decode()
    assert f"{rule.title}（默认：提示）" in add
    assert f">{GENERIC}<" not in add and "采用规则默认" in add
    response = client.post(
        reverse("admin:review_rulesetting_add"),
        {"rule_code": GENERIC, "severity": "warning", "enabled": "on", "note": "要求写明文件"},
    )
    assert response.status_code == 302
    setting = RuleSetting.objects.get(rule_code=GENERIC)
    assert (setting.severity, setting.updated_by) == ("warning", users.admin)
    listing = client.get(reverse("admin:review_rulesetting_changelist")).content.decode()
    assert rule.title in listing and "一般" in listing
    history = client.get(reverse("admin:review_rulesetting_history", args=[setting.pk]))
    assert history.status_code == 200 and users.admin.username in history.content.decode()

    reviewer = login(users.reviewer)
    change = reverse("admin:review_rulesetting_change", args=[setting.pk])
    assert reviewer.get(change).status_code == 200  # reads
    posted = reviewer.post(change, {"severity": "error", "enabled": "on", "note": "x"})
    assert posted.status_code == 403
    assert RuleSetting.objects.get(pk=setting.pk).severity == "warning"
    assert login(users.county_editor).post(change, {"severity": "error"}).status_code == 403


# ---------------------------------------------------------------------------
# check_catalogs --details
# ---------------------------------------------------------------------------

KEYS = {
    "region_code",
    "standard",
    "catalog_id",
    "item_seq",
    "level1",
    "level2",
    "element",
    "rule_code",
    "severity",
    "message",
}
ELEMENTS = {
    "公开事项名称",
    "公开内容",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
    "",
}


def test_details_list_every_result_with_exactly_the_documented_keys(all_published, capsys):
    catalog = all_published.nongan_social
    item = Item.objects.filter(catalog=catalog).order_by("seq").first()
    PublishedItem.objects.filter(item=item).update(channels=["公众号"])
    PublishedItem.objects.filter(publication__catalog=catalog).exclude(item=item).filter(
        seq__gt=10
    ).delete()  # a standard item missing from what citizens see: a result on the catalog
    out = StringIO()
    call_command("check_catalogs", "--format", "json", "--details", "--no-store", stdout=out)
    report = json.loads(out.getvalue())
    results = report["results"]
    assert results and all(set(entry) == KEYS for entry in results)
    assert {entry["element"] for entry in results} <= ELEMENTS
    assert len(results) == sum(scope["results_total"] for scope in report["scopes"])
    channel = next(e for e in results if e["rule_code"] == CHANNELS)
    assert channel == {
        "region_code": "220122",
        "standard": "social-assistance",
        "catalog_id": catalog.pk,
        "item_seq": item.seq,
        "level1": item.level1,
        "level2": item.level2,
        "element": "公开渠道和载体",
        "rule_code": CHANNELS,
        "severity": "error",
        "message": channel["message"],
    }
    assert "公众号" in channel["message"]
    whole = [e for e in results if e["rule_code"] == "R01-coverage"]
    assert whole and all(e["item_seq"] is None and e["element"] == "" for e in whole)
    # Without --details, no list; every province had its progress line on stderr.
    plain = StringIO()
    call_command("check_catalogs", "--format", "json", "--no-store", stdout=plain)
    assert "results" not in json.loads(plain.getvalue())


def test_every_province_is_checked_one_after_the_other(all_published, regions):
    from catalogs.models import Region, RegionLevel

    Region.objects.create(code="21", name="辽宁省", level=RegionLevel.PROVINCE)
    out, err = StringIO(), StringIO()
    call_command("check_catalogs", "--format", "json", stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert [scope["region_code"] for scope in report["scopes"]] == ["21", "22"]
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("[1/2] 21 辽宁省") and lines[1].startswith("[2/2] 22 吉林省")
    text = StringIO()
    call_command("check_catalogs", "--no-store", "--details", stdout=text)
    assert "[2/2] 22 吉林省" in text.getvalue() and "第1项" in text.getvalue()


def test_draft_preview_from_the_command(all_published):
    item = Item.objects.filter(catalog=all_published.nongan_social).order_by("seq").first()
    Item.objects.filter(pk=item.pk).update(channels=["微信群"])
    out = StringIO()
    call_command(
        "check_catalogs",
        "--region",
        "220122",
        "--format",
        "json",
        "--details",
        "--draft",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["scopes"][0]["source"] == "draft" and report["scopes"][0]["stored"] is False
    assert any("微信群" in e["message"] for e in report["results"])
    assert not Finding.objects.exists()
    published = StringIO()
    call_command(
        "check_catalogs", "--region", "220122", "--format", "json", "--details", stdout=published
    )
    assert not any("微信群" in e["message"] for e in json.loads(published.getvalue())["results"])


def test_system_may_run_checks_without_a_person(all_published):
    outcome = checks_run(actor=SYSTEM, catalog=all_published.nongan_social)
    assert outcome.run.actor is None and outcome.run.pk
