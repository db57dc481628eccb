"""Admin for review: the province administrator edits campaigns and milestones; everything
else is read-only here (findings and decisions move through the workspaces' services)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from catalogs.models import RegionLevel
from catalogs.permissions import is_province_admin, profile_of
from review import services
from review.models import (
    AcceptanceDecision,
    Campaign,
    CheckRun,
    Finding,
    FindingEvent,
    Milestone,
    MilestoneReport,
    ReminderLog,
)


def _is_staff_member(user) -> bool:
    return bool(user.is_active and user.is_staff and (user.is_superuser or profile_of(user)))


class ProvinceAdminEditsMixin:
    """Everyone with a staff role reads; only the province administrator writes."""

    def has_module_permission(self, request):
        return _is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_staff_member(request.user)

    def has_add_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)


class ReadOnlyMixin:
    def has_module_permission(self, request):
        return _is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_staff_member(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneForm(forms.ModelForm):
    region_levels = forms.MultipleChoiceField(
        label="责任层级", choices=RegionLevel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Milestone
        fields = ["order", "code", "title", "due_on", "region_levels", "completion", "description"]


class MilestoneInline(ProvinceAdminEditsMixin, admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 0
    fields = ["order", "code", "title", "due_on", "region_levels", "completion", "description"]


@admin.register(Campaign)
class CampaignAdmin(ProvinceAdminEditsMixin, admin.ModelAdmin):
    list_display = ["year", "title", "starts_on", "is_current", "milestone_count"]
    fields = ["year", "title", "basis_document", "starts_on", "is_current", "copied_from"]
    readonly_fields = ["copied_from"]
    inlines = [MilestoneInline]
    actions = ["copy_to_next_year"]

    @admin.display(description="节点数")
    def milestone_count(self, obj):
        return obj.milestones.count()

    def save_model(self, request, obj, form, change):
        services.campaign_save(actor=request.user, campaign=obj)

    def save_formset(self, request, form, formset, change):
        milestones = formset.save(commit=False)
        for milestone in formset.deleted_objects:
            services.milestone_delete(actor=request.user, milestone=milestone)
        for milestone in milestones:
            services.milestone_save(actor=request.user, milestone=milestone)

    @admin.action(description="复制为下一年度（日期顺延一年）")
    def copy_to_next_year(self, request, queryset):
        for campaign in queryset:
            year = (Campaign.objects.order_by("-year").values_list("year", flat=True).first()) + 1
            try:
                copy = services.campaign_copy(actor=request.user, campaign=campaign, year=year)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"已创建“{copy}”。", messages.SUCCESS)


@admin.register(Finding)
class FindingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "catalog",
        "anchor",
        "summary",
        "severity",
        "state",
        "source",
        "rule_code",
        "due_on",
    ]
    list_filter = ["state", "severity", "source", "rule_code"]
    search_fields = ["description", "catalog__region__name", "catalog__region__code"]
    list_select_related = ["catalog"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    @admin.display(description="问题描述")
    def summary(self, obj):
        return obj.description[:60]

    @admin.display(description="工作台")
    def workspace_link(self, obj):
        return format_html(
            '<a href="{}">在工作台处理</a>', reverse("review:finding", args=[obj.pk])
        )

    readonly_fields = ["workspace_link"]


@admin.register(FindingEvent)
class FindingEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["finding", "kind", "from_state", "to_state", "actor", "at"]
    list_filter = ["kind"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(finding__in=Finding.objects.for_user(request.user))
        )


@admin.register(AcceptanceDecision)
class AcceptanceDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["catalog", "decision", "decided_by", "decided_at", "item_count"]
    list_filter = ["decision"]
    exclude = ["snapshot", "findings"]
    list_select_related = ["catalog", "decided_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "scope_label",
        "started_at",
        "actor",
        "catalog_count",
        "result_count",
        "created_count",
        "resolved_count",
        "seconds",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(MilestoneReport)
class MilestoneReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["milestone", "region", "reported_by", "reported_at"]
    list_select_related = ["milestone", "region", "reported_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["recipient", "reason", "day", "sent_at"]

    def has_view_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_module_permission(self, request):
        return is_province_admin(request.user)
