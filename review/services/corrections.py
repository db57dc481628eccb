"""The correction loop in few steps.

``findings_answer``   a region answers several findings of one catalog at once, editing the
                      items they name through the item service, all or nothing
``catalog_resubmit``  提交复验: publish the corrected catalog, confirm 复核 and 录入 in one
                      transaction (each move through ``catalog_move``, so that every check
                      and event of a single move applies), then run the automated checks
                      over the new publication (what acceptance requires)
``findings_review``   a reviewer verifies or reopens several answered findings at once

Each runs in one transaction: when one finding is refused, nothing is saved, and the error
names the finding (the message dict is keyed by the finding's id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Catalog, CatalogStatus
from catalogs.permissions import can_edit_region
from items.services import catalog_publish, item_update
from review.models import AWAITING_STAFF, Finding, FindingSource, FindingState
from review.permissions import require_reviewer
from review.services.check_runs import checks_run
from review.services.findings import finding_answer, finding_reopen, finding_verify
from review.services.lifecycle import catalog_move

S = CatalogStatus

# States from which a catalog can be resubmitted for acceptance, and the moves it takes.
RESUBMITTABLE = (S.RETURNED, S.PUBLISHED, S.REVIEWED)


@dataclass
class FindingAnswer:
    finding: Finding
    answer: str = ""
    # Item fields to change (empty: the answer alone); ``expected_version`` is the item
    # version the page showed, so that an edit over someone else's change is refused.
    values: dict = field(default_factory=dict)
    expected_version: int | None = None


@dataclass
class FindingVerdict:
    finding: Finding
    verdict: str  # FindingState.VERIFIED or FindingState.REOPENED
    note: str = ""
    due_on: date | None = None


def _messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or "您无权执行此操作。"]


def _each_or_nothing(entries, apply) -> list:
    """Apply ``apply`` to every entry, each in its own savepoint, and collect the refusals;
    any refusal undoes all (the caller's transaction), naming the findings refused."""
    errors: dict[str, list[str]] = {}
    results = []
    for entry in entries:
        try:
            with transaction.atomic():
                results.append(apply(entry))
        except (ValidationError, PermissionDenied) as error:
            errors[str(entry.finding.pk)] = _messages(error)
    if errors:
        raise ValidationError(errors)
    return results


@transaction.atomic
def findings_answer(
    *, actor, catalog: Catalog, answers: list[FindingAnswer], now=None
) -> list[Finding]:
    """Answer several findings of ``catalog`` at once; where an answer carries item values,
    the item is changed first (``item_update``: the same checks as any edit). An edit without
    an answer is answered with what was changed."""
    if not can_edit_region(actor, catalog.region):
        raise PermissionDenied(f"您无权答复“{catalog}”的问题。")
    now = now or timezone.now()

    def apply(entry: FindingAnswer) -> Finding:
        finding = entry.finding
        if finding.catalog_id != catalog.pk:
            raise ValidationError(f"问题#{finding.pk}不属于“{catalog}”。")
        answer = entry.answer.strip()
        if entry.values:
            if finding.item is None:
                raise ValidationError("该问题没有对应的事项，不能修改。")
            before = finding.item.version
            item_update(
                actor=actor,
                item=finding.item,
                expected_version=entry.expected_version,
                reason=f"整改问题#{finding.pk}",
                **entry.values,
            )
            if not answer and finding.item.version != before:
                answer = f"已按整改要求修改{finding.element_label or '该事项'}。"
        if not answer:
            raise ValidationError("请填写整改情况，或直接修改事项内容。")
        return finding_answer(actor=actor, finding=finding, answer=answer, now=now)

    return _each_or_nothing(answers, apply)


def waiting_answers(catalog: Catalog) -> int:
    """The reviewers' findings of ``catalog`` still waiting for the region's answer."""
    return catalog.findings.filter(state__in=AWAITING_STAFF, source=FindingSource.REVIEWER).count()


def resubmit_moves(catalog: Catalog) -> list[str]:
    """The statuses 提交复验 moves ``catalog`` through, in order (empty: not possible)."""
    if catalog.status not in RESUBMITTABLE:
        return []
    moves = []
    if catalog.status == S.RETURNED or catalog.has_unpublished_changes:
        moves.append(S.PUBLISHED)
    if catalog.status != S.REVIEWED or moves:
        moves.append(S.REVIEWED)
    moves.append(S.ENTERED)
    return moves


@transaction.atomic
def catalog_resubmit(
    *, actor, catalog: Catalog, note: str = "", from_status: str | None = None, now=None
) -> Catalog:
    """提交复验: publish what was corrected, confirm 复核 and 录入, in one transaction.

    Refused while a reviewer's finding still waits for an answer (the checks' findings are
    checked again instead: those corrected are resolved). The catalog ends 已录入 and
    locked, in the province's acceptance queue, its new publication checked.
    ``from_status`` is the status the confirmation page showed: a resubmission from a
    stale page is refused.
    """
    locked = (
        Catalog.objects.select_for_update()
        .select_related("region", "standard", "edition")
        .get(pk=catalog.pk)
    )
    if not can_edit_region(actor, locked.region):
        raise PermissionDenied(f"只有{locked.region.name}的编辑人员可以提交复验。")
    if from_status is not None and locked.status != from_status:
        raise ValidationError(
            f"“{locked}”的状态已变更为{locked.get_status_display()}（您看到的是"
            f"{S(from_status).label}），请刷新后重试。"
        )
    moves = resubmit_moves(locked)
    if not moves:
        raise ValidationError(f"“{locked}”当前状态为{locked.get_status_display()}，不能提交复验。")
    waiting = waiting_answers(locked)
    if waiting:
        raise ValidationError(f"还有{waiting}个审核问题未答复，请逐条答复后再提交复验。")
    now = now or timezone.now()
    text = note.strip() or "提交复验"
    for to_status in moves:
        if to_status == S.PUBLISHED:
            # Republishing keeps a catalog already 已发布 in its status (no transition).
            catalog_publish(actor=actor, catalog=locked, note=text, now=now)
        else:
            catalog_move(
                actor=actor,
                catalog=locked,
                to_status=to_status,
                note=text,
                from_status=locked.status,
                at=now,
            )
        locked.refresh_from_db()
    checks_run(actor=actor, catalog=locked, now=now)
    catalog.status, catalog.status_changed_at = locked.status, locked.status_changed_at
    return locked


@transaction.atomic
def findings_review(
    *, actor, catalog: Catalog, verdicts: list[FindingVerdict], now=None
) -> list[Finding]:
    """Verify (核销) or reopen several answered findings of ``catalog`` at once."""
    require_reviewer(actor)
    now = now or timezone.now()

    def apply(entry: FindingVerdict) -> Finding:
        finding = entry.finding
        if finding.catalog_id != catalog.pk:
            raise ValidationError(f"问题#{finding.pk}不属于“{catalog}”。")
        if entry.verdict == FindingState.VERIFIED:
            return finding_verify(actor=actor, finding=finding, note=entry.note, now=now)
        if entry.verdict == FindingState.REOPENED:
            return finding_reopen(
                actor=actor, finding=finding, note=entry.note, due_on=entry.due_on, now=now
            )
        raise ValidationError("请选择核销或重新打开。")

    return _each_or_nothing(verdicts, apply)
