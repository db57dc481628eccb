"""The catalog lifecycle: 编制中 → 已发布 → 已复核 → 已录入 → 验收中 → 已验收, and 退回整改.

States are data: the transition table below says which moves exist and which roles may
make them; ``catalog_transition`` is the only code that assigns ``Catalog.status``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, CatalogStatus, Role
from catalogs.permissions import (
    can_edit_region,
    history_user,
    is_province_admin,
    is_province_reviewer,
    profile_of,
)

S = CatalogStatus

# (from, to) -> who may make the move: "editor" (may edit the region), "coordinator"
# (the region's city coordinator or an editor), "reviewer" (province).
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFTING, S.PUBLISHED): "editor",
    (S.RETURNED, S.PUBLISHED): "editor",
    # Republishing changed content after 复核 sends the catalog back to be reviewed again.
    (S.REVIEWED, S.PUBLISHED): "editor",
    # Publishing items added or removed after 验收 sends the catalog back to be reviewed.
    (S.ACCEPTED, S.PUBLISHED): "editor",
    (S.PUBLISHED, S.REVIEWED): "coordinator",
    (S.REVIEWED, S.ENTERED): "coordinator",
    (S.ENTERED, S.ACCEPTING): "reviewer",
    (S.ACCEPTING, S.ACCEPTED): "reviewer",
    (S.ACCEPTING, S.RETURNED): "reviewer",
    (S.ENTERED, S.RETURNED): "reviewer",
    (S.ACCEPTED, S.RETURNED): "reviewer",
}


def may_move(actor, catalog: Catalog, to_status: str) -> bool:
    who = TRANSITIONS.get((catalog.status, to_status))
    if who is None:
        return False
    if who == "reviewer":
        return is_province_reviewer(actor)
    if can_edit_region(actor, catalog.region):
        return True
    if who == "coordinator":
        profile = profile_of(actor)
        return bool(
            profile
            and profile.role == Role.CITY_COORDINATOR
            and catalog.region.is_within(profile.region)
        ) or is_province_admin(actor)
    return False


def allowed_moves(actor, catalog: Catalog) -> list[str]:
    return [
        to for (frm, to) in TRANSITIONS if frm == catalog.status and may_move(actor, catalog, to)
    ]


def lock_for_move(
    *, actor, catalog: Catalog, to_status: str, from_status: str | None = None
) -> Catalog:
    """Lock the catalog's row and check that ``actor`` may move it to ``to_status`` now.

    Call inside a transaction. ``from_status`` is the status the actor saw when choosing the
    move: a move made from a stale page fails instead of applying to a state changed meanwhile
    (two reviewers accepting and returning at the same moment: only the first succeeds).
    """
    locked = (
        Catalog.objects.select_for_update()
        .select_related("region", "standard", "edition")
        .get(pk=catalog.pk)
    )
    if from_status is not None and locked.status != from_status:
        raise ValidationError(
            f"“{locked}”的状态已变更为{locked.get_status_display()}（您看到的是"
            f"{CatalogStatus(from_status).label}），请刷新后重试。"
        )
    if (locked.status, to_status) not in TRANSITIONS:
        raise ValidationError(
            f"“{locked}”当前状态为{locked.get_status_display()}，"
            f"不能变更为{CatalogStatus(to_status).label}。"
        )
    if not may_move(actor, locked, to_status):
        raise PermissionDenied(
            f"您无权将“{locked}”从{locked.get_status_display()}变更为{CatalogStatus(to_status).label}。"
        )
    return locked


@transaction.atomic
def catalog_transition(
    *,
    actor,
    catalog: Catalog,
    to_status: str,
    note: str = "",
    at=None,
    from_status: str | None = None,
) -> Catalog:
    """Move a catalog to ``to_status``, locking its row so concurrent moves serialise.

    ``from_status`` is the status the actor saw when choosing the move. When given, a move
    made from a stale page fails instead of silently applying to a state changed meanwhile
    (two reviewers accepting and returning at the same moment: only the first succeeds).
    """
    locked = lock_for_move(
        actor=actor, catalog=catalog, to_status=to_status, from_status=from_status
    )
    at = at or timezone.now()
    event = CatalogEvent(
        catalog=locked,
        actor=history_user(actor),
        from_status=locked.status,
        to_status=to_status,
        at=at,
        note=note,
    )
    locked.status = to_status
    locked.status_changed_at = at
    locked._history_user = history_user(actor)
    locked.save(update_fields=["status", "status_changed_at"])
    event.save()
    catalog.status, catalog.status_changed_at = locked.status, locked.status_changed_at
    return locked
