"""基层政务公开专栏: each county's or township's 专栏 URL per field."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html

from catalogs.admin.base import (
    AdminModelForm,
    RegionScopedAdmin,
    calling_service,
    is_staff_member,
    may_write_catalogs,
)
from catalogs.models import Region, RegionLevel, StandardCatalog
from catalogs.permissions import editable_region_filter
from records.admin.common import LABELS, _raise_as_permission
from records.models import SpecialColumn
from records.services import special_column_remove, special_column_set

# ---------------------------------------------------------------------------
# 基层政务公开专栏
# ---------------------------------------------------------------------------


class SpecialColumnForm(AdminModelForm):
    url = forms.URLField(label="专栏网址", max_length=500, assume_scheme="https")

    class Meta:
        model = SpecialColumn
        fields = ["region", "standard", "url"]

    def validate_unique(self):
        """The service keeps one 专栏 per region and field."""


@admin.register(SpecialColumn)
class SpecialColumnAdmin(RegionScopedAdmin):
    form = SpecialColumnForm
    list_display = ("region", "standard", "url_link", "last_check", "updated_by", "updated_at")
    list_select_related = ("region", "standard", "updated_by")
    list_filter = ("standard",)
    search_fields = ("region__name", "region__code", "url")

    @admin.display(description="专栏网址")
    def url_link(self, column):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', column.url, column.url
        )

    @admin.display(description="最近检查")
    def last_check(self, column):
        check = column.checks.order_by("-checked_at", "-pk").first()
        if check is None:
            return "尚未检查"
        when = timezone.localtime(check.checked_at).strftime("%Y-%m-%d")
        if not check.ok:
            return f"{when} {'已失效' if check.broken else '访问失败'}（{check.error}）"
        if check.links_to_catalog is False:
            return f"{when} 可访问，但未链接到本平台的目录页面"
        return f"{when} 正常"

    def get_readonly_fields(self, request, obj=None):
        return ["region", "standard"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = (
                Region.objects.filter(editable_region_filter(request.user, prefix=""))
                .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
                .order_by("code")
            )
        if db_field.name == "standard":
            kwargs["queryset"] = StandardCatalog.objects.order_by("order", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        region = obj.region if change else form.cleaned_data["region"]
        standard = obj.standard if change else form.cleaned_data["standard"]
        with calling_service(labels=LABELS):
            saved = special_column_set(
                actor=request.user, region=region, standard=standard, url=form.cleaned_data["url"]
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            special_column_remove(actor=request.user, column=obj)
        except (ValidationError, PermissionDenied) as error:
            _raise_as_permission(error)
