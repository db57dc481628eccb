"""政策文件 in the staff admin, with their 解读 as an inline.

Scoping is ``catalogs.admin.base.RegionScopedAdmin``'s: querysets through ``for_user``,
another region's document is a 404, writes need ``can_edit_region``. Every write goes
through ``policies.services`` in ``save_related`` (the document, its status move, its
linked items and its interpretations in one transaction), against the versions the page
showed. Adding starts from a region (``?region=<code>``) so the item picker lists only that
region's catalog items; the picker of an existing document lists its region's items of its
field.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.html import format_html

from catalogs.admin.base import (
    AdminModelForm,
    ChineseMessagesFormMixin,
    CityFilter,
    ScopedHistoryAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    is_staff_member,
    may_write_catalogs,
    refusal_messages,
)
from catalogs.models import Region
from catalogs.permissions import can_edit_region, editable_region_filter, profile_of
from items.models import Item
from policies.models import DocumentStatus, Interpretation, PolicyDocument
from policies.public import HOLDER_LEVELS
from policies.selectors import pickable_items
from policies.services import (
    DOCUMENT_FIELDS,
    DOCUMENT_LABELS,
    INTERPRETATION_FIELDS,
    INTERPRETATION_LABELS,
    document_create,
    document_delete,
    document_modify,
    document_repeal,
    document_update,
    interpretation_create,
    interpretation_delete,
    interpretation_update,
)

KEEP = ""
STATUS_MOVES = [
    (KEEP, "不变"),
    (DocumentStatus.MODIFIED.value, "标记为已修改"),
    (DocumentStatus.REPEALED.value, "标记为已废止"),
]


def editable_holder_regions(user):
    return Region.objects.filter(editable_region_filter(user, prefix="")).filter(
        level__in=HOLDER_LEVELS
    )


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.catalog.region.name} · {obj.catalog.standard.field} · 第{obj.seq}项 {obj.name}"
        )


class PolicyDocumentForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()
    items = ItemsField(
        label="关联事项",
        queryset=PolicyDocument.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=FilteredSelectMultiple("关联事项", is_stacked=False),
    )
    status_move = forms.ChoiceField(label="效力变化", choices=STATUS_MOVES, required=False)
    replacement = forms.ModelChoiceField(
        label="修改或废止它的文件",
        queryset=PolicyDocument.objects.none(),
        required=False,
        help_text="须先登记新文件；只能选择本区划登记的有效文件。",
    )
    status_note = forms.CharField(label="效力变化说明", max_length=200, required=False)

    class Meta:
        model = PolicyDocument
        fields = [
            "region",
            "standard",
            "title",
            "number",
            "issuer",
            "issued_on",
            "relation",
            "url",
            "text",
        ]

    def _post_clean(self):
        # The services validate (in Chinese, naming the field); the form only collects.
        from django.forms.models import construct_instance

        self.instance = construct_instance(self, self.instance, self._meta.fields)


class InterpretationAdminForm(VersionedFormMixin, ChineseMessagesFormMixin, forms.ModelForm):
    seen_version = VersionField()

    class Meta:
        model = Interpretation
        fields = ["title", "form", "published_on", "url", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 40})}

    def _post_clean(self):
        """The service checks the interpretation, in Chinese."""

    def validate_unique(self):
        """Nothing unique to check."""


class InterpretationInline(admin.StackedInline):
    model = Interpretation
    form = InterpretationAdminForm
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [("title", "form", "published_on"), "url", "text", "seen_version"]
    verbose_name = "政策解读"
    verbose_name_plural = "政策解读（文字、图解、视频或问答；链接和内容至少填一项）"

    def _writable(self, request, obj) -> bool:
        if obj is None:
            return may_write_catalogs(request.user)
        return can_edit_region(request.user, obj.region)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj)


class DocumentCityFilter(CityFilter):
    path_lookup = "region__path"


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ScopedHistoryAdmin):
    region_field = "region"
    form = PolicyDocumentForm
    inlines = [InterpretationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "title",
        "number",
        "region",
        "standard",
        "issued_on",
        "relation",
        "status",
        "interpretation_display",
    )
    list_select_related = ("region", "standard")
    list_filter = (DocumentCityFilter, "standard", "relation", "status")
    search_fields = ("title", "number", "issuer", "region__name", "region__code")
    search_help_text = "按文件标题、文号、发文机关、区划名称或区划代码搜索"
    date_hierarchy = "issued_on"
    list_per_page = 50

    # -- what is shown ---------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("interpretations")

    @admin.display(description="解读")
    def interpretation_display(self, document):
        dates = [i.published_on for i in document.interpretations.all()]
        if not dates:
            return "暂无"
        return f"{len(dates)}篇（首篇{min(dates):%Y-%m-%d}）"

    @admin.display(description="效力状态")
    def status_display(self, document):
        if document is None or document.pk is None:
            return "有效"
        if document.replaced_by_id is None:
            return document.get_status_display()
        return format_html("{}（{}）", document.get_status_display(), document.replaced_by.label)

    def get_fieldsets(self, request, obj=None):
        header = ["region", "standard"] if obj is None else ["region_name", "standard"]
        editable = obj is None or self.has_change_permission(request, obj)
        fieldsets = [
            (None, {"fields": header}),
            (
                "政策文件",
                {
                    "fields": [
                        "title",
                        ("number", "issuer"),
                        ("issued_on", "relation"),
                        "url",
                        "text",
                        "items" if editable else "items_display",
                    ]
                    + (["seen_version"] if obj is not None and editable else [])
                },
            ),
        ]
        if obj is not None:
            status_fields = ["status_display"]
            if editable and obj.status != DocumentStatus.REPEALED:
                status_fields += ["status_move", "replacement", "status_note"]
            fieldsets.append(("效力状态", {"fields": status_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status_display"]
        if obj is not None:
            readonly.append("region_name")
            if not self.has_change_permission(request, obj):
                readonly += ["standard", *DOCUMENT_FIELDS, "items_display"]
        return readonly

    @admin.display(description="关联事项")
    def items_display(self, document):
        ids = list(document.item_links.values_list("item_id", flat=True))
        items = Item.objects.filter(public_id__in=ids).order_by("seq")
        return "、".join(f"第{item.seq}项 {item.name}" for item in items) or "—"

    @admin.display(description="区划")
    def region_name(self, document):
        return document.region.name

    def _add_region(self, request) -> Region | None:
        """The region a new document is registered for: ``?region=<code>``, else the
        user's own county or township (the province starts from a region's code)."""
        code = request.GET.get("region", "")
        if not code:
            profile = profile_of(request.user)
            code = profile.region.code if profile is not None else ""
        if not code.isdigit():
            return None
        return editable_holder_regions(request.user).filter(code=code).first()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user
        region = obj.region if obj is not None else self._add_region(request)
        standard_id = obj.standard_id if obj is not None else None
        items = (
            pickable_items(user, region=region, standard_id=standard_id)
            if region is not None
            else pickable_items(user).none()
        )
        regions = editable_holder_regions(user).order_by("code")
        replacements = (
            PolicyDocument.objects.filter(region=obj.region, status=DocumentStatus.VALID)
            .exclude(pk=obj.pk)
            .order_by("-issued_on")
            if obj is not None
            else PolicyDocument.objects.none()
        )

        class ScopedForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if "items" in self.fields:
                    self.fields["items"].queryset = items
                    if region is None:
                        self.fields[
                            "items"
                        ].help_text = (
                            "保存后在修改页面选择关联事项（或从“?region=区划代码”开始登记）。"
                        )
                    if obj is not None:
                        self.initial["items"] = list(
                            obj.item_links.values_list("item_id", flat=True)
                        )
                if "region" in self.fields:
                    self.fields["region"].queryset = regions
                    if region is not None:
                        self.initial["region"] = region.pk
                if "replacement" in self.fields:
                    self.fields["replacement"].queryset = replacements

        return ScopedForm

    # -- permissions -----------------------------------------------------------------

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # -- writing: through the services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Nothing here: ``save_related`` writes the document and its 解读 in one go."""

    def save_formset(self, request, form, formset, change):  # pragma: no cover - unused
        raise NotImplementedError("documents are saved with their interpretations")

    def save_related(self, request, form, formsets, change):
        user = request.user
        data = form.cleaned_data
        with calling_service(labels=DOCUMENT_LABELS, form=form):
            if change:
                document = PolicyDocument.objects.select_related("region", "standard").get(
                    pk=form.instance.pk
                )
                values = {n: data[n] for n in form.changed_data if n in DOCUMENT_FIELDS}
                items_changed = "items" in form.changed_data
                if values or items_changed:
                    document = document_update(
                        actor=user,
                        document=document,
                        expected_version=form.seen_version,
                        items=list(data["items"]) if items_changed else None,
                        **values,
                    )
                move = data.get("status_move")
                if move:
                    mover = document_modify if move == DocumentStatus.MODIFIED else document_repeal
                    document = mover(
                        actor=user,
                        document=document,
                        replaced_by=data.get("replacement"),
                        note=data.get("status_note", ""),
                    )
            else:
                document = document_create(
                    actor=user,
                    region=data["region"],
                    items=list(data.get("items") or []),
                    **{n: data[n] for n in DOCUMENT_FIELDS if n in data},
                )
        with calling_service(labels=INTERPRETATION_LABELS, prefix="政策解读："):
            for formset in formsets:
                self._save_interpretations(user, document, formset)
        obj = form.instance
        obj.__dict__.update(
            {key: value for key, value in document.__dict__.items() if not key.startswith("_")}
        )
        obj._state.adding = False
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def _save_interpretations(self, user, document, formset) -> None:
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            instance = inline_form.instance
            existing = instance.pk is not None
            if data.get("DELETE"):
                if existing:
                    interpretation_delete(
                        actor=user,
                        interpretation=instance,
                        expected_version=inline_form.seen_version,
                    )
                continue
            if not inline_form.has_changed():
                continue
            if existing:
                values = {
                    n: data[n] for n in inline_form.changed_data if n in INTERPRETATION_FIELDS
                }
                interpretation_update(
                    actor=user,
                    interpretation=Interpretation.objects.get(pk=instance.pk),
                    expected_version=inline_form.seen_version,
                    **values,
                )
            else:
                interpretation_create(
                    actor=user,
                    document=document,
                    **{n: data.get(n) for n in INTERPRETATION_FIELDS if n in data},
                )

    def delete_model(self, request, obj):
        try:
            document_delete(actor=request.user, document=obj, expected_version=None)
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied("；".join(refusal_messages(error))) from error
