"""The 基层政务公开专栏 registered per region and field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogs.models import Region, RegionLevel, StandardCatalog
from records.models import SpecialColumn
from records.services.common import _url_validator, _user, require_record

# ---------------------------------------------------------------------------
# 专栏
# ---------------------------------------------------------------------------


@transaction.atomic
def special_column_set(
    *, actor, region: Region, standard: StandardCatalog, url: str
) -> SpecialColumn:
    """Register (or change) a region's 基层政务公开专栏 URL for one field."""
    require_record(actor, region)
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        raise ValidationError("只有县级和乡级区划登记基层政务公开专栏。")
    url = (url or "").strip()
    try:
        _url_validator(url)
    except ValidationError:
        raise ValidationError(
            {"url": f"专栏网址“{url}”无效，应以http://或https://开头。"}
        ) from None
    column = SpecialColumn.objects.filter(region=region, standard=standard).first()
    column = column or SpecialColumn(region=region, standard=standard)
    column.url = url
    column.updated_by = _user(actor)
    column.full_clean()
    column.save()
    return column


@transaction.atomic
def special_column_remove(*, actor, column: SpecialColumn) -> None:
    require_record(actor, column.region)
    column.delete()
