"""Staff accounts in bulk (province administrator only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from import_export.fields import Field

from catalogs.models import ROLE_REGION_LEVEL, Region, RegionLevel, Role, StaffProfile
from catalogs.permissions import (
    is_province_admin,
)
from catalogs.resources.base import (
    FlatResource,
    _by_key,
    _check_email,
    _check_length,
)
from catalogs.resources.formats import (
    _NO_WORDS,
    _YES_WORDS,
    NO,
    YES,
    cell_text,
)
from catalogs.staff import staff_account_create, staff_account_update

# ---------------------------------------------------------------------------
# Staff accounts (province administrator only)
# ---------------------------------------------------------------------------

ROLE_BY_TEXT = {
    **{str(role.label): role for role in Role},
    **{role.value: role for role in Role},
}


class StaffAccountResource(FlatResource):
    """用户名 | 姓名 | 电子邮箱 | 角色 | 区划代码 | 停用 — no password column, ever."""

    username = Field(attribute="username", column_name="用户名")
    full_name = Field(column_name="姓名")
    email = Field(attribute="email", column_name="电子邮箱")
    role = Field(column_name="角色")
    region_code = Field(column_name="区划代码")
    disabled = Field(column_name="停用")

    key = "username"
    title = "工作人员账号"
    service_columns = {
        "username": "username",
        "first_name": "full_name",
        "last_name": "full_name",
        "email": "email",
        "role": "role",
        "region": "region_code",
        "is_active": "disabled",
    }
    help_lines = (
        "每行一个工作人员账号，按“用户名”匹配：已有的账号按表格修改，没有的新建。",
        f"“角色”填写：{'、'.join(str(role.label) for role in Role)}。",
        "“区划代码”填写统计用区划代码，如 22（吉林省）、2201（长春市）、220122（农安县）；"
        "须与角色的层级一致。",
        "“停用”填写“是”或“否”（空白视为“否”）。",
        "表格中没有密码：新账号没有可用的密码，导入后请在该账号页面“设置密码”，"
        "把初始密码告知本人，由本人登录后修改。",
    )

    class Meta(FlatResource.Meta):
        model = get_user_model()
        fields = ("username", "full_name", "email", "role", "region_code", "disabled")
        import_id_fields = ("username",)
        import_order = fields
        export_order = fields
        name = "工作人员账号"

    @classmethod
    def may_import(cls, user) -> bool:
        return is_province_admin(user)

    @classmethod
    def may_export(cls, user) -> bool:
        return is_province_admin(user)

    def get_queryset(self):
        return get_user_model().objects.select_related("staff_profile__region")

    def filter_export(self, queryset, **kwargs):
        if not self.may_export(self.actor):
            return queryset.none()
        return queryset.filter(staff_profile__isnull=False).select_related("staff_profile__region")

    def load(self, keys):
        return _by_key(self.get_queryset(), "username", keys)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        codes = [cell_text(value) for value in dataset[self.column("region_code")]]
        self._regions = _by_key(Region.objects.all(), "code", codes)

    def new_instance(self, key):
        return get_user_model()(username=key)

    @staticmethod
    def _profile(user):
        if user.pk is None:
            return None
        try:
            return user.staff_profile
        except StaffProfile.DoesNotExist:
            return None

    def current_texts(self, user):
        profile = self._profile(user)
        return {
            "username": user.username,
            "full_name": user.get_full_name(),
            "email": user.email,
            "role": str(profile.get_role_display()) if profile else "",
            "region_code": profile.region.code if profile else "",
            "disabled": NO if user.pk is None or (user.is_active and user.is_staff) else YES,
        }

    def parse(self, user, texts, new, add_error):
        username = texts["username"]
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            add_error("username", "只能包含字母、数字和 @ . + - _ 字符。")
        _check_length(add_error, "username", username, 150)
        _check_length(add_error, "full_name", texts["full_name"], 150)
        _check_email(add_error, "email", texts["email"])
        _check_length(add_error, "email", texts["email"], 254)

        role = ROLE_BY_TEXT.get(texts["role"])
        if not texts["role"]:
            add_error("role", "请填写“角色”。")
        elif role is None:
            add_error(
                "role",
                f"未知的角色“{texts['role']}”，可选：{'、'.join(str(r.label) for r in Role)}。",
            )
        code = texts["region_code"]
        region = self._regions.get(code)
        if not code:
            add_error("region_code", "请填写“区划代码”。")
        elif region is None:
            add_error("region_code", f"找不到区划代码“{code}”。")
        elif role is not None and region.level != ROLE_REGION_LEVEL[role]:
            add_error(
                "region_code",
                f"{role.label}只能属于{RegionLevel(ROLE_REGION_LEVEL[role]).label}区划，"
                f"而“{region.name}”（{region.code}）是{region.get_level_display()}区划。",
            )
        disabled = texts["disabled"].lower()
        if disabled not in _YES_WORDS | _NO_WORDS:
            add_error("disabled", f"请填写“是”或“否”，而不是“{texts['disabled']}”。")
        is_disabled = disabled in _YES_WORDS

        canonical = {
            "username": username,
            "full_name": texts["full_name"],
            "email": texts["email"],
            "role": str(role.label) if role else texts["role"],
            "region_code": code,
            "disabled": YES if is_disabled else NO,
        }
        values = {
            "full_name": texts["full_name"],
            "email": texts["email"],
            "role": role,
            "region": region,
            "is_active": not is_disabled,
        }
        return canonical, values

    def write(self, user, values, changed, new):
        if new:
            return staff_account_create(
                actor=self.actor,
                username=user.username,
                role=values["role"],
                region=values["region"],
                full_name=values["full_name"],
                email=values["email"],
                is_active=values["is_active"],
            )
        arguments = {
            "full_name": "full_name",
            "email": "email",
            "role": "role",
            "region_code": "region",
            "disabled": "is_active",
        }
        return staff_account_update(
            actor=self.actor,
            user=user,
            **{arguments[name]: values[arguments[name]] for name in changed if name in arguments},
        )
