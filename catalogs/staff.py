"""Writes to staff accounts and their roles. Every function checks its actor first.

Staff accounts are the province administrator's. They are created without a usable
password: the administrator sets a first one on the account's admin page (设置密码), or the
person through a password reset once the portal offers one; no import file ever carries a
password.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalogs.models import Region, StaffProfile
from catalogs.permissions import require_province_admin


def _require_may_change(actor, user) -> None:
    # Only a superuser may change a superuser (the admin's rule, kept here for every caller).
    if user.is_superuser and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(f"只有系统管理员可以修改系统管理员账号“{user.username}”。")


@transaction.atomic
def staff_account_create(
    *,
    actor,
    username: str,
    role: str,
    region: Region,
    full_name: str = "",
    email: str = "",
    is_active: bool = True,
):
    """A new staff account with one role in one region, and no usable password."""
    require_province_admin(actor)
    user = get_user_model()(
        username=username,
        first_name=full_name,
        last_name="",
        email=email,
        is_staff=True,
        is_active=is_active,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = StaffProfile(user=user, role=role, region=region)
    profile.full_clean()
    profile.save()
    return user


@transaction.atomic
def staff_account_update(
    *,
    actor,
    user,
    full_name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    region: Region | None = None,
    is_active: bool | None = None,
):
    """Change a staff account's name, e-mail, role, region or whether it is disabled.

    Arguments left as ``None`` stay as they are. An account that is re-enabled is
    given staff status again, since a disabled account is one that cannot act.
    Administrators cannot disable themselves or change their own role or region.
    """
    require_province_admin(actor)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    _require_may_change(actor, user)
    profile = StaffProfile.objects.filter(user=user).first()
    if user.pk == getattr(actor, "pk", None):
        if is_active is False:
            raise ValidationError({"is_active": "不能停用自己的账号。"})
        if (role is not None and (profile is None or role != profile.role)) or (
            region is not None and (profile is None or region.pk != profile.region_id)
        ):
            raise ValidationError({"role": "不能修改自己的角色或所属区划。"})
    if full_name is not None:
        user.first_name, user.last_name = full_name, ""
    if email is not None:
        user.email = email
    if is_active is not None:
        user.is_active = is_active
        if is_active:
            user.is_staff = True
    user.full_clean()
    user.save()
    if role is not None or region is not None:
        if profile is None:
            if role is None or region is None:
                raise ValidationError({"role": "该账号尚无角色，请同时填写角色和所属区划。"})
            profile = StaffProfile(user=user)
        if role is not None:
            profile.role = role
        if region is not None:
            profile.region = region
        profile.full_clean()
        profile.save()
    # Permission checks cache the profile on the user object; this one is now stale.
    user.__dict__.pop("_staff_profile_cache", None)
    return user
