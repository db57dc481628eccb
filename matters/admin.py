"""The staff admin of the matters app: the 政务服务事项库 (flat import, linking page),
监督举报 channels (the region's editors) and search synonyms (the province)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from catalogs.admin.base import (
    AdminModelForm,
    RegionScopedAdmin,
    ServiceAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    is_staff_member,
    report_refusal,
)
from catalogs.models import Catalog, Region
from catalogs.permissions import can_edit_region, editable_region_filter
from items.admin.flat import FlatSheetAdminMixin
from items.models import Item
from matters import selectors, services
from matters.models import ComplaintChannel, SearchSynonym, ServiceMatter
from matters.permissions import may_edit_synonyms, may_import_matters
from matters.resources import ServiceMatterResource


def _log(request, item: Item, message: str) -> None:
    """The item's admin history records who linked or unlinked it."""
    LogEntry.objects.log_actions(
        request.user.pk, [item], CHANGE, change_message=message, single_object=True
    )


# ---------------------------------------------------------------------------
# 政务服务事项库: read-only rows, written by the flat import
# ---------------------------------------------------------------------------


@admin.register(ServiceMatter)
class ServiceMatterAdmin(FlatSheetAdminMixin, RegionScopedAdmin):
    resource_classes = [ServiceMatterResource]
    list_display = ("code", "name", "region", "implementer", "department", "link_count")
    list_filter = ("department",)
    search_fields = ("code", "name", "implementer")
    list_select_related = ("region",)
    readonly_fields = (
        "region",
        "code",
        "name",
        "implementer",
        "department",
        "handling_items",
        "online_url",
        "source",
        "imported_at",
    )
    fields = readonly_fields
    import_export_change_list_template = "admin/matters/servicematter/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(link_total=Count("links"))

    @admin.display(description="关联事项数", ordering="link_total")
    def link_count(self, matter):
        return matter.link_total

    def has_import_permission(self, request):
        return may_import_matters(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "link_url": reverse("admin:matters_servicematter_link_catalogs"),
            "report_url": reverse("matters:unlinked"),
        }
        return super().changelist_view(request, extra_context)

    # -- linking items to entries ---------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "link/",
                self.admin_site.admin_view(self.link_catalogs_view),
                name="matters_servicematter_link_catalogs",
            ),
            path(
                "link/<int:catalog_id>/",
                self.admin_site.admin_view(self.link_view),
                name="matters_servicematter_link",
            ),
        ]
        return own + super().get_urls()

    def link_catalogs_view(self, request):
        if not is_staff_member(request.user):
            raise PermissionDenied
        catalogs = (
            Catalog.objects.for_user(request.user)
            .filter(editable_region_filter(request.user))
            .select_related("region", "standard")
            .order_by("region__code", "standard__order")
        )[:500]
        context = {
            **self.admin_site.each_context(request),
            "title": "关联政务服务事项：选择目录",
            "opts": self.opts,
            "catalogs": catalogs,
        }
        return TemplateResponse(request, "admin/matters/link_catalogs.html", context)

    def link_view(self, request, catalog_id: int):
        if not is_staff_member(request.user):
            raise PermissionDenied
        catalog = (
            Catalog.objects.for_user(request.user)
            .select_related("region", "standard")
            .filter(pk=catalog_id)
            .first()
        )
        if catalog is None:
            raise Http404("找不到该目录，或您无权查看。")
        may_edit = can_edit_region(request.user, catalog.region)
        if request.method == "POST":
            if not may_edit:
                raise PermissionDenied(f"您无权修改“{catalog.region.name}”目录事项的事项库关联。")
            self._link_post(request, catalog)
            return HttpResponseRedirect(request.path)
        rows = selectors.suggestions_for_catalog(catalog)
        context = {
            **self.admin_site.each_context(request),
            "title": f"关联政务服务事项：{catalog.title}",
            "opts": self.opts,
            "catalog": catalog,
            "rows": rows,
            "may_edit": may_edit,
            "min_score": selectors.SUGGESTION_MIN_SCORE,
        }
        return TemplateResponse(request, "admin/matters/link.html", context)

    def _link_post(self, request, catalog: Catalog) -> None:
        action = request.POST.get("action", "")
        try:
            if action == "accept_all":
                count = 0
                for row in selectors.suggestions_for_catalog(catalog):
                    if (
                        row.linked is None
                        and row.suggested is not None
                        and selectors.is_service_item(row.item)
                    ):
                        services.item_link_matter(
                            actor=request.user, item=row.item, matter=row.suggested, score=row.score
                        )
                        _log(request, row.item, f"按建议关联政务服务事项“{row.suggested.name}”。")
                        count += 1
                messages.success(request, f"已按建议关联{count}个事项。")
                return
            item = self._posted_item(request, catalog)
            if action == "unlink":
                if services.item_unlink_matter(actor=request.user, item=item):
                    _log(request, item, "取消政务服务事项库关联。")
                    messages.success(request, f"已取消第{item.seq}项的事项库关联。")
                return
            if action == "link":
                matter_id = request.POST.get("matter", "")
                matter = ServiceMatter.objects.filter(
                    pk=int(matter_id) if matter_id.isdigit() else 0
                ).first()
                if matter is None:
                    messages.error(request, f"第{item.seq}项：请选择要关联的政务服务事项。")
                    return
                score = selectors.name_similarity(selectors.item_core_name(item), matter.name)
                services.item_link_matter(actor=request.user, item=item, matter=matter, score=score)
                _log(request, item, f"关联政务服务事项“{matter.name}”（{matter.code}）。")
                messages.success(request, f"第{item.seq}项已关联“{matter.name}”（{matter.code}）。")
                return
            messages.error(request, "未知的操作。")
        except (ValidationError, PermissionDenied) as error:
            report_refusal(request, error)

    def _posted_item(self, request, catalog: Catalog) -> Item:
        raw = request.POST.get("item", "")
        item = Item.objects.filter(catalog=catalog, pk=int(raw) if raw.isdigit() else 0).first()
        if item is None:
            raise Http404("找不到该事项。")
        return item


