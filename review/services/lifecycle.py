"""Catalog moves as the workspaces offer them: one service that routes publishing and
acceptance through their own services, so that no publication or snapshot is skipped."""

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogs.lifecycle import catalog_transition, lock_for_move
from catalogs.models import Catalog, CatalogStatus
from items.services import catalog_publish
from review.models import Decision
from review.services.acceptance import acceptance_decide, unpublished_changes_reason

# How each move is offered on a button.
MOVE_LABELS = {
    (CatalogStatus.DRAFTING, CatalogStatus.PUBLISHED): "发布目录",
    (CatalogStatus.RETURNED, CatalogStatus.PUBLISHED): "整改后重新发布",
    (CatalogStatus.REVIEWED, CatalogStatus.PUBLISHED): "发布修改（需重新复核）",
    (CatalogStatus.PUBLISHED, CatalogStatus.REVIEWED): "确认复核完成",
    (CatalogStatus.REVIEWED, CatalogStatus.ENTERED): "确认已录入查询系统（锁定）",
    (CatalogStatus.ENTERED, CatalogStatus.ACCEPTING): "开始验收",
    (CatalogStatus.ACCEPTING, CatalogStatus.ACCEPTED): "通过验收",
    (CatalogStatus.ACCEPTING, CatalogStatus.RETURNED): "退回整改",
    (CatalogStatus.ENTERED, CatalogStatus.RETURNED): "退回整改",
    (CatalogStatus.ACCEPTED, CatalogStatus.RETURNED): "撤销验收并退回整改",
    (CatalogStatus.ACCEPTED, CatalogStatus.PUBLISHED): "发布更新",
}
# Moves made through their own form (the acceptance decision), not a plain button.
DECISION_MOVES = {
    (CatalogStatus.ACCEPTING, CatalogStatus.ACCEPTED),
    (CatalogStatus.ACCEPTING, CatalogStatus.RETURNED),
}


# Moves that judge what citizens see: refused while the draft differs from the publication.
PUBLICATION_MOVES = {
    CatalogStatus.ENTERED: "确认录入查询系统",
    CatalogStatus.ACCEPTING: "开始验收",
}


def move_refusal(catalog: Catalog, to_status: str) -> str | None:
    """Why the move may not be made now although the transition table allows it, or None."""
    action = PUBLICATION_MOVES.get(to_status)
    if action is None:
        return None
    return unpublished_changes_reason(catalog, action)


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
    if to_status == CatalogStatus.RETURNED and not note.strip():
        raise ValidationError({"note": "退回整改须说明理由。"})
    reason = move_refusal(locked, to_status)
    if reason:
        raise ValidationError(reason)
    if (locked.status, to_status) in DECISION_MOVES:
        decision = Decision.ACCEPT if to_status == CatalogStatus.ACCEPTED else Decision.RETURN
        acceptance_decide(actor=actor, catalog=locked, decision=decision, note=note, now=at)
    elif to_status == CatalogStatus.PUBLISHED:
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
