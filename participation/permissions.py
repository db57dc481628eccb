"""Who may see and change participation catalogs and consultations.

A county keeps its own participation catalog: the county's editors (and the province
administrator) write; townships, cities and the province's reviewers read what their
region covers (``catalogs.permissions``); another region's data is not found.
"""

from django.core.exceptions import PermissionDenied

from catalogs.models import Region, RegionLevel
from catalogs.permissions import can_edit_region, can_view_region

# Which regions keep a participation catalog (issue 14: 每个县 keeps one).
CATALOG_LEVELS = (RegionLevel.COUNTY,)


def can_edit_participation(user, region: Region) -> bool:
    return region.level in CATALOG_LEVELS and can_edit_region(user, region)


def require_edit_participation(user, region: Region) -> None:
    if region.level not in CATALOG_LEVELS:
        raise PermissionDenied(f"公众参与事项目录由县（市、区）编制，“{region.name}”不编制。")
    if not can_edit_region(user, region):
        raise PermissionDenied(f"您无权修改“{region.name}”的公众参与事项目录和意见征集。")


def can_view_participation(user, region: Region) -> bool:
    return can_view_region(user, region)
