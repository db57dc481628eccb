"""Catalogs and standard editions exported as the official table."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalogs.excel import write_catalog_workbook
from catalogs.models import (
    Catalog,
    StandardEdition,
)


def catalog_export_filename(catalog: Catalog) -> str:
    name = f"{catalog.region.name}-{catalog.standard.field}-公开事项目录.xlsx"
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)


def catalog_export_workbook(catalog: Catalog, *, published: bool = False, now=None) -> bytes:
    """The catalog's draft (or its current publication) as the official table."""
    region = catalog.region
    now = timezone.localtime(now or timezone.now())
    office = region.office_name or region.full_name
    if published:
        publication = catalog.publications.filter(is_current=True).first()
        if publication is None:
            raise ValidationError(f"“{catalog}”尚未发布，没有可导出的公开版本。")
        items = publication.items.order_by("seq", "pk")
        state = f"第{publication.number}次公开（{timezone.localtime(publication.published_at):%Y-%m-%d}）"
    else:
        items = catalog.items.prefetch_related("extra_elements").order_by("seq", "pk")
        state = f"草稿（{catalog.get_status_display()}）"
    subtitle = f"编制单位：{office}　　版本：{state}　　导出时间：{now:%Y-%m-%d %H:%M}"
    return write_catalog_workbook(title=catalog.title, items=items, subtitle=subtitle)


def edition_export_workbook(edition: StandardEdition) -> bytes:
    return write_catalog_workbook(
        title=edition.standard.title,
        items=edition.items.order_by("seq"),
        subtitle=f"{edition.title}（{edition.get_status_display()}）",
    )


def edition_export_filename(edition: StandardEdition) -> str:
    return f"{edition.standard.field}-标准目录-第{edition.version}版.xlsx"
