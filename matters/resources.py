"""The 实施清单 flat sheet: one 政务服务事项 per row, keyed by 区划代码 and 事项编码.

Imported by the province (every region) or a county editor (the county and the regions
below it) through the admin's flat import (``items.admin.flat``): Chinese headers, a dry
run previewing every row, errors as ``第N行 “列”：原因``, all rows or none.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from import_export.fields import Field

from catalogs.models import Region
from catalogs.permissions import is_active_staff, profile_of
from catalogs.resources import FlatResource, cell_text
from matters.models import ServiceMatter
from matters.permissions import can_import_matters_of, may_import_matters
from matters.services import service_matter_save

HANDLING_SEPARATORS = re.compile(r"[；;\n\r]+")
MAX_HANDLING_ITEMS = 50
KEY_JOINER = "|"


def _verbose(name: str) -> str:
    return str(ServiceMatter._meta.get_field(name).verbose_name)


def split_handling_items(text: str) -> list[str]:
    return [part.strip() for part in HANDLING_SEPARATORS.split(text or "") if part.strip()]


class ServiceMatterResource(FlatResource):
    """区划代码 | 区划名称 | 事项编码 | 事项名称 | 实施主体 | 所属部门 | 办理项 | 网上办理链接 | 来源."""

    region_code = Field(attribute="region_code", column_name="区划代码")
    region_name = Field(attribute="region_name", column_name="区划名称", readonly=True)
    code = Field(attribute="code", column_name=_verbose("code"))
    name = Field(attribute="name", column_name=_verbose("name"))
    implementer = Field(attribute="implementer", column_name=_verbose("implementer"))
    department = Field(attribute="department", column_name=_verbose("department"))
    handling_items = Field(attribute="handling_items", column_name=_verbose("handling_items"))
    online_url = Field(attribute="online_url", column_name=_verbose("online_url"))
    source = Field(attribute="source", column_name=_verbose("source"))

    key = "code"
    title = "政务服务事项实施清单"
    denied_column = "region_code"
    service_columns = {
        "region": "region_code",
        "code": "code",
        "name": "name",
        "implementer": "implementer",
        "department": "department",
        "handling_items": "handling_items",
        "online_url": "online_url",
        "source": "source",
    }
    # Columns a hand-made sheet may leave out.
    optional = (
        "region_name",
        "implementer",
        "department",
        "handling_items",
        "online_url",
        "source",
    )
    help_lines = (
        "每行一个政务服务事项，按“区划代码”和“事项编码”匹配：已有的事项会被更新，其余新增。",
        "省级管理员可以导入全省各地的事项；县级编辑只能导入本县（市、区）及所辖乡镇的事项。",
        "“区划名称”仅供核对；“办理项”有多个时用分号（；）或换行分隔。",
        "“所属部门”填写“民政”的事项会出现在“未关联的民政事项”报告中。",
    )

    class Meta(FlatResource.Meta):
        model = ServiceMatter
        fields = (
            "region_code",
            "region_name",
            "code",
            "name",
            "implementer",
            "department",
            "handling_items",
            "online_url",
            "source",
        )
        import_id_fields = ("code",)
        import_order = fields
        export_order = fields
        name = "政务服务事项实施清单"

    @classmethod
    def may_import(cls, user) -> bool:
        return may_import_matters(user)

    @classmethod
    def may_export(cls, user) -> bool:
        return is_active_staff(user) and (user.is_superuser or profile_of(user) is not None)

    def required_columns(self):
        return [self.column(name) for name in ("region_code", "code", "name")]

    def filter_export(self, queryset, **kwargs):
        return queryset.for_user(self.actor).select_related("region")

    # -- the composite key (区划代码, 事项编码) ------------------------------------

    def _row_key(self, region_code: str, code: str) -> str:
        return f"{region_code}{KEY_JOINER}{code}" if region_code and code else ""

    def before_import(self, dataset, **kwargs):
        count = len(dataset)
        self._sheet_rows = list(getattr(dataset, "flat_sheet_rows", None) or range(2, count + 2))
        region_codes = (
            [cell_text(value) for value in dataset[self.column("region_code")]] if count else []
        )
        codes = [cell_text(value) for value in dataset[self.column("code")]] if count else []
        keys = [self._row_key(r, c) for r, c in zip(region_codes, codes, strict=True)]
        self._first_row_of = {}
        for index, key in enumerate(keys):
            if key:
                self._first_row_of.setdefault(key, self._sheet_rows[index])
        self._regions = {
            region.code: region
            for region in Region.objects.filter(code__in=sorted(set(filter(None, region_codes))))
        }
        self._existing = self.load(sorted(set(filter(None, keys))))

    def load(self, keys):
        pairs = [key.split(KEY_JOINER, 1) for key in keys]
        region_ids = {self._regions[code].pk: code for code, _ in pairs if code in self._regions}
        found = {}
        wanted = {c for _, c in pairs}
        if region_ids and wanted:
            rows = ServiceMatter.objects.filter(
                region_id__in=list(region_ids), code__in=sorted(wanted)
            ).select_related("region")
            for matter in rows:
                found[self._row_key(matter.region.code, matter.code)] = matter
        return found

    def get_or_init_instance(self, instance_loader, row):
        region_code = row.get(self.column("region_code"), "")
        code = row.get(self.column("code"), "")
        if not region_code:
            raise self.refuse("region_code", "请填写“区划代码”。")
        if not code:
            raise self.refuse("code", f"请填写“{self.column('code')}”。")
        key = self._row_key(region_code, code)
        first = self._first_row_of.get(key)
        if first is not None and first != self._sheet_row:
            raise self.refuse("code", f"区划{region_code}的事项编码“{code}”与第{first}行重复。")
        region = self._regions.get(region_code)
        if region is None:
            raise self.refuse("region_code", f"找不到区划代码“{region_code}”。")
        if not can_import_matters_of(self.actor, region):
            raise self.refuse(
                "region_code",
                f"您无权导入“{region.name}”（{region_code}）的事项，只能导入本地区及下辖地区的事项。",
            )
        instance = self._existing.get(key)
        if instance is not None:
            return instance, False
        return ServiceMatter(region=region, code=code), True

    def new_instance(self, key):  # not used: get_or_init_instance builds new rows
        raise NotImplementedError

    # -- texts -------------------------------------------------------------------

    def current_texts(self, matter):
        region = matter.region if matter.region_id else None
        return {
            "region_code": region.code if region else "",
            "region_name": region.name if region else "",
            "code": matter.code or "",
            "name": matter.name or "",
            "implementer": matter.implementer or "",
            "department": matter.department or "",
            "handling_items": "；".join(matter.handling_items or []),
            "online_url": matter.online_url or "",
            "source": matter.source or "",
        }

    def import_instance(self, instance, row, **kwargs):
        # Columns a sheet leaves out keep their stored value.
        for name in self.optional:
            column = self.column(name)
            if column not in row:
                row[column] = self.current_texts(instance)[name] if instance.pk else ""
        super().import_instance(instance, row, **kwargs)

    def parse(self, matter, texts, new, add_error):
        region = matter.region
        for name, text in texts.items():
            if "\x00" in text:
                add_error(name, "含有不可见的控制字符。")
                texts[name] = text.replace("\x00", "")
        if texts["region_name"] and texts["region_name"] != region.name:
            add_error(
                "region_name",
                f"“{texts['region_name']}”与区划代码{region.code}（{region.name}）不符。",
            )
        limits = {"code": 64, "name": 200, "implementer": 200, "department": 100, "source": 200}
        for name, limit in limits.items():
            if len(texts[name]) > limit:
                add_error(name, f"最多{limit}个字符（现为{len(texts[name])}个）。")
        if not re.fullmatch(r"[0-9A-Za-z\-_.]+", texts["code"] or "x"):
            add_error(
                "code", f"“{texts['code']}”不是有效的事项编码（只能包含字母、数字和 - _ .）。"
            )
        if not texts["name"]:
            add_error("name", "请填写事项名称。")
        handling = split_handling_items(texts["handling_items"])
        if len(handling) > MAX_HANDLING_ITEMS:
            add_error(
                "handling_items", f"办理项最多{MAX_HANDLING_ITEMS}个（现为{len(handling)}个）。"
            )
        if any(len(part) > 200 for part in handling):
            add_error("handling_items", "每个办理项最多200个字符。")
        url = texts["online_url"]
        if url:
            if len(url) > 500:
                add_error("online_url", "链接最多500个字符。")
            else:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                except ValidationError:
                    add_error("online_url", f"“{url[:80]}”不是有效的网址（应以 https:// 开头）。")
        canonical = {
            "region_code": region.code,
            "region_name": region.name,
            "code": texts["code"],
            "name": texts["name"],
            "implementer": texts["implementer"],
            "department": texts["department"],
            "handling_items": "；".join(handling),
            "online_url": url,
            "source": texts["source"] or matter.source or "实施清单导入",
        }
        values = {
            "region": region,
            "code": texts["code"],
            "name": texts["name"],
            "implementer": texts["implementer"],
            "department": texts["department"],
            "handling_items": handling,
            "online_url": url,
            "source": canonical["source"],
        }
        return canonical, values

    def write(self, matter, values, changed, new):
        return service_matter_save(actor=self.actor, matter=matter, values=values)
