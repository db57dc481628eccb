"""The staff's queue of questions and corrections (群众留言) and the province's settings.

Scoping as everywhere (``catalogs.admin.base.RegionScopedAdmin``): staff see the inquiries
of their region and below; another region's inquiry is a 404. The editors of the item's
region (a county's editors also for its townships) and the province administrator answer,
release and reject; coordinators and reviewers read. Every write calls ``inquiries.services``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from catalogs.admin.base import (
    CityFilter,
    RegionScopedAdmin,
    ServiceAdmin,
    calling_service,
    is_staff_member,
    report_refusal,
)
from catalogs.permissions import is_province_admin
from inquiries import services
from inquiries.forms import AnswerAdminForm, SettingsAdminForm
from inquiries.models import OPEN_STATES, Inquiry, InquirySettings, Kind, Status
from inquiries.validation import LABELS, normalize_reference


class QueueFilter(admin.SimpleListFilter):
    title = "办理状态"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", "待答复"),
            ("answered", "已答复"),
            ("overdue", "逾期未答复"),
            ("held", "待审核"),
            ("rejected", "已驳回"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return queryset.overdue(timezone.localdate())
        if value in ("open", "answered", "held", "rejected"):
            return queryset.filter(status=value)
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = "类型"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() in Kind.values else queryset


@admin.register(Inquiry)
class InquiryAdmin(RegionScopedAdmin):
    form = AnswerAdminForm
    list_display = (
        "reference_display",
        "kind",
        "excerpt",
        "item_name",
        "received_on",
        "due_date",
        "state_display",
        "answered_on",
    )
    list_filter = (QueueFilter, KindFilter, CityFilter)
    list_select_related = ("region",)
    search_fields = ("reference",)
    ordering = ("due_date", "-received_at")
    actions = ("release_selected", "reject_selected")
    readonly_fields = (
        "reference_display",
        "kind",
        "item_link",
        "region",
        "received_at",
        "due_date",
        "state_display",
        "held_reason",
        "text",
        "name",
        "phone",
        "answered_at",
        "answered_by",
        "personal_data_erased_at",
        "events_display",
    )
    fieldsets = (
        (
            "留言",
            {
                "fields": (
                    "reference_display",
                    "kind",
                    "item_link",
                    "region",
                    "received_at",
                    "due_date",
                    "state_display",
                    "held_reason",
                    "text",
                )
            },
        ),
        (
            "留言人（不公开，办结后按省级设置的期限删除）",
            {"fields": ("name", "phone", "personal_data_erased_at")},
        ),
        (
            "答复",
            {"fields": ("answer", "visibility", "seen_version", "answered_at", "answered_by")},
        ),
        ("处理记录", {"fields": ("events_display",)}),
    )

    @admin.display(description="查询码", ordering="reference")
    def reference_display(self, obj):
        return obj.reference_display

    @admin.display(description="留言内容")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 40 else obj.text[:39] + "…"

    @admin.display(description="状态", ordering="status")
    def state_display(self, obj):
        if obj.is_overdue(timezone.localdate()):
            return f"{obj.get_status_display()}（逾期）"
        if obj.status == Status.ANSWERED and not obj.answered_on_time():
            return "已答复（逾期答复）"
        return obj.get_status_display()

    @admin.display(description="事项")
    def item_link(self, obj):
        url = reverse("site:item", args=[obj.item_public_id])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.item_name)

    @admin.display(description="处理记录")
    def events_display(self, obj):
        events = obj.events.select_related("actor").order_by("at", "pk")
        if not events:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} {} → {} {}</li>",
                (
                    (
                        f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}",
                        event.actor.get_username() if event.actor else "系统",
                        Status(event.from_status).label if event.from_status else "—",
                        Status(event.to_status).label,
                        event.note,
                    )
                    for event in events
                ),
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        # A reference as the citizen reads it out: "ab3d-ef7h-jk9m" finds AB3DEF7HJK9M.
        return super().get_search_results(request, queryset, normalize_reference(search_term))

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if (
            obj is None
            or not self.has_change_permission(request, obj)
            or obj.status
            in (
                Status.HELD,
                Status.REJECTED,
            )
        ):
            fields += ["answer", "visibility"]
        return fields

    def save_model(self, request, obj, form, change):
        with calling_service(labels=LABELS, prefix=""):
            services.inquiry_answer(
                actor=request.user,
                inquiry=obj,
                answer=form.cleaned_data.get("answer") or "",
                visibility=form.cleaned_data.get("visibility") or "",
                seen_version=form.cleaned_data.get("seen_version"),
            )

    def save_related(self, request, form, formsets, change):
        """Nothing besides the answer: ``save_model`` wrote it through the service."""

    def log_change(self, request, obj, message):
        return super().log_change(request, obj, "答复留言")

    @admin.action(description="放行所选的待审核留言（确认不是垃圾信息）")
    def release_selected(self, request, queryset):
        self._each(request, queryset.filter(status=Status.HELD), services.inquiry_release, "放行")

    @admin.action(description="驳回所选留言（垃圾信息，不予答复）")
    def reject_selected(self, request, queryset):
        self._each(
            request, queryset.filter(status__in=OPEN_STATES), services.inquiry_reject, "驳回"
        )

    def _each(self, request, queryset, service, verb):
        done = 0
        for inquiry in queryset.select_related("region"):
            try:
                service(actor=request.user, inquiry=inquiry)
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"留言{inquiry.reference_display}：")
            else:
                done += 1
        if done:
            messages.success(request, f"已{verb}{done}条留言。")
        else:
            messages.warning(
                request, f"没有可{verb}的留言（只能{verb}您负责区划内状态相符的留言）。"
            )


@admin.register(InquirySettings)
class InquirySettingsAdmin(ServiceAdmin):
    form = SettingsAdminForm
    fields = ("reply_days", "retention_days", "hourly_limit", "seen_version", "updated_at")
    readonly_fields = ("updated_at",)

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def changelist_view(self, request, extra_context=None):
        # The one row is created by migration 0002.
        return redirect("admin:inquiries_inquirysettings_change", 1)

    def save_model(self, request, obj, form, change):
        with calling_service(labels={f.name: str(f.verbose_name) for f in obj._meta.fields}):
            services.inquiry_settings_update(
                actor=request.user,
                reply_days=form.cleaned_data["reply_days"],
                retention_days=form.cleaned_data["retention_days"],
                hourly_limit=form.cleaned_data["hourly_limit"],
                seen_version=form.cleaned_data.get("seen_version"),
            )

    def response_change(self, request, obj):
        messages.success(request, "留言答复设置已保存。新的答复时限适用于此后收到的留言。")
        return redirect("admin:inquiries_inquirysettings_change", 1)
