"""Every write of review and acceptance: campaigns, milestone reports, catalog moves,
findings and their corrections, check runs, acceptance decisions.

Each service is keyword-only, checks who may act before anything else, runs in one
transaction, validates before saving and records an event row after.
"""

import time as _time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.lifecycle import catalog_transition, lock_for_move
from catalogs.models import Catalog, CatalogStatus, Region, RegionLevel
from catalogs.permissions import history_user, is_province_reviewer, require_province_admin
from catalogs.vocabulary import ELEMENT_LABELS
from items.models import Item
from review import schedule
from review.models import (
    SEVERITY_ORDER,
    UNRESOLVED,
    AcceptanceDecision,
    Campaign,
    CheckRun,
    Decision,
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingSource,
    FindingState,
    Milestone,
    MilestoneCompletion,
    MilestoneReport,
    Severity,
)
from review.permissions import (
    can_answer_finding,
    can_report_milestone,
    can_run_checks,
    require_reviewer,
)
from review.selectors import catalog_snapshot

S = CatalogStatus
F = FindingState

# ---------------------------------------------------------------------------
# Campaigns and milestones
# ---------------------------------------------------------------------------


@transaction.atomic
def ensure_default_campaign() -> Campaign:
    """The 2020 campaign of 吉民发〔2020〕13号 with its milestones; creating it twice is harmless."""
    campaign, created = Campaign.objects.get_or_create(
        year=schedule.DEFAULT_YEAR,
        defaults={
            "title": schedule.DEFAULT_TITLE,
            "basis_document": schedule.DEFAULT_BASIS,
            "starts_on": schedule.DEFAULT_STARTS_ON,
            "is_current": not Campaign.objects.filter(is_current=True).exists(),
        },
    )
    if created or not campaign.milestones.exists():
        for order, spec in enumerate(schedule.DEFAULT_MILESTONES, start=1):
            milestone = Milestone(
                campaign=campaign,
                code=spec.code,
                order=order,
                title=spec.title,
                description=spec.description,
                due_on=spec.due_on,
                region_levels=list(spec.region_levels),
                completion=spec.completion,
            )
            milestone.full_clean()
            milestone.save()
    return campaign


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def campaign_copy(
    *, actor, campaign: Campaign, year: int, title: str = "", make_current: bool = False
) -> Campaign:
    """Next year's campaign: the same milestones with every date moved to ``year``."""
    require_province_admin(actor)
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度的工作已经存在。"})
    years = year - campaign.year
    copy = Campaign(
        year=year,
        title=title.strip() or campaign.title.replace(str(campaign.year), str(year)),
        basis_document=campaign.basis_document,
        starts_on=_shift_year(campaign.starts_on, years),
        copied_from=campaign,
        is_current=False,
    )
    if copy.title == campaign.title:
        copy.title = f"{year}年度 {campaign.title}"
    copy.full_clean()
    copy.save()
    for milestone in campaign.milestones.all():
        new = Milestone(
            campaign=copy,
            code=milestone.code,
            order=milestone.order,
            title=milestone.title,
            description=milestone.description,
            due_on=_shift_year(milestone.due_on, years),
            region_levels=list(milestone.region_levels),
            completion=milestone.completion,
        )
        new.full_clean()
        new.save()
    if make_current:
        campaign_set_current(actor=actor, campaign=copy)
    return copy


@transaction.atomic
def campaign_set_current(*, actor, campaign: Campaign) -> Campaign:
    require_province_admin(actor)
    Campaign.objects.select_for_update().filter(is_current=True).exclude(pk=campaign.pk).update(
        is_current=False
    )
    campaign.is_current = True
    campaign.full_clean()
    campaign.save(update_fields=["is_current"])
    return campaign


@transaction.atomic
def campaign_save(*, actor, campaign: Campaign) -> Campaign:
    require_province_admin(actor)
    if campaign.is_current:
        Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk).update(is_current=False)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def milestone_save(*, actor, milestone: Milestone) -> Milestone:
    require_province_admin(actor)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone) -> None:
    require_province_admin(actor)
    milestone.delete()


