"""Findings (问题) and their corrections: the transition table and one service per move."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.concurrency import EditConflict, Editor, FieldChange, user_label
from catalogs.models import Catalog
from catalogs.permissions import history_user, is_province_reviewer
from catalogs.vocabulary import ELEMENT_LABELS
from items.models import Item
from review.models import Finding, FindingEvent, FindingEventKind, FindingSource, FindingState
from review.permissions import can_answer_finding, require_reviewer
from review.selectors.item_diffs import item_snapshot

# (from, to) -> who may make the move: the region's staff, a provincial reviewer, or the
# checks when they run again.
FINDING_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (FindingState.OPEN, FindingState.ANSWERED): frozenset({"staff"}),
    (FindingState.REOPENED, FindingState.ANSWERED): frozenset({"staff"}),
    (FindingState.OPEN, FindingState.VERIFIED): frozenset({"reviewer"}),
    (FindingState.REOPENED, FindingState.VERIFIED): frozenset({"reviewer"}),
    (FindingState.ANSWERED, FindingState.VERIFIED): frozenset({"reviewer"}),
    (FindingState.ANSWERED, FindingState.REOPENED): frozenset({"reviewer"}),
    (FindingState.VERIFIED, FindingState.REOPENED): frozenset({"reviewer"}),
    (FindingState.RESOLVED, FindingState.REOPENED): frozenset({"reviewer", "checks"}),
    (FindingState.OPEN, FindingState.RESOLVED): frozenset({"checks"}),
    (FindingState.REOPENED, FindingState.RESOLVED): frozenset({"checks"}),
    (FindingState.ANSWERED, FindingState.RESOLVED): frozenset({"checks"}),
    # 提示 (info) results are advice: the checks file them as such, and move a finding in
    # or out of advice when the province changes the rule's severity.
    (FindingState.ADVISORY, FindingState.RESOLVED): frozenset({"checks"}),
    (FindingState.RESOLVED, FindingState.ADVISORY): frozenset({"checks"}),
    (FindingState.ADVISORY, FindingState.OPEN): frozenset({"checks"}),
    (FindingState.OPEN, FindingState.ADVISORY): frozenset({"checks"}),
    (FindingState.REOPENED, FindingState.ADVISORY): frozenset({"checks"}),
    (FindingState.ANSWERED, FindingState.ADVISORY): frozenset({"checks"}),
}
EVENT_KIND = {
    FindingState.ANSWERED: FindingEventKind.ANSWERED,
    FindingState.VERIFIED: FindingEventKind.VERIFIED,
    FindingState.REOPENED: FindingEventKind.REOPENED,
    FindingState.RESOLVED: FindingEventKind.RESOLVED,
    FindingState.ADVISORY: FindingEventKind.UPDATED,
    FindingState.OPEN: FindingEventKind.UPDATED,
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


def checks_move(finding: Finding, to_state: str, actor_user, now, note: str) -> FindingEvent:
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


def item_label(item: Item) -> str:
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
        item_label=item_label(item) if item else "",
        item_snapshot=item_snapshot(item) if item else {},
        element=element or "",
        source=FindingSource.REVIEWER,
        severity=severity,
        description=description.strip(),
        required_fix=required_fix.strip(),
        due_on=due_on,
        state=FindingState.OPEN,
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
        to_state=FindingState.OPEN,
        at=now,
        note=finding.description,
    )
    return finding


def latest_event_id(finding: Finding) -> int | None:
    """The finding's version as its pages send it back: the id of its newest event."""
    return (
        FindingEvent.objects.filter(finding_id=finding.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def _require_seen_event(finding: Finding, seen_event: int | None) -> None:
    """Refuse a move made from a page that did not show the finding's newest event."""
    if seen_event is None:
        return
    later = list(
        FindingEvent.objects.filter(finding_id=finding.pk, pk__gt=seen_event)
        .select_related("actor")
        .order_by("pk")
    )
    if not later:
        return
    first, last = later[0], later[-1]
    seen_state = FindingState(first.from_state).label if first.from_state else ""
    changes = [FieldChange("state", "状态", seen_state, FindingState(last.to_state).label)]
    if last.note:
        changes.append(FieldChange("note", "说明", "", last.note))
    raise EditConflict(
        subject=f"问题#{finding.pk}",
        seen_version=None,
        current_version=None,
        changes=changes,
        editors=[Editor(user_label(event.actor), event.at) for event in later],
    )


def _finding_move(
    *,
    actor,
    finding: Finding,
    to_state: str,
    note: str,
    now=None,
    due_on=None,
    seen_event: int | None = None,
) -> Finding:
    locked = (
        Finding.objects.select_for_update().select_related("catalog__region").get(pk=finding.pk)
    )
    # Under the row lock: a page that did not show the newest event (someone answered,
    # verified or reopened since) is refused, with that person's move shown.
    _require_seen_event(locked, seen_event)
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
def finding_answer(
    *, actor, finding: Finding, answer: str, now=None, seen_event: int | None = None
) -> Finding:
    """The region's staff say what they corrected (or why nothing needs to change).

    ``seen_event`` (every move takes it): the newest event the page showed
    (``latest_event_id``); a move from a page that missed a later one is refused.
    """
    if not answer.strip():
        raise ValidationError({"answer": "请填写整改情况说明。"})
    return _finding_move(
        actor=actor,
        finding=finding,
        to_state=FindingState.ANSWERED,
        note=answer,
        now=now,
        seen_event=seen_event,
    )


@transaction.atomic
def finding_verify(
    *, actor, finding: Finding, note: str = "", now=None, seen_event: int | None = None
) -> Finding:
    """The reviewer accepts the correction and closes the finding."""
    return _finding_move(
        actor=actor,
        finding=finding,
        to_state=FindingState.VERIFIED,
        note=note or "核销",
        now=now,
        seen_event=seen_event,
    )


@transaction.atomic
def finding_reopen(
    *,
    actor,
    finding: Finding,
    note: str,
    due_on: date | None = None,
    now=None,
    seen_event: int | None = None,
) -> Finding:
    """The reviewer sends the finding back: the correction is not enough."""
    if not note.strip():
        raise ValidationError({"note": "重新打开须说明理由。"})
    today = timezone.localtime(now or timezone.now()).date()
    if due_on is not None and due_on < today:
        raise ValidationError({"due_on": "整改期限不能早于今天。"})
    return _finding_move(
        actor=actor,
        finding=finding,
        to_state=FindingState.REOPENED,
        note=note,
        now=now,
        due_on=due_on,
        seen_event=seen_event,
    )
