"""Staff admin of the participation app: catalogs, their rows, consultations and comments.

Every class is region-scoped (``catalogs.admin.base.RegionScopedAdmin``): a county's editors
change their county's data, others read what their region covers, another region's object
is a 404. Every save goes through ``participation.services``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html

from catalogs.admin.base import (
    VERSION_FIELD,
    AdminModelForm,
    CityFilter,
    ReadOnlyScopedAdmin,
    RegionScopedAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    is_staff_member,
    may_write_catalogs,
    own_changes,
    report_refusal,
)
from catalogs.models import Region, RegionLevel
from catalogs.permissions import editable_region_filter
from participation import selectors, services
from participation.models import (
    Comment,
    Consultation,
    Method,
    ParticipationCatalog,
    ParticipationMatter,
    ParticipationPublication,
)
from participation.permissions import can_edit_participation

MATTER_FIELDS = ("name", "scope", "methods", "other_method", "timing", "feedback_channel", "office")
CONSULTATION_FIELDS = ("field", "title", "draft_text", "draft_url", "opens_on", "closes_on")


def _may_write(request) -> bool:
    return is_staff_member(request.user) and may_write_catalogs(request.user)


def _editable_counties(user):
    return Region.objects.filter(level=RegionLevel.COUNTY).filter(
        editable_region_filter(user, prefix="")
    )


class VersionedAdmin(RegionScopedAdmin):
    """Readers see the fields without the form's version (a reader's page has no form)."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
            for name, options in fieldsets
        ]


# ---------------------------------------------------------------------------
# Catalogs
# ---------------------------------------------------------------------------


class CatalogAddForm(AdminModelForm):
    class Meta:
        model = ParticipationCatalog
        fields = ("region", "title")


class MatterInline(admin.TabularInline):
    model = ParticipationMatter
    fields = ("seq", "name", "methods_display", "timing", "feedback_channel", "office")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="参与方式")
    def methods_display(self, matter):
        return "、".join(matter.method_labels())


class PublicationInline(admin.TabularInline):
    model = ParticipationPublication
    fields = ("number", "published_at", "matter_count", "note", "is_current")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ParticipationCatalog)
class ParticipationCatalogAdmin(RegionScopedAdmin):
    list_display = ("title", "region", "current_number", "last_published_at", "unpublished")
    list_select_related = ("region",)
    list_filter = (CityFilter,)
    search_fields = ("title", "region__name", "region__code")
    readonly_fields = ("region", "title", "last_published_at", "public_link")
    inlines = [MatterInline, PublicationInline]
    actions = ["publish_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CatalogAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("region", "title") if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = _editable_counties(request.user).filter(
                participation_catalog__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return _may_write(request)

    def can_change_object(self, user, obj) -> bool:
        return can_edit_participation(user, obj.region)

    def save_model(self, request, obj, form, change):
        with calling_service(labels={"region": "区划", "title": "目录名称"}, form=form):
            created = services.participation_catalog_create(
                actor=request.user,
                region=form.cleaned_data["region"],
                title=form.cleaned_data.get("title", ""),
            )
        obj.__dict__.update(created.__dict__)
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        """The inlines are read-only."""

    @admin.action(description="发布所选公众参与事项目录（形成新的公开版本）")
    def publish_selected(self, request, queryset):
        published = 0
        for catalog in queryset.select_related("region"):
            try:
                publication = services.participation_catalog_publish(
                    actor=request.user, catalog=catalog
                )
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"{catalog.title}：")
            else:
                published += 1
                messages.success(
                    request, f"{catalog.title}已发布（第{publication.number}次公开）。"
                )
        return published

    @admin.display(description="现行版本")
    def current_number(self, catalog):
        current = catalog.publications.filter(is_current=True).first()
        return f"第{current.number}次公开" if current else "未发布"

    @admin.display(description="有未发布的修改", boolean=True)
    def unpublished(self, catalog):
        return catalog.has_unpublished_changes

    @admin.display(description="公开页面")
    def public_link(self, catalog):
        return format_html('<a href="/regions/{}/participation/">查看</a>', catalog.region.code)


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


