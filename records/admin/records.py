"""公开信息: the record admin, with its channels as an inline."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils import timezone

from catalogs.admin.base import (
    AdminModelForm,
    CityFilter,
    ScopedHistoryAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    is_staff_member,
    may_write_catalogs,
)
from catalogs.models import Catalog
from items.models import Item
from records.admin.channels import RecordChannelInline, _apply_photos, _channel_rows
from records.admin.common import (
    LABELS,
    ItemChoiceField,
    _raise_as_permission,
    catalog_label,
    editable_catalogs,
)
from records.admin.excel import RecordExcelAdminMixin
from records.calendar import load_calendar
from records.models import DisclosureRecord, RecordChannel
from records.services import (
    RECORD_FIELDS,
    record_create,
    record_delete,
    record_update,
    validate_record_values,
)
from records.timeliness import record_state

# ---------------------------------------------------------------------------
# 公开信息 with its channels
# ---------------------------------------------------------------------------


class RecordForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()

    class Meta:
        model = DisclosureRecord
        fields = [
            "item",
            "title",
            "document_number",
            "kind",
            "formed_on",
            "published_on",
            "notice_start",
            "notice_end",
        ]

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in RECORD_FIELDS}
        if self.instance.pk is not None:
            for name in RECORD_FIELDS:
                if name not in self.fields:
                    values[name] = getattr(self.instance, name)
        if not self.errors:
            try:
                validate_record_values(values, today=timezone.localdate())
            except ValidationError as error:
                for name, messages_ in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages_)
        return cleaned

    def validate_unique(self):
        """The service validates the constraints, with Chinese messages."""


class RecordCityFilter(CityFilter):
    path_lookup = "catalog__region__path"


class TimelinessFilter(admin.SimpleListFilter):
    title = "是否按时"
    parameter_name = "timeliness"

    def lookups(self, request, model_admin):
        return [
            ("on_time", "按时公开"),
            ("late", "逾期公开"),
            ("overdue", "逾期未公开"),
            ("not_due", "未到期"),
            ("no_deadline", "无固定时限"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "on_time":
            return queryset.on_time()
        if value == "late":
            return queryset.late()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "not_due":
            return queryset.not_yet_due(today)
        if value == "no_deadline":
            return queryset.filter(due_on__isnull=True)
        return queryset


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(RecordExcelAdminMixin, ScopedHistoryAdmin):
    region_field = "catalog__region"
    form = RecordForm
    inlines = [RecordChannelInline]
    change_list_template = "admin/records/disclosurerecord/change_list.html"
    list_display = (
        "title",
        "item_display",
        "region_display",
        "kind",
        "formed_on",
        "published_on",
        "due_on",
        "timeliness_display",
    )
    list_select_related = ("catalog__region", "catalog__standard")
    list_filter = (RecordCityFilter, TimelinessFilter, "kind", "catalog__standard")
    search_fields = ("title", "document_number", "catalog__region__name", "catalog__region__code")
    search_help_text = "按信息标题、文号、区划名称或区划代码搜索"
    date_hierarchy = "published_on"
    list_per_page = 50

    # -- what is shown -------------------------------------------------------------

    def get_queryset(self, request):
        items = Item.objects.filter(public_id=OuterRef("item_id"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_seq=Subquery(items.values("seq")[:1]),
                item_level1=Subquery(items.values("level1")[:1]),
                item_level2=Subquery(items.values("level2")[:1]),
            )
        )

    def get_fieldsets(self, request, obj=None):
        header = ["item"] if obj is None else ["item_display", "catalog_display"]
        editable = obj is None or self.has_change_permission(request, obj)
        if obj is not None and editable:
            header.append("seen_version")
        return [
            (None, {"fields": header}),
            (
                "公开信息",
                {
                    "fields": [
                        "title",
                        ("document_number", "kind"),
                        ("formed_on", "published_on"),
                        ("notice_start", "notice_end"),
                    ]
                },
            ),
            (
                "公开期限",
                {"fields": ["deadline_text", "due_display", "timeliness_full"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["deadline_text", "due_display", "timeliness_full"]
        if obj is not None:
            readonly += ["item_display", "catalog_display"]
            if not self.has_change_permission(request, obj):
                readonly += list(RECORD_FIELDS)
        return readonly

    @admin.display(description="公开事项", ordering="item_seq")
    def item_display(self, record):
        seq = getattr(record, "item_seq", None)
        if seq is None:
            item = Item.objects.filter(public_id=record.item_id).first()
            if item is None:
                return "（事项已从目录中删除）"
            return f"第{item.seq}项 {item.name}"
        name = " · ".join(part for part in (record.item_level1, record.item_level2) if part)
        return f"第{seq}项 {name}"

    @admin.display(description="目录", ordering="catalog__region__code")
    def region_display(self, record):
        return catalog_label(record.catalog)

    @admin.display(description="目录")
    def catalog_display(self, record):
        return catalog_label(record.catalog)

    @admin.display(description="公开期限")
    def due_display(self, record):
        if record is None or record.pk is None:
            return "保存后按事项的公开时限和形成日期计算"
        if record.due_on is None:
            return "无固定期限"
        return f"{record.due_on:%Y-%m-%d}{'（预计）' if record.due_estimated else ''}"

    @admin.display(description="是否按时")
    def timeliness_full(self, record):
        if record is None or record.pk is None:
            return "—"
        return record_state(record, today=timezone.localdate(), calendar=load_calendar()).label

    @admin.display(description="是否按时")
    def timeliness_display(self, record):
        today = timezone.localdate()
        if record.due_on is None:
            return "无固定时限"
        if record.published_on is not None:
            return "按时" if record.published_on <= record.due_on else "逾期"
        return "逾期未公开" if today > record.due_on else "未到期"

    # -- permissions -----------------------------------------------------------------

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # -- adding: first the catalog -----------------------------------------------------

    def _chosen_catalog(self, request) -> Catalog | None:
        value = request.GET.get("catalog", "")
        if not value.isdigit():
            return None
        return editable_catalogs(request.user).filter(pk=int(value)).first()

    def add_view(self, request, form_url="", extra_context=None):
        if self._chosen_catalog(request) is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            catalogs = list(editable_catalogs(request.user).order_by("region__code", "standard"))
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "录入公开信息：选择目录",
                "catalogs": [(catalog.pk, catalog_label(catalog)) for catalog in catalogs],
                "wrong_choice": bool(request.GET.get("catalog")),
            }
            return TemplateResponse(request, "admin/records/choose_catalog.html", context)
        return super().add_view(request, form_url, extra_context)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "item":
            # The chosen catalog's items only, without the related-object buttons.
            catalog = self._chosen_catalog(request)
            items = Item.objects.filter(catalog=catalog) if catalog else Item.objects.none()
            return ItemChoiceField(
                queryset=items.order_by("seq", "pk"),
                to_field_name="public_id",
                label="公开事项",
                help_text=f"{catalog_label(catalog)}的事项" if catalog else "",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # -- writing: through the services ---------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Nothing here: ``save_related`` writes the record and its channels in one call."""

    def save_formset(self, request, form, formset, change):  # pragma: no cover - unused
        raise NotImplementedError("records are saved with their channels in save_related")

    def save_related(self, request, form, formsets, change):
        formset = next(fs for fs in formsets if fs.model is RecordChannel)
        channels, photos = _channel_rows(formset)
        values = {name: form.cleaned_data[name] for name in RECORD_FIELDS if name in form.fields}
        obj = form.instance
        with calling_service(labels=LABELS):
            if change:
                seen = form.seen_version
                record = record_update(
                    actor=request.user,
                    record=obj,
                    version=obj.version if seen is None else seen,
                    channels=channels,
                    **values,
                )
            else:
                record = record_create(
                    actor=request.user, item=form.cleaned_data["item"], channels=channels, **values
                )
            _apply_photos(request.user, record, photos)
        obj.__dict__.update(
            {key: value for key, value in record.__dict__.items() if not key.startswith("_")}
        )
        obj._state.adding = False
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        try:
            record_delete(actor=request.user, record=obj)
        except (ValidationError, PermissionDenied) as error:
            _raise_as_permission(error)
