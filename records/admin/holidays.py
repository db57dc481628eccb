"""节假日安排: the working-day calendar, the province administrator's."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.admin.base import AdminModelForm, ServiceAdmin, calling_service
from catalogs.permissions import is_province_admin
from records.admin.common import LABELS, _raise_as_permission
from records.models import HolidayCalendar
from records.services import holiday_delete, holiday_save

# ---------------------------------------------------------------------------
# 节假日安排: the province administrator's
# ---------------------------------------------------------------------------


class HolidayForm(AdminModelForm):
    class Meta:
        model = HolidayCalendar
        fields = ["date", "kind", "name", "source"]

    def validate_unique(self):
        """The service validates (a date listed twice, in Chinese)."""


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(ServiceAdmin):
    form = HolidayForm
    list_display = ("date", "weekday", "kind", "name", "source", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "source")
    list_per_page = 100

    @admin.display(description="星期")
    def weekday(self, holiday):
        return f"周{'一二三四五六日'[holiday.date.weekday()]}"

    def has_module_permission(self, request):
        return is_province_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_add_permission(self, request):
        return is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def save_model(self, request, obj, form, change):
        with calling_service(labels=LABELS):
            saved = holiday_save(
                actor=request.user,
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data.get("name") or "",
                source=form.cleaned_data["source"],
                holiday=obj if change else None,
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            holiday_delete(actor=request.user, holiday=obj)
        except (ValidationError, PermissionDenied) as error:
            _raise_as_permission(error)

    def response_post_save_change(self, request, obj):
        messages.info(request, "已按新的节假日安排重新计算各条公开信息的公开期限。")
        return super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        messages.info(request, "已按新的节假日安排重新计算各条公开信息的公开期限。")
        return super().response_post_save_add(request, obj)