@transaction.atomic
def milestone_report(
    *, actor, milestone: Milestone, region: Region, note: str = "", at=None
) -> MilestoneReport:
    """A region reports a milestone done that no catalog status can tell (confirmations, roll-ups)."""
    if not can_report_milestone(actor, milestone, region):
        raise PermissionDenied(f"您无权报送“{region.name}”的“{milestone.title}”。")
    if milestone.completion not in (MilestoneCompletion.CONFIRMED, MilestoneCompletion.ROLLUP):
        raise ValidationError(
            f"“{milestone.title}”以{milestone.get_completion_display()}为完成标志，无需报送。"
        )
    if not milestone.applies_to(region):
        raise ValidationError(
            f"“{milestone.title}”由{milestone.level_labels}完成，"
            f"“{region.name}”是{region.get_level_display()}。"
        )
    if MilestoneReport.objects.filter(milestone=milestone, region=region).exists():
        raise ValidationError(f"“{region.name}”已报送“{milestone.title}”。")
    report = MilestoneReport(
        milestone=milestone,
        region=region,
        reported_by=history_user(actor),
        reported_at=at or timezone.now(),
        note=note.strip(),
    )
    report.full_clean()
    report.save()
    return report


def rollup_submit(
    *, actor, city: Region, campaign: Campaign, note: str = "", at=None
) -> MilestoneReport:
    """The city coordinator reports the city's roll-up (联系人和事项清单) submitted."""
    milestone = campaign.milestones.filter(completion=MilestoneCompletion.ROLLUP).first()
    if milestone is None:
        raise ValidationError(f"“{campaign}”没有汇总报送节点。")
    return milestone_report(actor=actor, milestone=milestone, region=city, note=note, at=at)


# ---------------------------------------------------------------------------
# Catalog moves
# ---------------------------------------------------------------------------

# How each move is offered on a button.
MOVE_LABELS = {
    (S.DRAFTING, S.PUBLISHED): "发布目录",
    (S.RETURNED, S.PUBLISHED): "整改后重新发布",
    (S.REVIEWED, S.PUBLISHED): "发布修改（需重新复核）",
    (S.PUBLISHED, S.REVIEWED): "确认复核完成",
    (S.REVIEWED, S.ENTERED): "确认已录入查询系统（锁定）",
    (S.ENTERED, S.ACCEPTING): "开始验收",
    (S.ACCEPTING, S.ACCEPTED): "通过验收",
    (S.ACCEPTING, S.RETURNED): "退回整改",
    (S.ENTERED, S.RETURNED): "退回整改",
    (S.ACCEPTED, S.RETURNED): "撤销验收并退回整改",
}
# Moves made through their own form (the acceptance decision), not a plain button.
DECISION_MOVES = {(S.ACCEPTING, S.ACCEPTED), (S.ACCEPTING, S.RETURNED)}


def move_label(from_status: str, to_status: str) -> str:
    return MOVE_LABELS.get((from_status, to_status), CatalogStatus(to_status).label)


@transaction.atomic
def catalog_move(
    *,
    actor,
    catalog: Catalog,
    to_status: str,
    note: str = "",
    from_status: str | None = None,
    at=None,
) -> Catalog:
    """One lifecycle move as offered in the workspace; publishing and acceptance take their
    own routes so that a publication or a snapshot is never skipped."""
    if to_status not in CatalogStatus.values:
        raise ValidationError("无效的目标状态。")
    locked = lock_for_move(
        actor=actor, catalog=catalog, to_status=to_status, from_status=from_status
    )
    if to_status == S.RETURNED and not note.strip():
        raise ValidationError({"note": "退回整改须说明理由。"})
    if (locked.status, to_status) in DECISION_MOVES:
        decision = Decision.ACCEPT if to_status == S.ACCEPTED else Decision.RETURN
        acceptance_decide(actor=actor, catalog=locked, decision=decision, note=note, now=at)
    elif to_status == S.PUBLISHED:
        from items.services import catalog_publish

        catalog_publish(actor=actor, catalog=locked, note=note, now=at)
    else:
        catalog_transition(
            actor=actor,
            catalog=locked,
            to_status=to_status,
            note=note.strip() or move_label(locked.status, to_status),
            at=at,
            from_status=locked.status,
        )
    locked.refresh_from_db()
    catalog.status, catalog.status_changed_at = locked.status, locked.status_changed_at
    return locked


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------

