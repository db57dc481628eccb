"""Derived catalogs: their items inline, completeness, publication and comparisons.

The model is ``catalogs.Catalog``; its admin lives here because the catalog's page edits
its items through ``CatalogItemInline`` and the item services.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from catalogs.admin.base import (
    ActionForm,
    AdminModelForm,
    CatalogHolderLevelFilter,
    CityFilter,
    ScopedHistoryAdmin,
    action_step,
    change_rows,
    refusal_messages,
    report_refusal,
)
from catalogs.models import (
    Catalog,
    CatalogStatus,
    RegionLevel,
    StandardEdition,
)
from catalogs.selectors import edition_changes
from items.admin.adoption import CatalogAdoptionAdminMixin
from items.admin.excel import CatalogExcelAdminMixin
from items.admin.items import CatalogItemInline, catalog_is_writable, save_item_formset
from items.models import Item
from items.selectors import publication_changes
from items.services import ELEMENT_FIELDS, catalog_publish
from items.validation import item_problems

# What the completeness panel reads of each item (item_problems), and how many it lists.
COMPLETENESS_FIELDS = ("pk", *ELEMENT_FIELDS)
INCOMPLETE_SHOWN = 50


def publishing_goes_back(catalog) -> bool:
    """Whether publishing may send the catalog back to review (已复核 or 已验收 with changes)."""
    return catalog.has_unpublished_changes and catalog.status in (
        CatalogStatus.REVIEWED,
        CatalogStatus.ACCEPTED,
    )


class ItemRow(SimpleNamespace):
    """An item's elements read as values (a model instance each costs 5 times as much)."""

    name = property(Item.name.fget)


class PublishForm(ActionForm):
    note = forms.CharField(
        label="发布说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="例如“首次发布”“根据第2版标准目录调整”。",
    )


class CatalogForm(AdminModelForm):
    class Meta:
        model = Catalog
        fields = []


