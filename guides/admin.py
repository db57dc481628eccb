"""Staff admin of service guides: one page per guide with its materials, steps and questions.

The region's own editors (and the province administrator) edit; everyone else with a role
reads within their region (``RegionScopedAdmin``). Nothing is saved here: the page's guide
and all its inline rows go to ``guides.services.guide_save`` in one call, which refuses in
Chinese (shown on the same form) and refuses a save based on an older version.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.urls import reverse
from django.utils.html import format_html

from catalogs.admin.base import (
    AdminModelForm,
    CatalogHolderLevelFilter,
    CityFilter,
    RegionScopedAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    can_view_region_cached,
    is_staff_member,
    may_write_catalogs,
)
from catalogs.models import EDITABLE_STATUSES
from catalogs.permissions import can_edit_region
from guides.completeness import missing_parts
from guides.models import GuideMaterial, GuideQuestion, GuideStep, ServiceGuide
from guides.services import (
    GUIDE_LABELS,
    GuideInput,
    MaterialInput,
    QuestionInput,
    StepInput,
    guide_save,
)
from items.models import Item


def catalog_writable(user, catalog) -> bool:
    return bool(
        catalog is not None
        and may_write_catalogs(user)
        and catalog.is_editable
        and can_edit_region(user, catalog.region)
    )


class GuideForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = ServiceGuide
        fields = ["item", *GUIDE_LABELS]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "conditions": forms.Textarea(attrs={"rows": 5, "cols": 80}),
        }


class _InlinePermissions:
    """Inline rows follow the guide's catalog: writable by its region's editors."""

    def has_view_permission(self, request, obj=None):
        if not is_staff_member(request.user):
            return False
        return obj is None or can_view_region_cached(request, obj.item.catalog.region)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return may_write_catalogs(request.user)
        return catalog_writable(request.user, obj.item.catalog)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class MaterialForm(AdminModelForm):
    class Meta:
        model = GuideMaterial
        fields = ["order", "name", "form", "copies", "file", "exempt_when_shared", "note"]
        widgets = {
            "order": forms.NumberInput(attrs={"aria-label": "排序"}),
            "copies": forms.NumberInput(attrs={"aria-label": "份数"}),
        }


class MaterialInline(_InlinePermissions, admin.TabularInline):
    model = GuideMaterial
    form = MaterialForm
    extra = 1
    verbose_name = "申请材料"
    verbose_name_plural = (
        "申请材料（表格或样表：PDF、DOC、DOCX、XLS、XLSX、WPS或图片，不超过10 MB）"
    )


class StepForm(AdminModelForm):
    class Meta:
        model = GuideStep
        fields = ["seq", "name", "office", "time_limit", "description"]
        widgets = {
            "seq": forms.NumberInput(attrs={"aria-label": "步骤序号"}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }


class StepInline(_InlinePermissions, admin.TabularInline):
    model = GuideStep
    form = StepForm
    extra = 1
    verbose_name = "办理步骤"
    verbose_name_plural = "办理流程（步骤序号从1开始连续编号）"


class QuestionForm(AdminModelForm):
    class Meta:
        model = GuideQuestion
        fields = ["order", "question", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class QuestionInline(_InlinePermissions, admin.TabularInline):
    model = GuideQuestion
    form = QuestionForm
    extra = 1
    verbose_name = "常见问题"
    verbose_name_plural = "常见问题"


class GuideCityFilter(CityFilter):
    path_lookup = "item__catalog__region__path"


class GuideLevelFilter(CatalogHolderLevelFilter):
    level_lookup = "item__catalog__region__level"


def _rows(formset):
    """(form, cleaned_data) of the rows to keep, in page order."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get(DELETION_FIELD_NAME):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        rows.append((form, data))
    return rows


def _material(form, data) -> MaterialInput:
    value = data.get("file")
    upload = value if isinstance(value, UploadedFile) else None
    keep = ""
    if upload is None and value and getattr(value, "name", ""):
        keep = value.name
    return MaterialInput(
        name=data.get("name") or "",
        form=data.get("form") or "original",
        copies=data.get("copies") or 1,
        exempt_when_shared=bool(data.get("exempt_when_shared")),
        note=data.get("note") or "",
        upload=upload,
        keep_file=keep,
    )