# (from, to) -> who may make the move: the region's staff, a provincial reviewer, or the
# checks when they run again.
FINDING_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (F.OPEN, F.ANSWERED): frozenset({"staff"}),
    (F.REOPENED, F.ANSWERED): frozenset({"staff"}),
    (F.OPEN, F.VERIFIED): frozenset({"reviewer"}),
    (F.REOPENED, F.VERIFIED): frozenset({"reviewer"}),
    (F.ANSWERED, F.VERIFIED): frozenset({"reviewer"}),
    (F.ANSWERED, F.REOPENED): frozenset({"reviewer"}),
    (F.VERIFIED, F.REOPENED): frozenset({"reviewer"}),
    (F.RESOLVED, F.REOPENED): frozenset({"reviewer", "checks"}),
    (F.OPEN, F.RESOLVED): frozenset({"checks"}),
    (F.REOPENED, F.RESOLVED): frozenset({"checks"}),
    (F.ANSWERED, F.RESOLVED): frozenset({"checks"}),
}
EVENT_KIND = {
    F.ANSWERED: FindingEventKind.ANSWERED,
    F.VERIFIED: FindingEventKind.VERIFIED,
    F.REOPENED: FindingEventKind.REOPENED,
    F.RESOLVED: FindingEventKind.RESOLVED,
}


def finding_may_move(actor, finding: Finding, to_state: str) -> bool:
    who = FINDING_TRANSITIONS.get((finding.state, to_state), frozenset())
    if "reviewer" in who and is_province_reviewer(actor):
        return True
    return "staff" in who and can_answer_finding(actor, finding)


def finding_allowed_moves(actor, finding: Finding) -> list[str]:
    return [
        to
        for (frm, to) in FINDING_TRANSITIONS
        if frm == finding.state and finding_may_move(actor, finding, to)
    ]


def _checks_move(finding: Finding, to_state: str, actor_user, now, note: str) -> FindingEvent:
    """A move the checks make on a rule finding (in bulk, so the row is saved by the caller),
    held to the same transition table as every other move."""
    if "checks" not in FINDING_TRANSITIONS.get((finding.state, to_state), frozenset()):
        raise ValidationError(
            f"检查不能把问题从{finding.get_state_display()}改为{FindingState(to_state).label}。"
        )
    event = FindingEvent(
        finding=finding,
        kind=EVENT_KIND[to_state],
        actor=actor_user,
        from_state=finding.state,
        to_state=to_state,
        at=now,
        note=note,
    )
    finding.state, finding.state_changed_at = to_state, now
    return event


def _item_label(item: Item) -> str:
    return f"第{item.seq}项 {item.name}"


@transaction.atomic
def finding_create(
    *,
    actor,
    catalog: Catalog,
    severity: str,
    description: str,
    required_fix: str = "",
    item: Item | None = None,
    element: str = "",
    due_on: date | None = None,
    now=None,
) -> Finding:
    """A reviewer's finding, anchored to the catalog and, where it can be, an item and element."""
    require_reviewer(actor)
    now = now or timezone.now()
    errors = {}
    if item is not None and item.catalog_id != catalog.pk:
        errors["item"] = f"第{item.seq}项不属于“{catalog}”。"
    if element and element not in ELEMENT_LABELS:
        errors["element"] = f"无效的要素“{element}”。"
    if element and item is None:
        errors["element"] = "指明要素时须同时选择事项。"
    if due_on is not None and due_on < timezone.localtime(now).date():
        errors["due_on"] = "整改期限不能早于今天。"
    if errors:
        raise ValidationError(errors)
    finding = Finding(
        catalog=catalog,
        item=item,
        item_label=_item_label(item) if item else "",
        element=element or "",
        source=FindingSource.REVIEWER,
        severity=severity,
        description=description.strip(),
        required_fix=required_fix.strip(),
        due_on=due_on,
        state=F.OPEN,
        created_by=history_user(actor),
        created_at=now,
        state_changed_at=now,
    )
    finding.full_clean()
    finding.save()
    FindingEvent.objects.create(
        finding=finding,
        kind=FindingEventKind.CREATED,
        actor=history_user(actor),
        to_state=F.OPEN,
        at=now,
        note=finding.description,
    )
    return finding


