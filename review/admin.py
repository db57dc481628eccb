"""Admin for review: the province administrator edits campaigns and milestones, the
automated rules' severities (检查规则设置) and which regions compile catalogs (编制目录的区划);
everything else is read-only here (findings and decisions move through the workspaces'
services). Every write goes through a service, which checks the role again."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from catalogs.models import RegionLevel, StandardCatalog
from catalogs.permissions import is_province_admin, profile_of, visible_region_filter
from review import services
from review.checks import RULES, RULES_BY_CODE
from review.models import (
    AcceptanceDecision,
    Campaign,
    CheckRun,
    CompilingRegion,
    Finding,
    FindingEvent,
    Milestone,
    MilestoneReport,
    RegionCompileEvent,
    ReminderLog,
    RuleSetting,
    Severity,
)


def _is_staff_member(user) -> bool:
    return bool(user.is_active and user.is_staff and (user.is_superuser or profile_of(user)))


class _StaffReadsMixin:
    """Everyone with a staff role reads; ``_may_write`` says who adds, changes and deletes."""

    def _may_write(self, request) -> bool:
        return False

    def has_module_permission(self, request):
        return _is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_staff_member(request.user)

    def has_add_permission(self, request, obj=None):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request)


class ProvinceAdminEditsMixin(_StaffReadsMixin):
    """Everyone with a staff role reads; only the province administrator writes."""

    def _may_write(self, request) -> bool:
        return is_province_admin(request.user)


class ReadOnlyMixin(_StaffReadsMixin):
    """Everyone with a staff role reads; nobody writes here."""


def _standard_choices() -> list[tuple[str, str]]:
    return [(standard.code, standard.field) for standard in StandardCatalog.objects.all()]


MILESTONE_FIELDS = [
    "order",
    "code",
    "title",
    "due_on",
    "region_levels",
    "standard_codes",
    "completion",
    "description",
]


class MilestoneForm(forms.ModelForm):
    region_levels = forms.MultipleChoiceField(
        label="责任层级", choices=RegionLevel.choices, widget=forms.CheckboxSelectMultiple
    )
    standard_codes = forms.MultipleChoiceField(
        label="覆盖领域",
        choices=_standard_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部领域。",
    )

    class Meta:
        model = Milestone
        fields = MILESTONE_FIELDS


class MilestoneInline(ProvinceAdminEditsMixin, admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 0
    fields = MILESTONE_FIELDS


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
        "source",
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


# ---------------------------------------------------------------------------
# The province's settings
# ---------------------------------------------------------------------------


def _severity_label(value: str) -> str:
    return Severity(value).label if value in Severity.values else "—"


class RuleSettingForm(forms.ModelForm):
    rule_code = forms.ChoiceField(label="检查规则")
    severity = forms.ChoiceField(label="严重程度", required=False)

    class Meta:
        model = RuleSetting
        fields = ["rule_code", "severity", "enabled", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(RuleSetting.objects.values_list("rule_code", flat=True))
        if self.instance.pk:
            taken.discard(self.instance.rule_code)
            self.fields["rule_code"].disabled = True
        # Chinese titles, never the codes, and the default severity beside each.
        self.fields["rule_code"].choices = [
            (rule.code, f"{rule.title}（默认：{_severity_label(rule.severity)}）")
            for rule in RULES
            if rule.code not in taken
        ]
        self.fields["severity"].choices = [("", "采用规则默认"), *Severity.choices]
        self.fields[
            "severity"
        ].help_text = "“提示”只作提醒：不阻止验收，不计入待整改问题，也不生成待整改的问题。"


@admin.register(RuleSetting)
class RuleSettingAdmin(ProvinceAdminEditsMixin, SimpleHistoryAdmin):
    form = RuleSettingForm
    list_display = [
        "rule_title",
        "default_severity",
        "effective_severity",
        "enabled",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["enabled", "severity"]
    readonly_fields = ["rule_description", "updated_by", "updated_at"]
    history_list_display = ["severity", "enabled", "note"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule back on or to its default instead: the history stays

    @admin.display(description="检查规则", ordering="rule_code")
    def rule_title(self, obj):
        rule = RULES_BY_CODE.get(obj.rule_code)
        return rule.title if rule else f"（已删除的规则 {obj.rule_code}）"

    @admin.display(description="规则说明")
    def rule_description(self, obj):
        rule = RULES_BY_CODE.get(obj.rule_code)
        return rule.description if rule else "—"

    @admin.display(description="默认严重程度")
    def default_severity(self, obj):
        rule = RULES_BY_CODE.get(obj.rule_code)
        return _severity_label(rule.severity) if rule else "—"

    @admin.display(description="采用的严重程度")
    def effective_severity(self, obj):
        if not obj.enabled:
            return "已停用"
        rule = RULES_BY_CODE.get(obj.rule_code)
        return _severity_label(obj.severity or (rule.severity if rule else ""))

    def save_model(self, request, obj, form, change):
        try:
            saved = services.rule_setting_save(
                actor=request.user,
                rule_code=form.cleaned_data.get("rule_code") or obj.rule_code,
                severity=form.cleaned_data.get("severity") or "",
                enabled=form.cleaned_data.get("enabled", True),
                note=form.cleaned_data.get("note") or "",
            )
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied("；".join(getattr(error, "messages", [str(error)]))) from error
        obj.pk = saved.pk


class CompilingRegionForm(forms.ModelForm):
    class Meta:
        model = CompilingRegion
        fields = ["compiles_catalogs", "compile_note"]

    def clean(self):
        data = super().clean()
        if not data.get("compiles_catalogs") and not (data.get("compile_note") or "").strip():
            self.add_error(
                "compile_note", "不编制目录时请说明由谁代为公开（如：由所在县代为公开）。"
            )
        return data


@admin.register(CompilingRegion)
class CompilingRegionAdmin(ProvinceAdminEditsMixin, admin.ModelAdmin):
    """Counties and townships: whether each compiles its own catalogs. The province
    administrator changes it; every staff member reads it within their region."""

    form = CompilingRegionForm
    list_display = [
        "code",
        "name",
        "level",
        "parent",
        "compiles_catalogs",
        "compile_note",
        "compile_set_by_province",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["compiles_catalogs", "compile_set_by_province", "level"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "compile_note"]
    search_help_text = "按区划名称、区划代码或说明搜索"
    list_per_page = 100
    fields = [
        "code",
        "name",
        "level",
        "parent",
        "compiles_catalogs",
        "compile_note",
        "compile_set_by_province",
        "changes",
    ]
    readonly_fields = ["code", "name", "level", "parent", "compile_set_by_province", "changes"]
    actions = ["set_compiling", "set_not_compiling"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
            .filter(visible_region_filter(request.user, prefix=""))
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("找不到该区划，或您无权查看。")
        return obj

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="设置记录")
    def changes(self, obj):
        events = RegionCompileEvent.objects.filter(region=obj).select_related("actor")
        if not events:
            return "—"
        return format_html_join(
            "",
            "<div>{}：{} 将“{}”改为“{}”{}</div>",
            (
                (
                    f"{event.at:%Y-%m-%d %H:%M}",
                    event.actor or "系统",
                    "编制目录" if event.compiled_before else "不编制目录",
                    "编制目录" if event.compiles_after else "不编制目录",
                    f"（{event.note_after}）" if event.note_after else "",
                )
                for event in events
            ),
        )

    def save_model(self, request, obj, form, change):
        services.region_set_compiles(
            actor=request.user,
            region=obj,
            compiles=form.cleaned_data["compiles_catalogs"],
            note=form.cleaned_data.get("compile_note") or "",
        )

    def _set(self, request, queryset, *, compiles: bool) -> None:
        done = 0
        for region in queryset.select_related("parent"):
            note = (
                "" if compiles else f"由{region.parent.name if region.parent else '上级'}代为公开"
            )
            try:
                services.region_set_compiles(
                    actor=request.user, region=region, compiles=compiles, note=note
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request,
                    f"“{region.name}”：{'；'.join(getattr(error, 'messages', [str(error)]))}",
                )
            else:
                done += 1
        if done:
            what = "编制目录" if compiles else "不编制目录（由上级代为公开）"
            messages.success(request, f"已将{done}个区划设为{what}。")

    @admin.action(description="设为编制目录", permissions=["change"])
    def set_compiling(self, request, queryset):
        self._set(request, queryset, compiles=True)

    @admin.action(description="设为不编制目录（由上级区划代为公开）", permissions=["change"])
    def set_not_compiling(self, request, queryset):
        self._set(request, queryset, compiles=False)


@admin.register(RegionCompileEvent)
class RegionCompileEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["region", "compiled_before", "compiles_after", "note_after", "actor", "at"]
    list_select_related = ["region", "actor"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_region_filter(request.user, prefix="region__"))
        )
