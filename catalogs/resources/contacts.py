"""Region contacts (the region's own editors and the province administrator)."""

from __future__ import annotations

from import_export.fields import Field

from catalogs.models import Region
from catalogs.permissions import (
    EDITOR_ROLES,
    can_edit_region,
    is_active_staff,
    is_province_admin,
    profile_of,
)
from catalogs.resources.base import (
    FlatResource,
    _by_key,
    _check_email,
    _check_length,
)
from catalogs.services import region_update_contact

# ---------------------------------------------------------------------------
# Region contacts (the region's own editors and the province administrator)
# ---------------------------------------------------------------------------

CONTACT_FIELDS = ("office_name", "contact_name", "contact_phone", "contact_email", "address")


def _verbose(name: str) -> str:
    return str(Region._meta.get_field(name).verbose_name)


class RegionContactResource(FlatResource):
    """区划代码 | 区划名称 | the contact fields | 版本.

    区划名称 is for reference and never changed. 版本 is the version the export showed
    (``catalogs.concurrency``): a row based on an older version than the stored one is
    refused with the other person's change, instead of silently undoing it. Without it
    (a sheet typed by hand) the version the preview showed is the one checked.
    """

    code = Field(attribute="code", column_name=_verbose("code"))
    name = Field(attribute="name", column_name="区划名称", readonly=True)
    office_name = Field(attribute="office_name", column_name=_verbose("office_name"))
    contact_name = Field(attribute="contact_name", column_name=_verbose("contact_name"))
    contact_phone = Field(attribute="contact_phone", column_name=_verbose("contact_phone"))
    contact_email = Field(attribute="contact_email", column_name=_verbose("contact_email"))
    address = Field(attribute="address", column_name=_verbose("address"))
    version = Field(attribute="version", column_name="版本", readonly=True)

    key = "code"
    title = "区划联系信息"
    denied_column = "code"
    service_columns = {name: name for name in CONTACT_FIELDS}
    help_lines = (
        "每行一个区划，按“区划代码”匹配；只能修改您有权编辑的区划，不能新增区划。",
        "“区划名称”仅供核对，导入时不会修改；填写时须与区划代码一致。",
        "留空的单元格会清空对应的联系信息。",
        "“版本”是导出时的版本号，用来发现他人在此期间对同一区划的修改，请勿改动；"
        "手工新增的行可以不填。",
    )

    class Meta(FlatResource.Meta):
        model = Region
        fields = ("code", "name", *CONTACT_FIELDS, "version")
        import_id_fields = ("code",)
        import_order = fields
        export_order = fields
        name = "区划联系信息"

    @classmethod
    def may_import(cls, user) -> bool:
        if is_province_admin(user):
            return True
        profile = profile_of(user)
        return bool(profile and profile.role in EDITOR_ROLES)

    @classmethod
    def may_export(cls, user) -> bool:
        return is_active_staff(user) and (user.is_superuser or profile_of(user) is not None)

    def filter_export(self, queryset, **kwargs):
        return queryset.for_user(self.actor)

    def load(self, keys):
        return _by_key(Region.objects.all(), "code", keys)

    def new_instance(self, key):
        raise self.refuse("code", f"找不到区划代码“{key}”；导入只修改已有区划的联系信息。")

    def current_texts(self, region):
        return {
            "code": region.code,
            "name": region.name,
            **{name: getattr(region, name) or "" for name in CONTACT_FIELDS},
            "version": str(region.version),
        }

    def parse(self, region, texts, new, add_error):
        if not can_edit_region(self.actor, region):
            add_error("code", f"您无权修改“{region.name}”（{region.code}）的联系信息。")
        if texts["name"] and texts["name"] != region.name:
            add_error("name", f"“{texts['name']}”与区划代码{region.code}（{region.name}）不符。")
        for name in CONTACT_FIELDS:
            _check_length(add_error, name, texts[name], Region._meta.get_field(name).max_length)
        _check_email(add_error, "contact_email", texts["contact_email"])
        seen = texts["version"]
        if seen and not seen.isdigit():
            add_error("version", f"应为导出时的版本号（整数）或留空，而不是“{seen}”。")
        canonical = {name: texts[name] for name in CONTACT_FIELDS}
        expected = int(seen) if seen.isdigit() else region.version
        return canonical, {**canonical, "expected_version": expected}

    def write(self, region, values, changed, new):
        return region_update_contact(
            actor=self.actor,
            region=region,
            expected_version=values["expected_version"],
            **{name: values[name] for name in changed},
        )