def _finding_move(
    *, actor, finding: Finding, to_state: str, note: str, now=None, due_on=None
) -> Finding:
    locked = (
        Finding.objects.select_for_update().select_related("catalog__region").get(pk=finding.pk)
    )
    if (locked.state, to_state) not in FINDING_TRANSITIONS:
        raise ValidationError(
            f"问题当前状态为{locked.get_state_display()}，不能变更为{FindingState(to_state).label}。"
        )
    if not finding_may_move(actor, locked, to_state):
        raise PermissionDenied(
            f"您无权将问题从{locked.get_state_display()}变更为{FindingState(to_state).label}。"
        )
    now = now or timezone.now()
    from_state = locked.state
    locked.state = to_state
    locked.state_changed_at = now
    if due_on is not None:
        locked.due_on = due_on
    locked.full_clean()
    locked.save(update_fields=["state", "state_changed_at", "due_on"])
    FindingEvent.objects.create(
        finding=locked,
        kind=EVENT_KIND[to_state],
        actor=history_user(actor),
        from_state=from_state,
        to_state=to_state,
        at=now,
        note=note.strip(),
    )
    finding.state, finding.state_changed_at, finding.due_on = (
        locked.state,
        locked.state_changed_at,
        locked.due_on,
    )
    return locked


@transaction.atomic
def finding_answer(*, actor, finding: Finding, answer: str, now=None) -> Finding:
    """The region's staff say what they corrected (or why nothing needs to change)."""
    if not answer.strip():
        raise ValidationError({"answer": "请填写整改情况说明。"})
    return _finding_move(actor=actor, finding=finding, to_state=F.ANSWERED, note=answer, now=now)


@transaction.atomic
def finding_verify(*, actor, finding: Finding, note: str = "", now=None) -> Finding:
    """The reviewer accepts the correction and closes the finding."""
    return _finding_move(
        actor=actor, finding=finding, to_state=F.VERIFIED, note=note or "核销", now=now
    )


@transaction.atomic
def finding_reopen(
    *, actor, finding: Finding, note: str, due_on: date | None = None, now=None
) -> Finding:
    """The reviewer sends the finding back: the correction is not enough."""
    if not note.strip():
        raise ValidationError({"note": "重新打开须说明理由。"})
    today = timezone.localtime(now or timezone.now()).date()
    if due_on is not None and due_on < today:
        raise ValidationError({"due_on": "整改期限不能早于今天。"})
    return _finding_move(
        actor=actor, finding=finding, to_state=F.REOPENED, note=note, now=now, due_on=due_on
    )


# ---------------------------------------------------------------------------
# Automated checks
# ---------------------------------------------------------------------------


def fingerprint(result) -> str:
    """A rule result's identity across runs (the checks' own when they give one)."""
    own = getattr(result, "fingerprint", None)
    if own:
        return own
    return f"{result.rule_code}|{result.item_id or ''}|{result.element or ''}"


@dataclass
class CheckOutcome:
    run: CheckRun
    results: list = field(default_factory=list)
    catalogs: list[Catalog] = field(default_factory=list)

    @property
    def by_rule(self) -> Counter:
        return Counter(result.rule_code for result in self.results)

    @property
    def by_severity(self) -> Counter:
        return Counter(result.severity for result in self.results)


def _scope(*, region: Region | None, catalog: Catalog | None):
    if catalog is not None:
        return (
            Catalog.objects.filter(pk=catalog.pk),
            catalog.region,
            f"{catalog.region.full_name} · {catalog.standard.title}",
        )
    if region is None:
        raise ValueError("a check needs a region or a catalog")
    label = region.full_name
    if region.level == RegionLevel.COUNTY:
        label += "（含所辖乡镇、街道）"
    elif region.level in (RegionLevel.CITY, RegionLevel.PROVINCE):
        label += "（全部县级、乡级目录）"
    return Catalog.objects.within(region), region, label


