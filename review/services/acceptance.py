"""Acceptance (验收): the province's verdict on a catalog, with the catalog as judged and
its findings frozen in the decision.

What is judged is what citizens see: the current publication. A catalog is accepted only
with no unpublished changes and after a check run over its latest publication.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.lifecycle import catalog_transition
from catalogs.models import Catalog, CatalogStatus
from catalogs.permissions import history_user
from review.models import (
    UNRESOLVED,
    AcceptanceDecision,
    Campaign,
    CheckRun,
    Decision,
    Finding,
    FindingState,
    Severity,
)
from review.permissions import require_reviewer
from review.selectors import catalog_snapshot


def unpublished_changes_reason(catalog: Catalog, action: str) -> str | None:
    """Why ``action`` must wait while the draft differs from what citizens see, or None."""
    if catalog.last_published_at is None:
        return f"“{catalog}”尚未发布，不能{action}：{action}以公开版本为准。"
    if catalog.has_unpublished_changes:
        return (
            f"“{catalog}”有尚未发布的修改，不能{action}：{action}以群众看到的公开版本为准，"
            # No "undo" exists: a draft edited back to the published text is still a change.
            "请先发布修改后再办理（把内容改回原样也须重新发布）。"
        )
    return None


def latest_check_after_publication(catalog: Catalog) -> CheckRun | None:
    """The latest stored check run over the catalog's latest publication, if any."""
    if catalog.last_published_at is None:
        return None
    return (
        CheckRun.objects.covering(catalog)
        .filter(started_at__gte=catalog.last_published_at)
        .order_by("-started_at", "-pk")
        .first()
    )


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
        # Advice (提示) is no problem of the catalog: it is not listed with the verdict.
        for finding in Finding.objects.filter(catalog=catalog)
        .exclude(state=FindingState.ADVISORY)
        .order_by("pk")
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
    if locked.status != CatalogStatus.ACCEPTING:
        raise ValidationError(
            f"“{locked}”当前状态为{locked.get_status_display()}，只有验收中的目录可以作出验收结论。"
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": "请选择通过验收或退回整改。"})
    if not note.strip():
        raise ValidationError({"note": "请填写验收意见。"})
    if decision == Decision.ACCEPT:
        reason = unpublished_changes_reason(locked, "通过验收")
        if reason:
            raise ValidationError(reason)
        if latest_check_after_publication(locked) is None:
            published = timezone.localtime(locked.last_published_at)
            raise ValidationError(
                f"“{locked}”最近一次发布（{published:%Y-%m-%d %H:%M}）后还没有运行自动检查，"
                "不能通过验收；请先运行检查，核对检查结果后再作出验收结论。"
            )
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
        to_status=CatalogStatus.ACCEPTED if decision == Decision.ACCEPT else CatalogStatus.RETURNED,
        note=note.strip(),
        at=now,
        from_status=CatalogStatus.ACCEPTING,
    )
    record.save()
    catalog.status, catalog.status_changed_at = locked.status, locked.status_changed_at
    return record
