"""Who may do what in review and acceptance; region scoping itself stays in catalogs.permissions."""

from django.core.exceptions import PermissionDenied

from catalogs.models import Region, RegionLevel, Role
from catalogs.permissions import (
    can_edit_region,
    can_view_region,
    is_province_admin,
    is_province_reviewer,
    profile_of,
)


class Workspace:
    REVIEWER = "reviewer"
    COORDINATOR = "coordinator"
    EDITOR = "editor"


def workspace_of(user) -> str | None:
    """Which workspace a user lands in, by role."""
    if is_province_reviewer(user):
        return Workspace.REVIEWER
    profile = profile_of(user)
    if profile is None:
        return None
    if profile.role == Role.CITY_COORDINATOR:
        return Workspace.COORDINATOR
    if profile.role in (Role.COUNTY_EDITOR, Role.TOWNSHIP_EDITOR):
        return Workspace.EDITOR
    return None


def require_reviewer(user) -> None:
    if not is_province_reviewer(user):
        raise PermissionDenied("只有省级审核人员可以执行此操作。")


def can_answer_finding(user, finding) -> bool:
    return can_edit_region(user, finding.catalog.region)


def can_run_checks(user, region: Region) -> bool:
    return can_view_region(user, region)


def can_report_milestone(user, milestone, region: Region) -> bool:
    """Who reports a region's milestone done: the region's own staff (its city's for cities)."""
    if is_province_admin(user):
        return True
    if region.level in (RegionLevel.PROVINCE,):
        return False
    if region.level == RegionLevel.CITY:
        profile = profile_of(user)
        return bool(
            profile and profile.role == Role.CITY_COORDINATOR and profile.region_id == region.pk
        )
    return can_edit_region(user, region)