# ---------------------------------------------------------------------------
# 监督举报 channels
# ---------------------------------------------------------------------------


class ComplaintChannelForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = ComplaintChannel
        fields = ("region", "kind", "value", "note", "order")


@admin.register(ComplaintChannel)
class ComplaintChannelAdmin(RegionScopedAdmin):
    form = ComplaintChannelForm
    list_display = ("region", "kind", "value", "note", "order")
    list_filter = ("kind",)
    search_fields = ("region__name", "region__code", "value")
    list_select_related = ("region",)
    autocomplete_fields = ()
    fields = ("region", "kind", "value", "note", "order", "seen_version")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        region_field = form.base_fields.get("region")
        if region_field is not None:
            region_field.queryset = Region.objects.filter(
                editable_region_filter(request.user, prefix="")
            ).exclude(level="village")
            region_field.help_text = "乡镇未填写时，公开页面显示所在县（市、区）的监督举报方式。"
        return form

    def get_readonly_fields(self, request, obj=None):
        return ("region",) if obj is not None else ()

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        labels = services.CHANNEL_LABELS
        with calling_service(labels=labels, form=form):
            if change:
                values = {
                    name: form.cleaned_data[name] for name in form.changed_data if name in labels
                }
                saved = services.complaint_channel_update(
                    actor=request.user,
                    channel=obj,
                    expected_version=form.seen_version,
                    **values,
                )
            else:
                saved = services.complaint_channel_create(
                    actor=request.user,
                    region=form.cleaned_data["region"],
                    kind=form.cleaned_data["kind"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data.get("note", ""),
                    order=form.cleaned_data.get("order") or 0,
                )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.complaint_channel_delete(actor=request.user, channel=obj)

    def delete_queryset(self, request, queryset):
        for channel in queryset:
            services.complaint_channel_delete(actor=request.user, channel=channel)


# ---------------------------------------------------------------------------
# Search synonyms (the province)
# ---------------------------------------------------------------------------


class SearchSynonymForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()
    terms_text = forms.CharField(
        label="同义词",
        max_length=300,
        help_text="一组意思相同的词，用空格、逗号或顿号分隔，例如：低保、最低生活保障。"
        "搜索其中任何一个词，都会同时查找其他词。",
    )

    class Meta:
        model = SearchSynonym
        fields = ("note",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["terms_text"].initial = "、".join(self.instance.terms)


@admin.register(SearchSynonym)
class SearchSynonymAdmin(ServiceAdmin):
    form = SearchSynonymForm
    list_display = ("shown_terms", "note", "updated_at")
    search_fields = ("terms", "note")
    fields = ("terms_text", "note", "seen_version")

    @admin.display(description="同义词")
    def shown_terms(self, synonym):
        return format_html("{}", " ↔ ".join(synonym.terms))

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_synonyms(request.user)

    def has_add_permission(self, request):
        return may_edit_synonyms(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_edit_synonyms(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("找不到该同义词组。")
        return obj

    def save_model(self, request, obj, form, change):
        with calling_service(labels={"terms": "同义词", "note": "说明"}, form=form):
            saved = services.synonym_save(
                actor=request.user,
                synonym=obj,
                terms=services.parse_terms(form.cleaned_data["terms_text"]),
                note=form.cleaned_data.get("note", ""),
                expected_version=form.seen_version,
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.synonym_delete(actor=request.user, synonym=obj)

    def delete_queryset(self, request, queryset):
        for synonym in queryset:
            services.synonym_delete(actor=request.user, synonym=synonym)
