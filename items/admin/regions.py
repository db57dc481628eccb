"""Regions (read-only but for their contact details), deriving catalogs, staff users.

A region's editors (and the province administrator) change its contact details through
``region_update_contact``, against the version their form showed; the history page shows
every change with old and new values, who and when. The action 编制目录 derives both
standards' catalogs for the chosen counties and townships, or for everything below a
chosen city. Staff accounts and their roles are the province administrator's.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html_join

from catalogs.admin.base import (
    VERSION_FIELD,
    ActionForm,
    AdminModelForm,
    CityFilter,
    ScopedHistoryAdmin,
    VersionedFormMixin,
    VersionField,
    action_step,
    calling_service,
    is_staff_member,
    may_write_catalogs,
    own_changes,
    report_refusal,
)
from catalogs.models import (
    Region,
    RegionLevel,
    StaffProfile,
    StandardCatalog,
)
from catalogs.permissions import is_province_admin
from catalogs.resources import RegionContactResource, StaffAccountResource
from catalogs.services import (
    region_update_contact,
)
from items.admin.flat import FlatSheetAdminMixin
from items.services import catalogs_derive_many
from items.villages import village_catalogs_derive

CONTACT_FIELDS = ("office_name", "contact_name", "contact_phone", "contact_email", "address")


class RegionForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = Region
        fields = CONTACT_FIELDS


class DeriveForm(ActionForm):
    standards = forms.ModelMultipleChoiceField(
        label="标准目录",
        queryset=StandardCatalog.objects.for_counties_and_townships(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "gk-terms"}),
    )
    include_below = forms.BooleanField(
        label="同时为下级县、乡编制",
        required=False,
        initial=True,
        help_text="选中市（州）时，总是为其下所有县（市、区）和乡（镇、街道）编制。",
    )


class RegionCityFilter(CityFilter):
    path_lookup = "path"


@admin.register(Region)
class RegionAdmin(FlatSheetAdminMixin, ScopedHistoryAdmin):
    region_field = ""
    resource_classes = [RegionContactResource]  # 导入/导出 contacts as .xlsx/.csv
    form = RegionForm
    list_display = (
        "code",
        "name",
        "level",
        "parent",
        "office_name",
        "contact_name",
        "contact_phone",
    )
    list_display_links = ("code", "name")
    list_select_related = ("parent",)
    list_filter = ("level", RegionCityFilter, "is_division")
    search_fields = ("name", "code")
    search_help_text = "按区划名称或区划代码搜索"
    list_per_page = 50
    fieldsets = [
        ("区划", {"fields": [("code", "name"), ("level", "parent"), "is_division", "catalogs"]}),
        (
            "民政部门与联系人",
            {
                "fields": [*CONTACT_FIELDS, VERSION_FIELD],
                "description": "本区划负责政务公开工作的部门和联系人，显示在公开页面上。",
            },
        ),
    ]
    readonly_fields = ("code", "name", "level", "parent", "is_division", "catalogs")
    actions = ["derive_catalogs", "derive_village_catalogs"]

    def has_derive_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        # Readers see the contact details without the form's version.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        with calling_service(
            labels={f: str(Region._meta.get_field(f).verbose_name) for f in CONTACT_FIELDS},
            form=form,
        ):
            region_update_contact(
                actor=request.user,
                region=obj,
                expected_version=form.seen_version,
                **own_changes(form, values),
            )

    @admin.display(description="目录")
    def catalogs(self, region):
        # A region the user can see has catalogs the user can see.
        catalogs = region.catalogs.select_related("standard")
        if not catalogs:
            return "尚未编制" if region.catalog_level else "—"
        return format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
                    catalog.standard.field,
                )
                for catalog in catalogs
            ),
        )

    @admin.action(description="编制目录", permissions=["derive"])
    def derive_catalogs(self, request, queryset):
        regions = list(queryset.order_by("code"))
        form = DeriveForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound:
            form = DeriveForm(
                initial={"standards": list(StandardCatalog.objects.for_counties_and_townships())}
            )
        elif form.is_valid():
            self._derive(request, regions, form.cleaned_data)
            return None
        return action_step(
            self,
            request,
            action="derive_catalogs",
            title="编制目录",
            intro="从当前已发布的标准目录版本为所选区划派生本地目录。已有目录的区划会跳过；"
            "派生后请逐项补充公开主体等本地要素。",
            objects=regions,
            form=form,
        )

    def _derive(self, request, regions, data):
        created, skipped = [], {}
        for region in regions:
            recursive = data["include_below"] or region.level in (
                RegionLevel.PROVINCE,
                RegionLevel.CITY,
            )
            try:
                report = catalogs_derive_many(
                    actor=request.user,
                    root=region,
                    standards=data["standards"],
                    recursive=recursive,
                )
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"“{region.name}”未能编制：")
                continue
            created += report.created
            for skipped_region, standard, reason in report.skipped:
                skipped[(skipped_region.pk, standard.pk)] = reason
        if created:
            names = "、".join(catalog.title for catalog in created[:10])
            more = f"等共{len(created)}个" if len(created) > 10 else ""
            messages.success(request, f"已编制{len(created)}个目录：{names}{more}。")
        reasons = {}
        for reason in skipped.values():
            reasons[reason] = reasons.get(reason, 0) + 1
        if reasons:
            detail = "，".join(f"{reason}{count}个" for reason, count in reasons.items())
            messages.warning(request, f"跳过{len(skipped)}个（{detail}）。")
        if not created and not reasons:
            messages.warning(request, "所选区划中没有需要编制目录的县级或乡级区划。")

    @admin.action(description="为所辖村（居）编制村务目录", permissions=["derive"])
    def derive_village_catalogs(self, request, queryset):
        """Village catalogs from the village standard, for the chosen townships (or every
        township of a chosen county); existing ones are kept."""
        created = existing = 0
        for region in queryset.order_by("code"):
            try:
                report = village_catalogs_derive(actor=request.user, root=region)
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"“{region.name}”未能编制：")
                continue
            created += report.created
            existing += report.existing
        if created:
            messages.success(request, f"已为{created}个村（居）民委员会编制目录。")
        if existing:
            messages.info(request, f"{existing}个村（居）民委员会已有目录，未作改动。")
        if not created and not existing:
            messages.warning(request, "所选区划下没有需要编制目录的村（居）民委员会。")


# ---------------------------------------------------------------------------
# Staff users and their roles (province administrator only)
# ---------------------------------------------------------------------------


class StaffProfileForm(AdminModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "region", "office", "phone"]
        help_texts = {
            "region": "省级管理员、省级审核员属于省；市级协调员属于市（州）；"
            "县级编辑属于县（市、区）；乡级编辑属于乡（镇、街道）。",
        }


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    autocomplete_fields = ["region"]
    can_delete = True
    extra = 1
    max_num = 1
    verbose_name = "工作人员角色"
    verbose_name_plural = "工作人员角色"

    def has_view_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(FlatSheetAdminMixin, DjangoUserAdmin):
    """Accounts and roles. Only the province administrator manages them."""

    resource_classes = [StaffAccountResource]  # 导入/导出 accounts in bulk as .xlsx/.csv
    inlines = [StaffProfileInline]
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "region",
        "is_active",
        "last_login",
    )
    list_select_related = ("staff_profile__region",)
    list_filter = ("is_active", "is_staff", "staff_profile__role")
    search_fields = ("username", "first_name", "last_name", "email", "staff_profile__region__name")
    readonly_fields = ("last_login", "date_joined")

    def _manages(self, request) -> bool:
        return is_staff_member(request.user) and is_province_admin(request.user)

    def has_module_permission(self, request):
        return self._manages(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        # Only a superuser may change a superuser (or make one).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._manages(request)

    def has_add_permission(self, request):
        return self._manages(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return False
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._manages(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A province administrator manages roles, not Django's own permission system.
        hidden = {"is_superuser", "groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    @admin.display(description="角色", ordering="staff_profile__role")
    def role(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description="所属区划", ordering="staff_profile__region__code")
    def region(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.region.full_name if profile else "—"
