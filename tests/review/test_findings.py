"""Findings: raised by reviewers or rules, answered by staff, verified or reopened."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogs.permissions import SYSTEM
from items.models import Item, PublishedItem
from items.services import catalog_publish, item_update
from review.models import Finding, FindingEventKind, FindingSource, FindingState, Severity
from review.services import (
    checks_run,
    finding_allowed_moves,
    finding_answer,
    finding_create,
    finding_reopen,
    finding_verify,
)
from tests.review.conftest import at

F = FindingState


@pytest.fixture
def finding(users, all_published):
    catalog = all_published.nongan_social
    item = catalog.items.order_by("seq").first()
    return finding_create(
        actor=users.reviewer,
        catalog=catalog,
        item=item,
        element="channels",
        severity=Severity.WARNING,
        description="办事指南未在便民服务站公开。",
        required_fix="在便民服务站放置办事指南。",
        due_on=timezone.localdate() + timedelta(days=10),
    )


def test_a_reviewer_anchors_a_finding_to_item_and_element(finding, users):
    assert finding.state == F.OPEN
    assert finding.source == FindingSource.REVIEWER
    assert finding.anchor == f"第{finding.item.seq}项 {finding.item.name} · 公开渠道和载体"
    event = finding.events.get()
    assert (event.kind, event.actor, event.to_state) == (
        FindingEventKind.CREATED,
        users.reviewer,
        F.OPEN,
    )


@pytest.mark.parametrize("who", ["county_editor", "coordinator", "other_county_editor"])
def test_only_reviewers_raise_findings(users, all_published, who):
    with pytest.raises(PermissionDenied):
        finding_create(
            actor=getattr(users, who),
            catalog=all_published.nongan_social,
            severity=Severity.INFO,
            description="x",
        )


def test_a_finding_is_anchored_inside_its_own_catalog(users, all_published):
    other_item = all_published.yongji_social.items.first()
    with pytest.raises(ValidationError) as error:
        finding_create(
            actor=users.reviewer,
            catalog=all_published.nongan_social,
            item=other_item,
            element="nonsense",
            severity=Severity.ERROR,
            description="x",
            due_on=date(2000, 1, 1),
        )
    assert set(error.value.message_dict) == {"item", "element", "due_on"}


def test_staff_answer_and_the_reviewer_verifies(finding, users):
    assert finding_allowed_moves(users.county_editor, finding) == [F.ANSWERED]
    assert finding_allowed_moves(users.reviewer, finding) == [F.VERIFIED]
    finding_answer(actor=users.county_editor, finding=finding, answer="已放置办事指南。")
    assert finding.state == F.ANSWERED
    finding_verify(actor=users.reviewer, finding=finding, note="核实")
    finding.refresh_from_db()
    assert finding.state == F.VERIFIED
    kinds = list(finding.events.order_by("pk").values_list("kind", "actor__username", "note"))
    assert kinds == [
        (FindingEventKind.CREATED, "province-reviewer", "办事指南未在便民服务站公开。"),
        (FindingEventKind.ANSWERED, "nongan-editor", "已放置办事指南。"),
        (FindingEventKind.VERIFIED, "province-reviewer", "核实"),
    ]


def test_the_reviewer_reopens_with_a_reason_and_a_new_due_date(finding, users):
    finding_answer(actor=users.county_editor, finding=finding, answer="已整改")
    with pytest.raises(ValidationError, match="理由"):
        finding_reopen(actor=users.reviewer, finding=finding, note="")
    new_due = timezone.localdate() + timedelta(days=20)
    finding_reopen(actor=users.reviewer, finding=finding, note="现场仍未见到", due_on=new_due)
    finding.refresh_from_db()
    assert (finding.state, finding.due_on) == (F.REOPENED, new_due)
    finding_answer(actor=users.county_editor, finding=finding, answer="已补放")
    assert finding.state == F.ANSWERED


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_editor", True),  # the catalog's county
        ("admin", True),
        ("township_editor", False),  # a township below may not answer for the county
        ("coordinator", False),  # coordinators read, they do not edit
        ("other_county_editor", False),
        ("reviewer", False),
    ],
)
def test_who_may_answer(finding, users, who, allowed):
    actor = getattr(users, who)
    if allowed:
        finding_answer(actor=actor, finding=finding, answer="已整改")
        assert finding.state == F.ANSWERED
    else:
        with pytest.raises(PermissionDenied):
            finding_answer(actor=actor, finding=finding, answer="已整改")
        finding.refresh_from_db()
        assert finding.state == F.OPEN


@pytest.mark.parametrize("who", ["county_editor", "coordinator", "other_coordinator"])
def test_only_reviewers_verify_or_reopen(finding, users, who):
    finding_answer(actor=users.county_editor, finding=finding, answer="已整改")
    with pytest.raises(PermissionDenied):
        finding_verify(actor=getattr(users, who), finding=finding)
    with pytest.raises(PermissionDenied):
        finding_reopen(actor=getattr(users, who), finding=finding, note="不行")


def test_moves_outside_the_table_are_refused(finding, users):
    finding_verify(actor=users.reviewer, finding=finding)
    with pytest.raises(ValidationError, match="不能变更"):
        finding_verify(actor=users.reviewer, finding=finding)
    with pytest.raises(ValidationError, match="不能变更"):
        finding_answer(actor=users.county_editor, finding=finding, answer="再答")


def test_an_empty_answer_is_refused(finding, users):
    with pytest.raises(ValidationError, match="整改情况"):
        finding_answer(actor=users.county_editor, finding=finding, answer="  ")


def test_overdue_is_a_query_on_dates(finding, users):
    today = finding.due_on
    assert not Finding.objects.overdue(today).exists()
    assert list(Finding.objects.overdue(today + timedelta(days=1))) == [finding]
    finding_answer(actor=users.county_editor, finding=finding, answer="已整改")
    assert list(Finding.objects.overdue(today + timedelta(days=1))) == [finding]  # still unverified
    finding_verify(actor=users.reviewer, finding=finding)
    assert not Finding.objects.overdue(today + timedelta(days=1)).exists()


def test_findings_are_scoped_to_the_users_regions(finding, users):
    assert list(Finding.objects.for_user(users.coordinator)) == [finding]
    assert list(Finding.objects.for_user(users.county_editor)) == [finding]
    assert not Finding.objects.for_user(users.other_coordinator).exists()
    assert not Finding.objects.for_user(users.township_editor).exists()
    assert not Finding.objects.answerable_by(users.coordinator).exists()


# ---------------------------------------------------------------------------
# Rule findings kept in step with the checks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeResult:
    rule_code: str
    severity: str
    message: str
    catalog_id: int
    item_id: int | None = None
    element: str | None = None


@pytest.fixture
def fake_checks(monkeypatch):
    """Stand-in rules whose results each test sets: the sync logic, not the rules, is tested."""
    produced: list = []
    monkeypatch.setattr("review.checks.run_checks", lambda catalogs, **options: list(produced))
    return produced


def _rule_findings(catalog):
    return {f.fingerprint: f for f in Finding.objects.filter(catalog=catalog, source="rule")}


def test_rerunning_checks_keeps_one_finding_per_problem(fake_checks, all_published, users):
    catalog = all_published.nongan_social
    item = catalog.items.first()
    fake_checks += [
        FakeResult("R02-elements", "error", "未填写公开主体", catalog.pk, item.pk, "subject"),
        FakeResult("R01-coverage", "error", "缺少事项", catalog.pk),
    ]
    first = checks_run(actor=users.reviewer, region=catalog.region, now=at(2020, 8, 1))
    assert (first.run.created_count, first.run.resolved_count) == (2, 0)
    second = checks_run(actor=users.reviewer, region=catalog.region, now=at(2020, 8, 2))
    assert (second.run.created_count, second.run.updated_count) == (0, 0)
    findings = _rule_findings(catalog)
    assert len(findings) == 2
    subject = next(f for f in findings.values() if f.element == "subject")
    assert (subject.item, subject.rule_code, subject.state) == (item, "R02-elements", F.OPEN)
    assert subject.item_label == f"第{item.seq}项 {item.name}"


def test_a_problem_gone_is_resolved_and_one_back_is_reopened(fake_checks, all_published, users):
    catalog = all_published.nongan_social
    problem = FakeResult(
        "R06-subject", "warning", "通用表述", catalog.pk, catalog.items.first().pk, "subject"
    )
    fake_checks.append(problem)
    checks_run(actor=users.reviewer, catalog=catalog, now=at(2020, 8, 1))
    fake_checks.clear()
    outcome = checks_run(actor=users.reviewer, catalog=catalog, now=at(2020, 8, 2))
    assert outcome.run.resolved_count == 1
    (finding,) = _rule_findings(catalog).values()
    assert finding.state == F.RESOLVED
    fake_checks.append(problem)
    outcome = checks_run(actor=users.reviewer, catalog=catalog, now=at(2020, 8, 3))
    finding.refresh_from_db()
    assert (outcome.run.reopened_count, finding.state) == (1, F.REOPENED)
    kinds = list(finding.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [FindingEventKind.CREATED, FindingEventKind.RESOLVED, FindingEventKind.REOPENED]


def test_a_reviewers_verification_outlasts_the_rule(fake_checks, all_published, users):
    catalog = all_published.nongan_social
    fake_checks.append(FakeResult("R08-basis-format", "warning", "文号格式", catalog.pk))
    checks_run(actor=users.reviewer, catalog=catalog)
    (finding,) = _rule_findings(catalog).values()
    finding_verify(actor=users.reviewer, finding=finding, note="允许使用通用表述")
    checks_run(actor=users.reviewer, catalog=catalog)
    finding.refresh_from_db()
    assert finding.state == F.VERIFIED


def test_a_check_touches_only_its_scope(fake_checks, all_published, users):
    county, town = all_published.nongan_social, all_published.town_social
    fake_checks += [FakeResult("R01-coverage", "error", "缺少", county.pk)]
    checks_run(actor=users.reviewer, catalog=county)
    fake_checks.clear()
    checks_run(actor=users.reviewer, catalog=town)  # nothing found in 农安镇
    states = [finding.state for finding in _rule_findings(county).values()]
    assert states == [F.OPEN]


def test_checks_in_scope_of_the_user_only(users, all_published, regions):
    with pytest.raises(PermissionDenied):
        checks_run(actor=users.other_coordinator, region=regions.nongan)
    with pytest.raises(PermissionDenied):
        checks_run(actor=users.township_editor, region=regions.nongan)
    outcome = checks_run(actor=users.coordinator, region=regions.changchun, store=False)
    assert outcome.run.pk is None
    assert not Finding.objects.exists()


def test_real_rules_find_and_then_resolve_a_missing_element(users, all_published):
    """The checks judge the publication: a fix in the draft counts once it is published."""
    catalog = all_published.nongan_social
    item = Item.objects.filter(catalog=catalog).order_by("seq").first()
    # A publication made before publishing refused incomplete items.
    PublishedItem.objects.filter(item=item, publication__is_current=True).update(subject="")
    checks_run(actor=SYSTEM, catalog=catalog)
    missing = Finding.objects.get(
        catalog=catalog, item=item, element="subject", rule_code="R02-elements"
    )
    assert missing.severity == Severity.ERROR and "公开主体" in missing.description
    item_update(actor=users.county_editor, item=item, subject="农安县民政局")
    checks_run(actor=SYSTEM, catalog=catalog)
    missing.refresh_from_db()
    assert missing.state == F.OPEN  # the draft is fixed, citizens still see no subject
    catalog_publish(actor=users.county_editor, catalog=catalog, note="补充公开主体")
    checks_run(actor=SYSTEM, catalog=catalog)
    missing.refresh_from_db()
    assert missing.state == F.RESOLVED
