"""Staff admin of disclosure items, their local extra elements and the kept publications.

Items are edited here one by one (with their extra elements and full history) and, in
bulk, inline on a catalog's page (``CatalogItemInline``, used by ``catalogs.admin``).
Every write goes through ``items.services``.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogs import vocabulary
from catalogs.admin_base import (
    AdminModelForm,
    CatalogHolderLevelFilter,
    CityFilter,
    ReadOnlyScopedAdmin,
    ScopedHistoryAdmin,
    TermsField,
    calling_service,
    can_view_region_cached,
    is_staff_member,
    may_write_catalogs,
    refusal_messages,
    show_unknown_terms,
    show_value,
)
from catalogs.models import EDITABLE_STATUSES, Catalog, StandardItem
from catalogs.permissions import can_edit_region
from items.models import Item, ItemExtraElement, Publication, PublishedItem
from items.services import (
    ELEMENT_FIELDS,
    item_create,
    item_delete,
    item_set_extra_elements,
    item_update,
)
from items.validation import item_problems

LABELS = {**vocabulary.ELEMENT_LABELS, "seq": "序号", "level1": "一级事项", "level2": "二级事项"}
TERM_FIELDS = {
    "channels": vocabulary.CHANNELS,
    "audience": vocabulary.AUDIENCES,
    "method": vocabulary.METHODS,
    "levels": vocabulary.LEVELS,
}


# Fields an item takes over from its standard item when a catalog is derived.
DERIVED_FIELDS = [name for name in ELEMENT_FIELDS if name not in ("seq", "channel_other")]


def join_terms(values) -> str:
    return "、".join(str(value) for value in values or []) or "—"


def problems_summary(item, region) -> str:
    """“完整” or the labels of the elements the item lacks, for list columns."""
    problems = item_problems(item, region)
    if not problems:
        return "完整"
    labels = list(dict.fromkeys(problem.label for problem in problems))
    return "缺：" + "、".join(labels)


# ---------------------------------------------------------------------------
# The item form: JSON lists as check boxes, messages that name the field
# ---------------------------------------------------------------------------


class ItemForm(AdminModelForm):
    channels = TermsField(vocabulary=vocabulary.CHANNELS, label=LABELS["channels"])
    audience = TermsField(vocabulary=vocabulary.AUDIENCES, label=LABELS["audience"])
    method = TermsField(vocabulary=vocabulary.METHODS, label=LABELS["method"])
    levels = TermsField(vocabulary=vocabulary.LEVELS, label=LABELS["levels"])

    class Meta:
        model = Item
        fields = ["catalog", *ELEMENT_FIELDS]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "basis": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "level1": forms.TextInput(attrs={"size": 16}),
            "level2": forms.TextInput(attrs={"size": 24}),
            "deadline": forms.TextInput(attrs={"size": 34}),
            "subject": forms.TextInput(attrs={"size": 44}),
            "seq": forms.NumberInput(attrs={"style": "width:4em"}),
        }
        help_texts = {
            "content": "每行一个要素，以“●”开头。",
            "channel_other": "勾选“其他”时必须填写具体渠道。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_unknown_terms(self)
        if "seq" in self.fields and self.instance.pk is None:
            self.fields["seq"].required = False
            self.fields["seq"].help_text = "留空则排在最后。"

    def element_values(self, *, changed_only: bool) -> dict:
        names = self.changed_data if changed_only else list(self.cleaned_data)
        values = {name: self.cleaned_data[name] for name in names if name in ELEMENT_FIELDS}
        if values.get("seq") is None:
            values.pop("seq", None)
        return values


def item_label(form) -> str:
    initial = form.initial
    if form.instance.pk is None:
        return "新增事项："
    name = initial.get("level1", "")
    if initial.get("level2"):
        name += f" · {initial['level2']}"
    return f"第{initial.get('seq', '')}项“{name}”："


def save_item_formset(request, formset) -> None:
    """Save a catalog's inline items through the item services, recording what changed."""
    actor, catalog = request.user, formset.instance
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        item = form.instance
        with calling_service(prefix=item_label(form), labels=LABELS):
            if formset.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME):
                item_delete(actor=actor, item=item)
                formset.deleted_objects.append(item)
            elif form.has_changed():
                values = form.element_values(changed_only=True)
                item_update(actor=actor, item=item, **values)
                formset.changed_objects.append((item, list(values)))
    for form in formset.extra_forms:
        if not form.has_changed() or form.cleaned_data.get(DELETION_FIELD_NAME):
            continue
        with calling_service(prefix=item_label(form), labels=LABELS):
            item = item_create(
                actor=actor, catalog=catalog, **form.element_values(changed_only=False)
            )
        form.instance = item
        formset.new_objects.append(item)