@transaction.atomic
def checks_run(
    *,
    actor,
    region: Region | None = None,
    catalog: Catalog | None = None,
    store: bool = True,
    now=None,
) -> CheckOutcome:
    """Run the rule set on one catalog or every catalog in a region and keep the findings.

    Rule findings are matched on (catalog, rule, item, element): running twice changes
    nothing, a problem that is gone is resolved, and one that comes back is reopened.
    """
    from review import checks

    catalogs, scope_region, label = _scope(region=region, catalog=catalog)
    if not can_run_checks(actor, scope_region):
        raise PermissionDenied(f"您无权检查“{scope_region.name}”的目录。")
    now = now or timezone.now()
    started = _time.perf_counter()
    catalogs = catalogs.select_related("region", "standard", "edition").order_by("region__code")
    catalog_list = list(catalogs)
    # The queryset, not the list: the checks use it as a subquery (no long IN lists).
    results = list(checks.run_checks(catalogs)) if catalog_list else []
    run = CheckRun(
        actor=history_user(actor),
        region=scope_region,
        catalog=catalog,
        scope_label=label,
        started_at=now,
        stored=store,
        catalog_count=len(catalog_list),
        result_count=len(results),
        by_rule=dict(Counter(result.rule_code for result in results)),
    )
    if store:
        counts = _sync_rule_findings(actor=actor, scope=catalogs, results=results, now=now)
        run.created_count, run.updated_count, run.resolved_count, run.reopened_count = counts
    run.seconds = round(_time.perf_counter() - started, 3)
    if store:
        run.full_clean()
        run.save()
    return CheckOutcome(run=run, results=results, catalogs=catalog_list)


def _rule_fix(rule_code: str, element: str | None, titles: dict[str, str]) -> str:
    what = ELEMENT_LABELS.get(element or "", "相关内容")
    title = titles.get(rule_code)
    return (
        f"请按“{title}”的要求修改{what}，修改后重新检查。" if title else f"请修改{what}后重新检查。"
    )


def _sync_rule_findings(*, actor, scope, results, now) -> tuple[int, int, int, int]:
    from review.selectors import rule_titles

    titles = rule_titles()
    grouped: dict[tuple[int, str], list] = defaultdict(list)
    for result in results:
        key = (result.catalog_id, fingerprint(result))
        grouped[key].append(result)
    existing = {
        (finding.catalog_id, finding.fingerprint): finding
        for finding in Finding.objects.filter(
            source=FindingSource.RULE, catalog__in=scope.values("pk")
        ).only("id", "catalog_id", "fingerprint", "state", "description", "severity")
    }
    labels = {}
    if any(key not in existing and group[0].item_id for key, group in grouped.items()):
        for item in Item.objects.filter(catalog__in=scope.values("pk")).only(
            "id", "seq", "level1", "level2"
        ):
            labels[item.pk] = _item_label(item)
    actor_user = history_user(actor)
    created, events, changed = [], [], []
    reopened = resolved = 0
    for key, group in grouped.items():
        first = group[0]
        if len(group) == 1:
            severity, description = first.severity, first.message
        else:
            severity = min((r.severity for r in group), key=SEVERITY_ORDER.__getitem__)
            description = "；".join(dict.fromkeys(r.message for r in group))
        finding = existing.get(key)
        if finding is None:
            created.append(
                Finding(
                    catalog_id=first.catalog_id,
                    item_id=first.item_id,
                    item_label=labels.get(first.item_id, ""),
                    element=first.element or "",
                    source=FindingSource.RULE,
                    rule_code=first.rule_code,
                    fingerprint=key[1],
                    severity=severity,
                    description=description,
                    required_fix=_rule_fix(first.rule_code, first.element, titles),
                    state=F.OPEN,
                    created_by=actor_user,
                    created_at=now,
                    state_changed_at=now,
                )
            )
            continue
        dirty = False
        if finding.description != description or finding.severity != severity:
            finding.description, finding.severity = description, severity
            dirty = True
            if finding.state in UNRESOLVED:
                events.append(
                    FindingEvent(
                        finding=finding,
                        kind=FindingEventKind.UPDATED,
                        actor=actor_user,
                        from_state=finding.state,
                        to_state=finding.state,
                        at=now,
                        note=description,
                    )
                )
        if finding.state == F.RESOLVED:
            events.append(
                _checks_move(finding, F.REOPENED, actor_user, now, "重新检查时再次发现此问题")
            )
            reopened += 1
            dirty = True
        if dirty:
            changed.append(finding)
    for key, finding in existing.items():
        if key not in grouped and finding.state in UNRESOLVED:
            events.append(
                _checks_move(finding, F.RESOLVED, actor_user, now, "重新检查未再发现此问题")
            )
            changed.append(finding)
            resolved += 1
    Finding.objects.bulk_create(created, batch_size=500)
    events += [
        FindingEvent(
            finding=finding,
            kind=FindingEventKind.CREATED,
            actor=actor_user,
            to_state=F.OPEN,
            at=now,
            note="自动检查发现",
        )
        for finding in created
    ]
    Finding.objects.bulk_update(
        changed, ["description", "severity", "state", "state_changed_at"], batch_size=500
    )
    FindingEvent.objects.bulk_create(events, batch_size=1000)
    updated = len(changed) - resolved - reopened
    return len(created), max(updated, 0), resolved, reopened