@admin.register(Catalog)
class CatalogAdmin(CatalogAdoptionAdminMixin, CatalogExcelAdminMixin, ScopedHistoryAdmin):
    change_form_template = "admin/catalogs/catalog/change_form.html"
    change_list_template = "admin/catalogs/catalog/change_list.html"
    form = CatalogForm
    inlines = [CatalogItemInline]
    list_display = (
        "name_display",
        "region_code",
        "edition_display",
        "status",
        "items_count",
        "incomplete_count",
        "unpublished",
        "last_published_at",
    )
    list_select_related = ("region", "standard", "edition")
    list_filter = ("status", "standard", CatalogHolderLevelFilter, CityFilter)
    search_fields = ("region__name", "region__code", "title")
    search_help_text = "按区划名称、区划代码或目录名称搜索"
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    ("region", "standard"),
                    "edition_info",
                    ("status", "status_changed_at"),
                    ("created_at", "draft_changed_at", "last_published_at"),
                    "poster_link",
                ]
            },
        )
    ]
    readonly_fields = (
        "title",
        "region",
        "standard",
        "edition_info",
        "status",
        "status_changed_at",
        "created_at",
        "draft_changed_at",
        "last_published_at",
        "poster_link",
    )
    # The Excel mixin adds its own action, 导出所选目录（Excel）.
    actions = ["check_completeness", "publish_catalogs"]

    def get_queryset(self, request):
        newest = (
            StandardEdition.objects.published()
            .filter(standard=OuterRef("standard"))
            .order_by("-version")
            .values("version")[:1]
        )
        queryset = super().get_queryset(request).annotate(newest_version=Subquery(newest))
        if getattr(request, "_gk_catalog_list", False):
            # The list's count columns; the change page reads its items a page at a time.
            queryset = queryset.prefetch_related(
                Prefetch("items", queryset=Item.objects.order_by("seq", "pk"))
            )
        return queryset

    def get_changelist_instance(self, request):
        request._gk_catalog_list = True
        return super().get_changelist_instance(request)

    def can_change_object(self, user, obj) -> bool:
        return catalog_is_writable(user, obj)

    def save_model(self, request, obj, form, change):
        """A catalog's own fields are set by derivation and its lifecycle, never typed in."""

    def save_formset(self, request, form, formset, change):
        if formset.model is Item:
            save_item_formset(request, formset)
        else:  # pragma: no cover - CatalogAdmin has no other inline
            raise NotImplementedError(formset.model)

    # -- list columns --------------------------------------------------------------

    @admin.display(description="目录", ordering="region__code")
    def name_display(self, catalog):
        return f"{catalog.region.name} · {catalog.standard.field}"

    @admin.display(description="区划代码", ordering="region__code")
    def region_code(self, catalog):
        return catalog.region.code

    @admin.display(description="依据版本", ordering="edition__version")
    def edition_display(self, catalog):
        text = f"第{catalog.edition.version}版"
        newest = getattr(catalog, "newest_version", None)
        if newest and newest > catalog.edition.version:
            return format_html('{} <span class="gk-warn">（已有第{}版）</span>', text, newest)
        return text

    @admin.display(description="事项数")
    def items_count(self, catalog):
        return len(catalog.items.all())

    @admin.display(description="不完整事项")
    def incomplete_count(self, catalog):
        count = sum(1 for item in catalog.items.all() if item_problems(item, catalog.region))
        if not count:
            return "0"
        return format_html('<span class="gk-warn">{}</span>', count)

    @admin.display(description="未公开的修改")
    def unpublished(self, catalog):
        if catalog.last_published_at is None:
            return "尚未公开"
        if catalog.has_unpublished_changes:
            return format_html('<span class="gk-warn">{}</span>', "有")
        return "无"

    @admin.display(description="依据版本")
    def edition_info(self, catalog):
        newest = catalog.standard.current_edition
        text = str(catalog.edition)
        if newest and newest.version > catalog.edition.version:
            url = reverse("admin:catalogs_catalog_compare_edition", args=[catalog.pk])
            return format_html(
                '{} <a class="gk-warn" href="{}">已发布第{}版，查看新版变化</a>',
                text,
                url,
                newest.version,
            )
        return text

    @admin.display(description="公示栏二维码")
    def poster_link(self, catalog):
        """A village catalog's printable 公示栏 poster (once published)."""
        if catalog.region.level != RegionLevel.VILLAGE:
            return "—"
        if catalog.last_published_at is None:
            return "目录公开后可打印公示栏二维码海报。"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">打印公示栏二维码海报</a>',
            reverse("site:catalog_poster", args=[catalog.pk]),
        )

    # -- the change page -----------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.catalog_panels(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def catalog_panels(self, request, catalog) -> dict:
        # One read of every item's elements, whatever the catalog's size; the panel lists
        # the first INCOMPLETE_SHOWN incomplete items and counts the rest.
        items = [
            ItemRow(**row)
            for row in catalog.items.order_by("seq", "pk").values(*COMPLETENESS_FIELDS)
        ]
        incomplete = [
            (item, problems) for item in items if (problems := item_problems(item, catalog.region))
        ]
        publications = list(catalog.publications.select_related("published_by"))
        newest = catalog.standard.current_edition
        info = self.opts.app_label, self.opts.model_name
        return {
            "incomplete_items": [
                {
                    "item": item,
                    "url": reverse("admin:items_item_change", args=[item.pk]),
                    "problems": problems,
                }
                for item, problems in incomplete[:INCOMPLETE_SHOWN]
            ],
            "incomplete_total": len(incomplete),
            "incomplete_more": max(0, len(incomplete) - INCOMPLETE_SHOWN),
            "items_list_url": reverse("admin:items_item_changelist")
            + f"?catalog__id__exact={catalog.pk}",
            "item_total": len(items),
            "publications": publications,
            "newer_edition": newest
            if newest and newest.version > catalog.edition.version
            else None,
            "events": list(catalog.events.select_related("actor").order_by("-at", "-pk")[:10]),
            "can_publish": self.has_change_permission(request, catalog),
            "publish_url": reverse("admin:{}_{}_publish".format(*info), args=[catalog.pk]),
            "compare_publication_url": reverse(
                "admin:{}_{}_compare_publication".format(*info), args=[catalog.pk]
            ),
            "compare_edition_url": reverse(
                "admin:{}_{}_compare_edition".format(*info), args=[catalog.pk]
            ),
            "publications_url": reverse(
                "admin:{}_{}_publications".format(*info), args=[catalog.pk]
            ),
        }

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = [
            ("publish", self.publish_view),
            ("compare-publication", self.compare_publication_view),
            ("compare-edition", self.compare_edition_view),
            ("publications", self.publications_view),
        ]
        return [
            *(
                path(
                    f"<path:object_id>/{slug}/",
                    self.admin_site.admin_view(view),
                    name="{}_{}_{}".format(*info, slug.replace("-", "_")),
                )
                for slug, view in views
            ),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id) -> Catalog:
        catalog = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, catalog):
            raise PermissionDenied
        return catalog

    def _page(self, request, catalog, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": catalog,
            "change_url": reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
            **context,
        }
        return TemplateResponse(request, template, context)

    def publish_view(self, request, object_id):
        catalog = self._viewable(request, object_id)
        if not self.has_change_permission(request, catalog):
            raise PermissionDenied("您无权发布该目录。")
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                publication = catalog_publish(
                    actor=request.user, catalog=catalog, note=form.cleaned_data["note"]
                )
            except (ValidationError, PermissionDenied) as error:
                for message in refusal_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"已发布“{catalog}”（第{publication.number}次公开，{publication.item_count}项）。"
                    "公众现在看到的是这一版本。",
                )
                return redirect("admin:catalogs_catalog_change", catalog.pk)
        return self._page(
            request,
            catalog,
            "admin/catalogs/catalog/publish.html",
            title=f"发布目录：{catalog}",
            form=form,
            incomplete_items=[
                (item, problems)
                for item in catalog.items.all()
                if (problems := item_problems(item, catalog.region))
            ],
            rows=change_rows(publication_changes(catalog)),
            has_publication=catalog.publications.exists(),
        )

    def compare_publication_view(self, request, object_id):
        catalog = self._viewable(request, object_id)
        publications = list(catalog.publications.all())
        chosen = next(
            (p for p in publications if str(p.pk) == request.GET.get("publication")),
            next((p for p in publications if p.is_current), None),
        )
        return self._page(
            request,
            catalog,
            "admin/catalogs/changes.html",
            title=f"{catalog} 与公开版本比较",
            intro=(
                f"当前草稿相对“第{chosen.number}次公开”"
                f"（{timezone.localtime(chosen.published_at):%Y-%m-%d %H:%M}）的变化。"
                if chosen
                else "该目录尚未公开过，草稿中的全部事项都是新增。"
            ),
            rows=change_rows(publication_changes(catalog, chosen)) if chosen else [],
            has_base=chosen is not None,
            choices=[
                (p.pk, f"第{p.number}次公开{'（当前）' if p.is_current else ''}", p == chosen)
                for p in publications
            ],
            choice_name="publication",
            choice_label="比较的公开版本",
            back_url=reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
        )

    def compare_edition_view(self, request, object_id):
        catalog = self._viewable(request, object_id)
        editions = list(
            catalog.standard.editions.published()
            .filter(version__gt=catalog.edition.version)
            .order_by("-version")
        )
        chosen = next((e for e in editions if str(e.pk) == request.GET.get("edition")), None)
        chosen = chosen or (editions[0] if editions else None)
        return self._page(
            request,
            catalog,
            "admin/catalogs/changes.html",
            title=f"{catalog} 与新版标准比较",
            intro=(
                f"本目录依据第{catalog.edition.version}版编制；第{chosen.version}版标准目录作了以下调整。"
                "目录内容不会自动改变，请据此逐项修改。"
                if chosen
                else f"本目录依据的第{catalog.edition.version}版已是最新的已发布版本。"
            ),
            rows=change_rows(edition_changes(catalog.edition, chosen)) if chosen else [],
            has_base=chosen is not None,
            choices=[(e.pk, f"第{e.version}版", e == chosen) for e in editions],
            choice_name="edition",
            choice_label="比较的标准版本",
            back_url=reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
        )

    def publications_view(self, request, object_id):
        catalog = self._viewable(request, object_id)
        compare_url = reverse("admin:catalogs_catalog_compare_publication", args=[catalog.pk])
        return self._page(
            request,
            catalog,
            "admin/catalogs/catalog/publications.html",
            title=f"{catalog} 的全部公开版本",
            publications=[
                {
                    "publication": publication,
                    "url": reverse("admin:items_publication_change", args=[publication.pk]),
                    "compare_url": f"{compare_url}?publication={publication.pk}",
                }
                for publication in catalog.publications.select_related("published_by")
            ],
        )

    # -- actions -------------------------------------------------------------------

    @admin.action(description="检查完整性", permissions=["view"])
    def check_completeness(self, request, queryset):
        for catalog in queryset:
            incomplete = [
                (item, problems)
                for item in catalog.items.all()
                if (problems := item_problems(item, catalog.region))
            ]
            if not incomplete:
                messages.success(
                    request, f"“{catalog}”：全部{len(catalog.items.all())}项事项九要素齐全。"
                )
                continue
            lines = format_html_join(
                mark_safe("<br>"),
                "第{}项“{}”：{}",
                (
                    (item.seq, item.name, "；".join(p.message for p in problems))
                    for item, problems in incomplete
                ),
            )
            messages.warning(
                request,
                format_html("“{}”有{}项事项要素不完整：<br>{}", catalog, len(incomplete), lines),
            )

    @admin.action(description="发布目录", permissions=["change"])
    def publish_catalogs(self, request, queryset):
        catalogs = list(queryset.select_related("region", "standard"))
        backwards = [catalog for catalog in catalogs if publishing_goes_back(catalog)]
        if backwards and "apply" not in request.POST:
            # Publishing these sends them back to be reviewed again: say so and ask first.
            return action_step(
                self,
                request,
                action="publish_catalogs",
                title="发布目录",
                intro=(
                    f"所选目录中有{len(backwards)}个已复核或已验收的目录：发布修改后它们回到"
                    "“已发布”状态，须重新复核、录入（已验收的目录增删事项时还须重新验收）。"
                    "只修改内容的已验收目录发布后仍为“已验收”。确定发布吗？"
                ),
                objects=catalogs,
                form=forms.Form(),
            )
        for catalog in catalogs:
            try:
                publication = catalog_publish(actor=request.user, catalog=catalog)
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"“{catalog}”未发布：")
            else:
                messages.success(request, f"已发布“{catalog}”（第{publication.number}次公开）。")