class MatterForm(VersionedFormMixin, AdminModelForm):
    methods = forms.MultipleChoiceField(
        label="参与方式",
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    seen_version = VersionField()

    class Meta:
        model = ParticipationMatter
        fields = ("catalog", *MATTER_FIELDS)


@admin.register(ParticipationMatter)
class ParticipationMatterAdmin(VersionedAdmin):
    region_field = "catalog__region"
    form = MatterForm
    list_display = ("seq", "name", "catalog", "methods_display", "timing", "office")
    list_display_links = ("seq", "name")
    list_select_related = ("catalog__region",)
    list_filter = (CityFilter,)
    search_fields = ("name", "catalog__region__name")
    fields = ("catalog", *MATTER_FIELDS, VERSION_FIELD)

    def get_readonly_fields(self, request, obj=None):
        return ("catalog",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "catalog":
            kwargs["queryset"] = ParticipationCatalog.objects.filter(
                region__in=_editable_counties(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return _may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def can_change_object(self, user, obj) -> bool:
        return can_edit_participation(user, obj.catalog.region)

    def save_model(self, request, obj, form, change):
        labels = services.MATTER_LABELS
        with calling_service(labels=labels, form=form):
            if change:
                values = {name: form.cleaned_data[name] for name in form.changed_data}
                values.pop("catalog", None)
                services.matter_update(
                    actor=request.user,
                    matter=obj,
                    seen_version=form.seen_version,
                    **own_changes(form, values),
                )
            else:
                created = services.matter_create(
                    actor=request.user,
                    catalog=form.cleaned_data["catalog"],
                    **{name: form.cleaned_data[name] for name in MATTER_FIELDS},
                )
                obj.__dict__.update(created.__dict__)
                obj._state.adding = False

    def delete_model(self, request, obj):
        with calling_service():
            services.matter_delete(actor=request.user, matter=obj, seen_version=None)

    @admin.display(description="参与方式")
    def methods_display(self, matter):
        return "、".join(matter.method_labels())


@admin.register(ParticipationPublication)
class ParticipationPublicationAdmin(ReadOnlyScopedAdmin):
    region_field = "catalog__region"
    list_display = ("title", "number", "published_at", "matter_count", "is_current")
    list_select_related = ("catalog__region",)
    readonly_fields = ("catalog", "number", "published_at", "title", "matter_count", "note")
    fields = readonly_fields


# ---------------------------------------------------------------------------
# Consultations and comments
# ---------------------------------------------------------------------------


class FeedbackFilter(admin.SimpleListFilter):
    title = "采纳情况"
    parameter_name = "feedback"

    def lookups(self, request, model_admin):
        return [("overdue", "逾期未公布"), ("pending", "已结束、待公布"), ("published", "已公布")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return selectors.overdue_consultations(queryset, today=today)
        if self.value() == "pending":
            return (
                queryset.without_feedback()
                .closed_on(today)
                .filter(closes_on__gt=selectors.last_overdue_close(today))
            )
        if self.value() == "published":
            return queryset.filter(feedback_published_at__isnull=False)
        return queryset


class ConsultationForm(VersionedFormMixin, AdminModelForm):
    draft_url = forms.URLField(
        label="征求意见稿链接", max_length=500, required=False, assume_scheme="https"
    )
    seen_version = VersionField()

    class Meta:
        model = Consultation
        fields = ("matter", *CONSULTATION_FIELDS, "feedback")


@admin.register(Consultation)
class ConsultationAdmin(VersionedAdmin):
    form = ConsultationForm
    list_display = (
        "title",
        "region",
        "field",
        "opens_on",
        "closes_on",
        "status_display",
        "feedback_display",
    )
    list_select_related = ("region",)
    list_filter = (FeedbackFilter, CityFilter, "field")
    search_fields = ("title", "region__name")
    date_hierarchy = "closes_on"
    fieldsets = [
        ("意见征集", {"fields": ["matter", *CONSULTATION_FIELDS, VERSION_FIELD]}),
        (
            "意见采纳情况",
            {
                "fields": ["feedback", "feedback_published_at", "feedback_due_display"],
                "description": "征集截止后填写并保存即公布：采纳了哪些意见，未采纳的理由。",
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("feedback_published_at", "feedback_due_display")
        return ("matter", *fixed) if obj is not None else fixed

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the 采纳情况 comes after the close
            return [("意见征集", {"fields": ["matter", *CONSULTATION_FIELDS]})]
        return super().get_fieldsets(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "matter":
            kwargs["queryset"] = ParticipationMatter.objects.filter(
                catalog__region__in=_editable_counties(request.user),
                catalog__last_published_at__isnull=False,
            ).select_related("catalog__region")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return _may_write(request)

    def save_model(self, request, obj, form, change):
        labels = {**services.CONSULTATION_LABELS, "feedback": "采纳情况"}
        with calling_service(labels=labels, form=form):
            if not change:
                created = services.consultation_create(
                    actor=request.user,
                    matter=form.cleaned_data["matter"],
                    **{name: form.cleaned_data[name] for name in CONSULTATION_FIELDS},
                )
                obj.__dict__.update(created.__dict__)
                obj._state.adding = False
                return
            values = own_changes(
                form, {name: form.cleaned_data[name] for name in form.changed_data}
            )
            values.pop("matter", None)
            feedback = values.pop("feedback", None)
            seen = form.seen_version
            if values:
                services.consultation_update(
                    actor=request.user, consultation=obj, seen_version=seen, **values
                )
                seen = obj.version
            if feedback is not None:
                services.consultation_feedback_publish(
                    actor=request.user,
                    consultation=obj,
                    feedback=feedback,
                    seen_version=seen,
                    today=timezone.localdate(),
                )

    @admin.display(description="状态")
    def status_display(self, consultation):
        return consultation.status_label(timezone.localdate())

    @admin.display(description="采纳情况")
    def feedback_display(self, consultation):
        if consultation.feedback_published_at:
            return f"已公布（{timezone.localtime(consultation.feedback_published_at):%Y-%m-%d}）"
        today = timezone.localdate()
        if consultation.closes_on >= today:
            return "—"
        due = selectors.feedback_due(consultation.closes_on)
        if today > due:
            return format_html('<strong class="gk-warn">逾期未公布（应于{}前）</strong>', due)
        return f"待公布（{due}前）"

    @admin.display(description="公布期限")
    def feedback_due_display(self, consultation):
        due = selectors.feedback_due(consultation.closes_on)
        return f"{due:%Y年%m月%d日}前（截止后{selectors.feedback_workdays()}个工作日）"


class CommentForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = Comment
        fields = ("adoption", "adoption_reason")


@admin.register(Comment)
class CommentAdmin(VersionedAdmin):
    region_field = "consultation__region"
    form = CommentForm
    list_display = ("pk", "short_text", "consultation", "status", "held_reason", "submitted_at")
    list_select_related = ("consultation__region",)
    list_filter = ("status", "held_reason", "adoption")
    search_fields = ("text", "consultation__title")
    readonly_fields = (
        "consultation",
        "text",
        "name",
        "phone",
        "status",
        "held_reason",
        "submitted_at",
        "moderated_at",
        "moderated_by",
    )
    fields = (*readonly_fields, "adoption", "adoption_reason", VERSION_FIELD)
    actions = ["publish_selected", "hold_selected", "reject_selected"]

    def can_change_object(self, user, obj) -> bool:
        return can_edit_participation(user, obj.consultation.region)

    def save_model(self, request, obj, form, change):
        with calling_service(
            labels={"adoption": "采纳情况", "adoption_reason": "采纳或不采纳的理由"}, form=form
        ):
            services.comment_answer(
                actor=request.user,
                comment=obj,
                adoption=form.cleaned_data["adoption"],
                reason=form.cleaned_data["adoption_reason"],
                seen_version=form.seen_version,
            )

    def _moderate(self, request, queryset, action: str, done: str) -> None:
        count = 0
        for comment in queryset.select_related("consultation__region"):
            try:
                services.comment_moderate(actor=request.user, comment=comment, action=action)
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error)
            else:
                count += 1
        if count:
            messages.success(request, f"{count}条意见已{done}。")

    @admin.action(description="公开所选意见")
    def publish_selected(self, request, queryset):
        self._moderate(request, queryset, "publish", "公开")

    @admin.action(description="暂缓公开所选意见")
    def hold_selected(self, request, queryset):
        self._moderate(request, queryset, "hold", "暂缓公开")

    @admin.action(description="所选意见不予公开")
    def reject_selected(self, request, queryset):
        self._moderate(request, queryset, "reject", "设为不予公开")

    @admin.display(description="意见内容")
    def short_text(self, comment):
        return comment.text if len(comment.text) <= 40 else comment.text[:39] + "…"
