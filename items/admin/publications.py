"""Publications (公开版本): every published version of a catalog is kept, read only.

A publication's items are copies made when it was published; staff reach them from the
publication's page. Nothing here writes: publishing is ``items.services.catalog_publish``,
called from the catalog's page (``items.admin.catalogs``).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from catalogs.admin.base import (
    CityFilter,
    ReadOnlyScopedAdmin,
    TermDisplayMixin,
    is_staff_member,
    join_terms,
)
from items.models import Publication, PublishedItem


class PublishedItemInline(TermDisplayMixin, admin.TabularInline):
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
