"""Who may change the 事项库, the links, the complaint channels and the synonyms."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from catalogs.models import Region, Role
from catalogs.permissions import (
    can_edit_region,
    is_active_staff,
    is_province_admin,
    profile_of,
)


def may_import_matters(user) -> bool:
    """The province (every region) or a county (its own region and below)."""
    if is_province_admin(user):
        return True
    profile = profile_of(user)
    return bool(profile and profile.role == Role.COUNTY_EDITOR)


def can_import_matters_of(user, region: Region) -> bool:
    return may_import_matters(user) and can_edit_region(user, region)


def require_import_matters_of(user, region: Region) -> None:
    if not can_import_matters_of(user, region):
        raise PermissionDenied(f"您无权导入或修改“{region.name}”（{region.code}）的政务服务事项。")


def require_edit_channels(user, region: Region) -> None:
    if not can_edit_region(user, region):
        raise PermissionDenied(f"您无权修改“{region.name}”的监督举报方式。")


def require_link(user, region: Region) -> None:
    if not can_edit_region(user, region):
        raise PermissionDenied(f"您无权修改“{region.name}”目录事项的事项库关联。")


def may_edit_synonyms(user) -> bool:
    return is_province_admin(user)


def require_edit_synonyms(user) -> None:
    if not may_edit_synonyms(user):
        raise PermissionDenied("只有省级管理员可以修改搜索同义词。")


def may_read_reports(user) -> bool:
    return is_active_staff(user) and (user.is_superuser or profile_of(user) is not None)
