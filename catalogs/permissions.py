"""Who may see and change which region's data: the one place region scoping lives.

Every queryset method ``for_user``/``editable_by``, every service and every admin class
asks these functions. A staff member sees her own region and everything below it; the
province's roles see everything. Only editors (and the province administrator) write.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from catalogs.models import Region, Role, StaffProfile

NOTHING = Q(pk__in=[])

READ_EVERYTHING = {Role.PROVINCE_ADMIN, Role.PROVINCE_REVIEWER}
EDITOR_ROLES = {Role.COUNTY_EDITOR, Role.TOWNSHIP_EDITOR}


def is_active_staff(user) -> bool:
    """Only active staff accounts act: taking away 'staff status' takes away every right."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


def profile_of(user) -> StaffProfile | None:
    """The user's staff profile, cached on the user object for the request."""
    if not is_active_staff(user):
        return None
    if not hasattr(user, "_staff_profile_cache"):
        user._staff_profile_cache = (
            StaffProfile.objects.select_related("region").filter(user=user).first()
        )
    return user._staff_profile_cache


def role_of(user) -> str | None:
    profile = profile_of(user)
    return profile.role if profile else None


def is_province_admin(user) -> bool:
    return is_active_staff(user) and (user.is_superuser or role_of(user) == Role.PROVINCE_ADMIN)


def is_province_reviewer(user) -> bool:
    return is_province_admin(user) or role_of(user) == Role.PROVINCE_REVIEWER


def _path_filter(region: Region, prefix: str) -> Q:
    return Q(**{f"{prefix}path__startswith": region.path})


def visible_region_filter(user, *, prefix: str = "region__") -> Q:
    """A Q on ``<prefix>path`` that keeps the regions the user may read."""
    if not is_active_staff(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    profile = profile_of(user)
    if profile is None:
        return NOTHING
    if profile.role in READ_EVERYTHING:
        return Q()
    return _path_filter(profile.region, prefix)


def editable_region_filter(user, *, prefix: str = "region__") -> Q:
    """A Q on ``<prefix>path`` that keeps the regions whose catalogs the user may change."""
    if not is_active_staff(user):
        return NOTHING
    if is_province_admin(user):
        return Q()
    profile = profile_of(user)
    if profile is None or profile.role not in EDITOR_ROLES:
        return NOTHING
    return _path_filter(profile.region, prefix)


def can_view_region(user, region: Region) -> bool:
    return (
        Region.objects.filter(pk=region.pk).filter(visible_region_filter(user, prefix="")).exists()
    )


def can_edit_region(user, region: Region) -> bool:
    if is_province_admin(user):
        return True
    profile = profile_of(user)
    return bool(profile and profile.role in EDITOR_ROLES and region.is_within(profile.region))


def require_edit_region(user, region: Region) -> None:
    if not can_edit_region(user, region):
        raise PermissionDenied(f"您无权修改“{region.name}”的目录。")


def require_province_admin(user) -> None:
    if not is_province_admin(user):
        raise PermissionDenied("只有省级管理员可以执行此操作。")


class SystemActor:
    """The actor of set-up and batch commands run by an operator on the server."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    pk = None
    id = None
    username = "system"
    _staff_profile_cache = None

    def __str__(self):
        return "系统"


SYSTEM = SystemActor()


def history_user(actor):
    """The user to record in history rows (None for the system actor)."""
    return actor if getattr(actor, "pk", None) else None