# ---------------------------------------------------------------------------
# Acceptance
# ---------------------------------------------------------------------------


def _findings_record(catalog: Catalog) -> list[dict]:
    return [
        {
            "id": finding.pk,
            "source": finding.source,
            "rule_code": finding.rule_code,
            "severity": finding.severity,
            "anchor": finding.anchor,
            "description": finding.description,
            "required_fix": finding.required_fix,
            "due_on": finding.due_on.isoformat() if finding.due_on else None,
            "state": finding.state,
        }
        for finding in Finding.objects.filter(catalog=catalog).order_by("pk")
    ]


@transaction.atomic
def acceptance_decide(
    *, actor, catalog: Catalog, decision: str, note: str, now=None
) -> AcceptanceDecision:
    """The province's verdict on a catalog under acceptance: accept it or return it for
    correction. The catalog as judged and its findings are frozen in the decision."""
    require_reviewer(actor)
    locked = (
        Catalog.objects.select_for_update()
        .select_related("region", "standard", "edition")
        .get(pk=catalog.pk)
    )
    if locked.status != S.ACCEPTING:
        raise ValidationError(
            f"“{locked}”当前状态为{locked.get_status_display()}，只有验收中的目录可以作出验收结论。"
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": "请选择通过验收或退回整改。"})
    if not note.strip():
        raise ValidationError({"note": "请填写验收意见。"})
    if decision == Decision.ACCEPT:
        blocking = Finding.objects.filter(
            catalog=locked, state__in=UNRESOLVED, severity=Severity.ERROR
        ).count()
        if blocking:
            raise ValidationError(
                f"“{locked}”还有{blocking}个严重问题未核销，不能通过验收；请核销或退回整改。"
            )
    now = now or timezone.now()
    snapshot = catalog_snapshot(locked)
    record = AcceptanceDecision(
        catalog=locked,
        campaign=Campaign.objects.current(),
        decision=decision,
        decided_by=history_user(actor),
        decided_at=now,
        note=note.strip(),
        item_count=len(snapshot["items"]),
        snapshot=snapshot,
        findings=_findings_record(locked),
    )
    record.full_clean()
    catalog_transition(
        actor=actor,
        catalog=locked,
        to_status=S.ACCEPTED if decision == Decision.ACCEPT else S.RETURNED,
        note=note.strip(),
        at=now,
        from_status=S.ACCEPTING,
    )
    record.save()
    catalog.status, catalog.status_changed_at = locked.status, locked.status_changed_at
    return record