def catalog_is_writable(user, catalog) -> bool:
    return bool(
        catalog is not None
        and may_write_catalogs(user)
        and catalog.is_editable
        and can_edit_region(user, catalog.region)
    )


class TermDisplayMixin:
    """Read-only displays of the four list elements, joined with 、."""

    @admin.display(description=LABELS["channels"])
    def channels_display(self, item):
        return join_terms(item.channel_labels)

    @admin.display(description=LABELS["audience"])
    def audience_display(self, item):
        return join_terms(item.audience)

    @admin.display(description=LABELS["method"])
    def method_display(self, item):
        return join_terms(item.method)

    @admin.display(description=LABELS["levels"])
    def levels_display(self, item):
        return join_terms(item.levels)


class CatalogItemInline(TermDisplayMixin, admin.StackedInline):
    """A catalog's items on the catalog's page, nine elements each."""

    model = Item
    form = ItemForm
    extra = 0
    show_change_link = True
    classes = ["catalog-items"]
    edit_fieldsets = [
        (
            None,
            {
                "fields": [
                    ("seq", "level1", "level2"),
                    "content",
                    "basis",
                    ("deadline", "subject"),
                    "channels",
                    "channel_other",
                    ("audience", "method", "levels"),
                ]
            },
        )
    ]
    view_fieldsets = [
        (
            None,
            {
                "fields": [
                    ("seq", "level1", "level2"),
                    "content",
                    "basis",
                    ("deadline", "subject"),
                    "channels_display",
                    ("audience_display", "method_display", "levels_display"),
                ]
            },
        )
    ]
    readonly_fields = [
        "channels_display",
        "audience_display",
        "method_display",
        "levels_display",
    ]

    def get_fieldsets(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.edit_fieldsets
        return self.view_fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_staff_member(request.user):
            return False
        return obj is None or can_view_region_cached(request, obj.region)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return may_write_catalogs(request.user)
        return catalog_is_writable(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


# ---------------------------------------------------------------------------
# Items one by one, with their extra elements and history
# ---------------------------------------------------------------------------


class ItemExtraElementForm(AdminModelForm):
    class Meta:
        model = ItemExtraElement
        fields = ["name", "value", "order"]
        widgets = {"value": forms.Textarea(attrs={"rows": 2, "cols": 50})}


class ItemExtraElementInline(admin.TabularInline):
    model = ItemExtraElement
    form = ItemExtraElementForm
    extra = 1
    verbose_name = "本地增加要素"
    verbose_name_plural = "本地增加要素（可结合当地实际增加）"

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return may_write_catalogs(request.user)
        return catalog_is_writable(request.user, obj.catalog)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


def save_extra_elements_formset(request, formset) -> None:
    """Replace the item's extra elements with what the inline shows, through the service."""
    kept = []
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get(DELETION_FIELD_NAME):
            if form.instance.pk is not None and data.get(DELETION_FIELD_NAME):
                formset.deleted_objects.append(form.instance)
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        kept.append((data.get("order") or 0, index, data["name"], data["value"]))
        if form.instance.pk is None:
            formset.new_objects.append(form.instance)
        elif form.has_changed():
            formset.changed_objects.append((form.instance, form.changed_data))
    extras = [(name, value) for _order, _index, name, value in sorted(kept)]
    with calling_service(prefix="本地增加要素：", labels={"name": "要素名称", "value": "要素内容"}):
        item_set_extra_elements(actor=request.user, item=formset.instance, extras=extras)


class ItemCityFilter(CityFilter):
    path_lookup = "catalog__region__path"


class ItemLevelFilter(CatalogHolderLevelFilter):
    level_lookup = "catalog__region__level"


@admin.register(Item)
class ItemAdmin(TermDisplayMixin, ScopedHistoryAdmin):
    region_field = "catalog__region"
    form = ItemForm
    inlines = [ItemExtraElementInline]
    list_display = (
        "seq",
        "name_display",
        "region_display",
        "standard_display",
        "completeness",
        "updated_at",
    )
    list_display_links = ("seq", "name_display")
    list_select_related = ("catalog__region", "catalog__standard")
    list_filter = (ItemCityFilter, ItemLevelFilter, "catalog__standard")
    search_fields = ("level1", "level2", "catalog__region__name", "catalog__region__code")
    search_help_text = "按事项名称、区划名称或区划代码搜索"
    list_per_page = 50
    readonly_fields = ("catalog_link", "public_id", "standard_item", "problems_panel")
    # A province has thousands of catalogs: search them instead of one long <select>.
    autocomplete_fields = ("catalog",)

    def get_fieldsets(self, request, obj=None):
        header = ["catalog"] if obj is None else ["catalog_link", "problems_panel"]
        editable = obj is None or self.has_change_permission(request, obj)
        terms = (
            ["channels", "channel_other", ("audience", "method", "levels")]
            if editable
            else ["channels_display", ("audience_display", "method_display", "levels_display")]
        )
        fieldsets = [
            (None, {"fields": header}),
            (
                "九要素",
                {
                    "fields": [
                        ("seq", "level1", "level2"),
                        "content",
                        "basis",
                        ("deadline", "subject"),
                        *terms,
                    ]
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(("标识", {"fields": ["public_id", "standard_item"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None and not self.has_change_permission(request, obj):
            readonly += [
                "channels_display",
                "audience_display",
                "method_display",
                "levels_display",
            ]
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "catalog":
            kwargs["queryset"] = (
                Catalog.objects.editable_by(request.user)
                .filter(status__in=EDITABLE_STATUSES)
                .select_related("region")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def can_change_object(self, user, obj) -> bool:
        return catalog_is_writable(user, obj.catalog)

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        with calling_service(labels=LABELS):
            if change:
                item_update(actor=request.user, item=obj, **form.element_values(changed_only=True))
            else:
                created = item_create(
                    actor=request.user,
                    catalog=form.cleaned_data["catalog"],
                    **form.element_values(changed_only=False),
                )
                obj.__dict__.update(created.__dict__)
                obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is ItemExtraElement:
            save_extra_elements_formset(request, formset)
        else:  # pragma: no cover - ItemAdmin has no other inline
            raise NotImplementedError(formset.model)

    def delete_model(self, request, obj):
        try:
            item_delete(actor=request.user, item=obj)
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied("；".join(refusal_messages(error))) from error

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Also show what the first recorded change changed.

        Derivation creates items in bulk without history rows, so the oldest row of a
        derived item has nothing to be compared with; compare it with the standard item
        it was derived from, which is what the item held until then.
        """
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if not records:
            return
        oldest = records[-1]
        if (
            oldest.history_type != "~"
            or getattr(oldest, "history_delta_changes", None)
            or oldest.standard_item_id is None
            or oldest.prev_record is not None
        ):
            return
        standard = StandardItem.objects.filter(pk=oldest.standard_item_id).first()
        if standard is None:
            return
        oldest.history_delta_changes = [
            {
                "field": LABELS.get(name, name),
                "old": show_value(getattr(standard, name)),
                "new": show_value(getattr(oldest, name)),
            }
            for name in DERIVED_FIELDS
            if getattr(standard, name) != getattr(oldest, name)
        ]

    @admin.display(description="事项名称", ordering="level1")
    def name_display(self, item):
        return item.name

    @admin.display(description="区划", ordering="catalog__region__code")
    def region_display(self, item):
        return item.catalog.region.name

    @admin.display(description="领域", ordering="catalog__standard__order")
    def standard_display(self, item):
        return item.catalog.standard.field

    @admin.display(description="要素完整性")
    def completeness(self, item):
        return problems_summary(item, item.catalog.region)

    @admin.display(description="所属目录")
    def catalog_link(self, item):
        url = reverse("admin:catalogs_catalog_change", args=[item.catalog_id])
        return format_html('<a href="{}">{}</a>', url, item.catalog)

    @admin.display(description="完整性检查")
    def problems_panel(self, item):
        problems = item_problems(item, item.catalog.region)
        if not problems:
            return format_html('<span class="gk-ok">{}</span>', "九要素齐全、有效。")
        return format_html(
            '<ul class="gk-problems">{}</ul>',
            format_html_join(
                "", "<li><strong>{}</strong>：{}</li>", ((p.label, p.message) for p in problems)
            ),
        )


# ---------------------------------------------------------------------------
# Publications: every published version is kept, read only
# ---------------------------------------------------------------------------


class PublishedItemInline(admin.TabularInline):
    model = PublishedItem
    fields = ("seq", "level1", "level2", "subject", "deadline", "channels_display")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=LABELS["channels"])
    def channels_display(self, item):
        return join_terms(item.channel_labels)


class PublicationCityFilter(CityFilter):
    path_lookup = "catalog__region__path"


@admin.register(Publication)
class PublicationAdmin(ReadOnlyScopedAdmin):
    region_field = "catalog__region"
    inlines = [PublishedItemInline]
    list_display = (
        "catalog",
        "number",
        "is_current",
        "published_at",
        "published_by",
        "item_count",
        "note",
    )
    list_select_related = ("catalog", "published_by")
    list_filter = ("is_current", PublicationCityFilter, "catalog__standard")
    search_fields = ("catalog__title", "catalog__region__name", "catalog__region__code")
    search_help_text = "按目录名称、区划名称或区划代码搜索"
    fields = (
        "catalog",
        "number",
        "is_current",
        "published_at",
        "published_by",
        "item_count",
        "note",
        "compare_link",
    )
    readonly_fields = ("compare_link",)

    @admin.display(description="与当前草稿比较")
    def compare_link(self, publication):
        url = reverse("admin:catalogs_catalog_compare_publication", args=[publication.catalog_id])
        return format_html(
            '<a href="{}?publication={}">查看草稿相对本版本的变化</a>', url, publication.pk
        )


@admin.register(PublishedItem)
class PublishedItemAdmin(TermDisplayMixin, ReadOnlyScopedAdmin):
    region_field = "publication__catalog__region"
    list_display = ("seq", "name_display", "publication", "subject")
    list_select_related = ("publication__catalog",)
    search_fields = ("level1", "level2", "publication__catalog__region__name")
    fieldsets = [
        (None, {"fields": ["publication", "public_id", ("seq", "level1", "level2")]}),
        (
            "九要素",
            {
                "fields": [
                    "content",
                    "basis",
                    ("deadline", "subject"),
                    "channels_display",
                    ("audience_display", "method_display", "levels_display"),
                    "extras_display",
                ]
            },
        ),
    ]
    readonly_fields = (
        "channels_display",
        "audience_display",
        "method_display",
        "levels_display",
        "extras_display",
    )

    def has_module_permission(self, request):
        # Reached from a publication's page; not a menu entry of its own.
        return False

    @admin.display(description="事项名称")
    def name_display(self, item):
        return item.name

    @admin.display(description="本地增加要素")
    def extras_display(self, item):
        return join_terms(f"{name}：{value}" for name, value in item.extra_elements)