def guide_input(form, formsets) -> GuideInput:
    """What the page shows, as ``guide_save`` takes it."""
    data = GuideInput(values={name: form.cleaned_data.get(name) for name in GUIDE_LABELS})
    if data.values.get("fee") in (None, ""):
        data.values["fee"] = "不收费"
    for formset in formsets:
        rows = _rows(formset)
        if formset.model is GuideMaterial:
            rows.sort(key=lambda row: row[1].get("order") or 0)
            data.materials = [_material(f, d) for f, d in rows]
        elif formset.model is GuideStep:
            rows.sort(key=lambda row: row[1].get("seq") or 0)
            data.steps = [
                StepInput(
                    seq=d.get("seq") or 0,
                    name=d.get("name") or "",
                    office=d.get("office") or "",
                    time_limit=d.get("time_limit") or "",
                    description=d.get("description") or "",
                )
                for _f, d in rows
            ]
        elif formset.model is GuideQuestion:
            rows.sort(key=lambda row: row[1].get("order") or 0)
            data.questions = [
                QuestionInput(d.get("question") or "", d.get("answer") or "") for _f, d in rows
            ]
    return data


@admin.register(ServiceGuide)
class ServiceGuideAdmin(RegionScopedAdmin):
    region_field = "item__catalog__region"
    form = GuideForm
    inlines = [MaterialInline, StepInline, QuestionInline]
    list_display = ("title_display", "region_display", "completeness", "version", "updated_at")
    list_select_related = ("item__catalog__region",)
    list_filter = (GuideCityFilter, GuideLevelFilter)
    search_fields = ("item__level1", "item__level2", "item__catalog__region__name")
    search_help_text = "按事项名称或区划名称搜索"
    readonly_fields = ("item_link", "public_link", "completeness")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ("item",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("item__catalog__region")
            .prefetch_related("materials", "steps")
        )

    def get_fieldsets(self, request, obj=None):
        header = ["item"] if obj is None else ["item_link", "public_link", "completeness"]
        if obj is not None and self.has_change_permission(request, obj):
            header.append("seen_version")
        return [
            (None, {"fields": header}),
            ("依据和条件", {"fields": ["legal_basis", "conditions"]}),
            ("时限和收费", {"fields": [("legal_days", "promised_days"), "fee"]}),
            (
                "办理地点、时间和联系方式",
                {"fields": ["location", "office_hours", ("phone", "complaint_phone")]},
            ),
            ("网上办理", {"fields": ["online_url", "progress_url"]}),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not str(initial.get("item", "")).isdigit():
            initial.pop("item", None)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            kwargs["queryset"] = (
                Item.objects.editable_by(request.user)
                .filter(catalog__status__in=EDITABLE_STATUSES, service_guide__isnull=True)
                .select_related("catalog")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def can_change_object(self, user, obj) -> bool:
        return catalog_writable(user, obj.item.catalog)

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def save_model(self, request, obj, form, change):
        """Saved with its inline rows in ``save_related`` (one service call)."""

    def save_related(self, request, form, formsets, change):
        item = form.instance.item if change else form.cleaned_data["item"]
        with calling_service(labels=GUIDE_LABELS, form=form):
            guide = guide_save(
                actor=request.user,
                item=item,
                data=guide_input(form, formsets),
                expected_version=form.seen_version if change else None,
            )
        form.instance.__dict__.update(guide.__dict__)
        form.instance._state.adding = False

    @admin.display(description="办理事项", ordering="item__level1")
    def title_display(self, guide):
        return f"{guide.title}（第{guide.item.seq}项）"

    @admin.display(description="区划", ordering="item__catalog__region__code")
    def region_display(self, guide):
        return guide.item.catalog.region.name

    @admin.display(description="完整性")
    def completeness(self, guide):
        if guide.pk is None:
            return "—"
        missing = missing_parts(
            guide, materials=len(guide.materials.all()), steps=len(guide.steps.all())
        )
        return "完整" if not missing else "缺：" + "、".join(part.label for part in missing)

    @admin.display(description="公开事项")
    def item_link(self, guide):
        url = reverse("admin:items_item_change", args=[guide.item_id])
        return format_html('<a href="{}">{}</a>（{}）', url, guide.item, guide.item.catalog)

    @admin.display(description="公开页面")
    def public_link(self, guide):
        url = reverse("site:guides_detail", args=[guide.item.public_id])
        return format_html(
            '<a href="{}">{}</a>（随目录发布后才对公众显示最新内容）', url, "查看已公开的办事指南"
        )
