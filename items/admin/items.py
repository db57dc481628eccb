"""Staff admin of disclosure items and their local extra elements.

Items are edited here one by one (with their extra elements and full history) and, in
bulk, inline on a catalog's page (``CatalogItemInline``, used by ``items.admin.catalogs``).
Every write goes through ``items.services``. The item form and the inline save are in
``items.admin.item_forms``, restoring a history version in ``items.admin.restore``.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogs.admin.base import (
    AdminModelForm,
    CatalogHolderLevelFilter,
    CityFilter,
    ScopedHistoryAdmin,
    TermDisplayMixin,
    calling_service,
    can_view_region_cached,
    is_staff_member,
    may_write_catalogs,
    own_changes,
    refusal_messages,
)
from catalogs.models import EDITABLE_STATUSES, Catalog
from catalogs.permissions import can_edit_region
from items.admin.item_forms import LABELS, ItemForm
from items.admin.item_forms import save_item_formset as save_item_formset  # re-export
from items.admin.restore import ItemRestoreAdminMixin
from items.models import Item, ItemExtraElement
from items.services import item_create, item_delete, item_set_extra_elements, item_update
from items.validation import item_problems


def problems_summary(item, region) -> str:
    """“完整” or the labels of the elements the item lacks, for list columns."""
    problems = item_problems(item, region)
    if not problems:
        return "完整"
    labels = list(dict.fromkeys(problem.label for problem in problems))
    return "缺：" + "、".join(labels)


def catalog_is_writable(user, catalog) -> bool:
    return bool(
        catalog is not None
        and may_write_catalogs(user)
        and catalog.is_editable
        and can_edit_region(user, catalog.region)
    )


ITEMS_PER_PAGE = 25
ITEMS_PAGE_PARAM = "items_page"


def items_page_number(request) -> int:
    value = request.GET.get(ITEMS_PAGE_PARAM, "")
    return int(value) if value.isdigit() and 0 < int(value) < 10**6 else 1


class CatalogItemFormSet(BaseInlineFormSet):
    """One page of a catalog's items (``ITEMS_PER_PAGE``), so that a catalog of any size
    opens quickly and its save stays far below ``DATA_UPLOAD_MAX_NUMBER_FIELDS``.

    A save is matched by the posted item ids, not by the page: items added or removed by
    others since the page was shown do not shift the forms onto other items.
    """

    page_number = 1  # set per request by CatalogItemInline.get_formset
    per_page = ITEMS_PER_PAGE

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            queryset = self.queryset.order_by("seq", "pk")
            if self.is_bound:
                queryset = queryset.filter(pk__in=self._posted_ids())
            else:
                start = (self.page_number - 1) * self.per_page
                queryset = queryset[start : start + self.per_page]
            self._queryset = queryset
        return self._queryset

    def _posted_ids(self) -> list[int]:
        ids = []
        for index in range(min(self.initial_form_count(), self.absolute_max)):
            value = self.data.get(f"{self.add_prefix(index)}-{self.model._meta.pk.name}", "")
            if str(value).isdigit():
                ids.append(int(value))
        return ids

    def clean(self):
        super().clean()
        gone = [form for form in self.initial_forms if form.instance.pk is None]
        if gone:
            names = "、".join(
                f"第{form.data.get(form.add_prefix('seq'), '?')}项" for form in gone[:10]
            )
            raise ValidationError(
                f"{names}已被他人删除（或已不属于本目录），您对它的修改无法保存。"
                "请刷新页面后重新修改（其他修改也尚未保存）。"
            )


class CatalogItemInline(TermDisplayMixin, admin.StackedInline):
    """A catalog's items on the catalog's page, nine elements each, one page at a time."""

    model = Item
    form = ItemForm
    formset = CatalogItemFormSet
    template = "admin/catalogs/catalog/items_inline.html"
    extra = 0
    show_change_link = True
    classes = ["catalog-items"]
    edit_fieldsets = [
        (
            None,
            {
                "fields": [
                    "seen_version",
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

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        total = obj.items.count() if obj is not None and obj.pk else 0
        pages = max(1, -(-total // ITEMS_PER_PAGE))
        number = min(items_page_number(request), pages)
        links = []
        for page in range(1, pages + 1):
            query = request.GET.copy()
            query[ITEMS_PAGE_PARAM] = str(page)
            links.append((page, f"?{query.urlencode()}"))
        return type(
            formset.__name__,
            (formset,),
            {
                "page_number": number,
                "page_count": pages,
                "item_total": total,
                "page_links": links,
                "page_first": (number - 1) * ITEMS_PER_PAGE + 1 if total else 0,
                "page_last": min(number * ITEMS_PER_PAGE, total),
            },
        )

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
        # A table row's inputs have no <label> of their own: name them for screen readers.
        widgets = {
            "name": forms.TextInput(attrs={"aria-label": "本地增加要素的名称"}),
            "value": forms.Textarea(
                attrs={"rows": 2, "cols": 50, "aria-label": "本地增加要素的内容"}
            ),
            "order": forms.NumberInput(attrs={"aria-label": "本地增加要素的排序"}),
        }


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
        item_set_extra_elements(
            actor=request.user,
            item=formset.instance,
            extras=extras,
            expected_version=getattr(request, "_gk_item_version", None),
        )


class ItemCityFilter(CityFilter):
    path_lookup = "catalog__region__path"


class ItemLevelFilter(CatalogHolderLevelFilter):
    level_lookup = "catalog__region__level"


@admin.register(Item)
class ItemAdmin(ItemRestoreAdminMixin, TermDisplayMixin, ScopedHistoryAdmin):
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
    readonly_fields = (
        "catalog_link",
        "guide_link",
        "public_id",
        "standard_item",
        "problems_panel",
    )
    # A province has thousands of catalogs: search them instead of one long <select>.
    autocomplete_fields = ("catalog",)

    def get_fieldsets(self, request, obj=None):
        header = ["catalog"] if obj is None else ["catalog_link", "guide_link", "problems_panel"]
        editable = obj is None or self.has_change_permission(request, obj)
        terms = (
            ["channels", "channel_other", ("audience", "method", "levels")]
            if editable
            else ["channels_display", ("audience_display", "method_display", "levels_display")]
        )
        if obj is not None and editable:
            header = [*header, "seen_version"]
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
        with calling_service(labels=LABELS, form=form):
            if change:
                loaded = obj.version
                item_update(
                    actor=request.user,
                    item=obj,
                    expected_version=form.seen_version,
                    **own_changes(form, form.element_values(changed_only=True)),
                )
                # The extras are saved next, against this save's version if it wrote one.
                request._gk_item_version = (
                    obj.version if obj.version != loaded else form.seen_version
                )
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

    def response_change(self, request, obj):
        """After 保存, back to the item's catalog at the item: its page of the catalog's items
        and its form there, not the list of every item."""
        from django.contrib.admin.options import IS_POPUP_VAR
        from django.http import HttpResponseRedirect

        response = super().response_change(request, obj)
        stays = ("_continue", "_addanother", "_saveasnew", IS_POPUP_VAR)
        if any(key in request.POST for key in stays) or response.status_code != 302:
            return response
        ids = list(
            Item.objects.filter(catalog_id=obj.catalog_id)
            .order_by("seq", "pk")
            .values_list("pk", flat=True)
        )
        page, position = divmod(ids.index(obj.pk) if obj.pk in ids else 0, ITEMS_PER_PAGE)
        url = reverse("admin:catalogs_catalog_change", args=[obj.catalog_id])
        return HttpResponseRedirect(f"{url}?{ITEMS_PAGE_PARAM}={page + 1}#items-{position}")

    def delete_model(self, request, obj):
        try:
            item_delete(actor=request.user, item=obj)
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied("；".join(refusal_messages(error))) from error

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

    @admin.display(description="办事指南")
    def guide_link(self, item):
        # A URL, not an import: the guides app sits above items (it opens the item's guide,
        # or a new one for it).
        url = reverse("guides:edit_for_item", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, "编辑办事指南")

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
