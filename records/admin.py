"""The staff admin of disclosure records (公开信息).

- **公开信息** (``DisclosureRecordAdmin``): a record with its channels as an inline; every
  write goes through ``records.services`` (the change form carries the version it showed,
  a stale one is refused). Adding starts by choosing one of the catalogs the user may
  record for (``?catalog=ID``), so the item list stays short. The changelist links to the
  Excel import (upload → preview → confirm: the confirm applies exactly the plan the
  preview showed, by its digest, or refuses) and export of a catalog's records.
- **节假日安排** (``HolidayCalendarAdmin``): the working-day calendar, for the province
  administrator only; every save recomputes the records' due dates.
- **基层政务公开专栏** (``SpecialColumnAdmin``): each county's or township's 专栏 URL per field.

Scoping is ``catalogs.admin.base.RegionScopedAdmin``'s: querysets through ``for_user``,
another region's object is a 404, writes need ``can_edit_region``. Evidence photos are
never linked from their storage URL: the inline links to ``records:photo``, which checks
who asks.
"""

from __future__ import annotations

import base64
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from catalogs.admin.base import (
    AdminModelForm,
    ChineseMessagesFormMixin,
    CityFilter,
    RegionScopedAdmin,
    ScopedHistoryAdmin,
    ServiceAdmin,
    VersionedFormMixin,
    VersionField,
    calling_service,
    is_staff_member,
    may_write_catalogs,
    refusal_messages,
)
from catalogs.downloads import attachment_response
from catalogs.models import Catalog, Region, RegionLevel, StandardCatalog
from catalogs.permissions import editable_region_filter, is_province_admin
from items.models import Item
from records.calendar import load_calendar
from records.excel import (
    MAX_UPLOAD_BYTES,
    RecordSheetError,
    records_export_workbook,
    records_import_apply,
    records_import_plan,
)
from records.models import (
    ChannelCheck,
    DisclosureRecord,
    HolidayCalendar,
    RecordChannel,
    SpecialColumn,
)
from records.services import (
    RECORD_FIELDS,
    can_record,
    channel_photo_attach,
    channel_photo_describe,
    channel_photo_remove,
    holiday_delete,
    holiday_save,
    record_create,
    record_delete,
    record_update,
    special_column_remove,
    special_column_set,
    validate_record_values,
)
from records.timeliness import record_state

LABELS = {
    "item": "公开事项",
    "title": "信息标题",
    "document_number": "文号",
    "kind": "信息类别",
    "formed_on": "形成日期",
    "published_on": "发布日期",
    "notice_start": "公示开始",
    "notice_end": "公示结束",
    "photo_taken_on": "拍摄日期",
    "url": "网址",
    "date": "日期",
}
PAYLOAD_MAX_AGE = 3600
SALT = "records.admin.import"


def max_upload_bytes() -> int:
    """The largest sheet that still fits back into the confirm form as base64."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_UPLOAD_BYTES
    return min(MAX_UPLOAD_BYTES, int(limit * 0.7))


def _sign_upload(content: bytes, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign(base64.b64encode(content).decode("ascii"))


def _unsign_upload(payload: str, salt: str) -> bytes:
    signer = signing.TimestampSigner(salt=salt)
    return base64.b64decode(signer.unsign(payload, max_age=PAYLOAD_MAX_AGE))


def _raise_as_permission(error: Exception) -> None:
    raise PermissionDenied("；".join(refusal_messages(error))) from error


def editable_catalogs(user):
    """The catalogs ``user`` may record for, whatever their review status."""
    return Catalog.objects.editable_by(user).select_related("region", "standard")


def catalog_label(catalog: Catalog) -> str:
    return f"{catalog.region.name} · {catalog.standard.field}（{catalog.region.code}）"


class CatalogChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return catalog_label(obj)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"第{obj.seq}项 {obj.name}（公开时限：{obj.deadline or '未填写'}）"


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


class ChannelForm(ChineseMessagesFormMixin, forms.ModelForm):
    url = forms.URLField(
        label="网址",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 40}),
    )
    upload = forms.FileField(
        label="上传照片",
        required=False,
        help_text="JPEG或PNG，不超过5MB；上传后会去除拍摄位置等EXIF信息。",
    )
    remove_photo = forms.BooleanField(label="删除照片", required=False)

    class Meta:
        model = RecordChannel
        fields = ["channel", "url", "location", "photo_taken_on", "photo_public"]
        widgets = {"location": forms.TextInput(attrs={"size": 30})}

    def validate_unique(self):
        """The service checks the channel (online: a URL; offline: a place) in Chinese."""

    def _post_clean(self):
        # The model's constraints are the service's to check (with Chinese messages).
        pass


class ChannelFormSet(BaseInlineFormSet):
    def validate_unique(self):
        """A channel listed twice is refused by the service, in Chinese."""


class RecordChannelInline(admin.TabularInline):
    model = RecordChannel
    form = ChannelForm
    formset = ChannelFormSet
    extra = 1
    fields = [
        "channel",
        "url",
        "location",
        "photo_link",
        "upload",
        "photo_taken_on",
        "photo_public",
        "remove_photo",
        "last_check",
    ]
    readonly_fields = ["photo_link", "last_check"]
    verbose_name = "公开渠道"
    verbose_name_plural = "公开渠道（线上渠道填写网址，线下渠道填写查阅位置，可附现场照片）"

    @admin.display(description="现场照片")
    def photo_link(self, channel):
        if not channel or not channel.photo:
            return "—"
        taken = f"（{channel.photo_taken_on:%Y-%m-%d}）" if channel.photo_taken_on else ""
        shown = "已向公众展示" if channel.photo_public else "仅工作人员可见"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看照片{}</a><br><small>{}</small>',
            reverse("records:photo", args=[channel.pk]),
            taken,
            shown,
        )

    @admin.display(description="最近检查")
    def last_check(self, channel):
        if not channel or not channel.pk or not channel.url:
            return "—"
        check = ChannelCheck.objects.filter(channel=channel).order_by("-checked_at", "-pk").first()
        if check is None:
            return "尚未检查"
        when = timezone.localtime(check.checked_at).strftime("%Y-%m-%d %H:%M")
        if check.broken:
            return f"{when} 已失效（{check.error}）"
        if not check.ok:
            return f"{when} 访问失败（{check.error}）"
        if check.title_found is False:
            return f"{when} 可访问，但页面上找不到标题或文号"
        return f"{when} 正常"

    def _writable(self, request, obj) -> bool:
        if obj is None:
            return may_write_catalogs(request.user)
        return can_record(request.user, obj.catalog.region)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj)


def _channel_rows(formset) -> tuple[list[dict], list[tuple[str, dict]]]:
    """The channels the inline shows (in order) and, per kept channel, what to do with its
    photo: ``(channel, cleaned data)``."""
    channels, photos = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("channel"):
            continue
        channels.append(
            {
                "channel": data["channel"],
                "url": data.get("url") or "",
                "location": data.get("location") or "",
            }
        )
        photos.append((data["channel"], data))
    return channels, photos


def _apply_photos(actor, record: DisclosureRecord, photos) -> None:
    rows = {row.channel: row for row in record.channels.all()}
    for channel, data in photos:
        row = rows.get(channel)
        if row is None:
            continue
        taken_on, public = data.get("photo_taken_on"), bool(data.get("photo_public"))
        if data.get("upload"):
            channel_photo_attach(
                actor=actor, channel=row, upload=data["upload"], taken_on=taken_on, public=public
            )
        elif data.get("remove_photo") and row.photo:
            channel_photo_remove(actor=actor, channel=row)
        elif row.photo and (row.photo_taken_on, row.photo_public) != (taken_on, public):
            channel_photo_describe(actor=actor, channel=row, taken_on=taken_on, public=public)
        elif not row.photo and public:
            raise ValidationError(f"“{channel}”没有照片，不能设为向公众展示。")


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
class DisclosureRecordAdmin(ScopedHistoryAdmin):
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

    # -- Excel import and export ------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import-excel/", wrap(self.import_view), name="records_disclosurerecord_import"),
            path("export-excel/", wrap(self.export_view), name="records_disclosurerecord_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_add_permission(request):
            extra_context["import_url"] = reverse("admin:records_disclosurerecord_import")
        extra_context["export_url"] = reverse("admin:records_disclosurerecord_export")
        return super().changelist_view(request, extra_context)

    def _excel_context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "changelist_url": reverse("admin:records_disclosurerecord_changelist"),
            "max_upload_kb": max_upload_bytes() // 1024,
            **extra,
        }

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        value = request.GET.get("catalog", "")
        catalogs = Catalog.objects.for_user(request.user).select_related("region", "standard")
        if not value:
            choices = list(catalogs.order_by("region__code", "standard"))
            return TemplateResponse(
                request,
                "admin/records/export.html",
                self._excel_context(
                    request,
                    "导出公开信息（Excel）",
                    catalogs=[(catalog.pk, catalog_label(catalog)) for catalog in choices],
                ),
            )
        catalog = catalogs.filter(pk=int(value)).first() if value.isdigit() else None
        if catalog is None:
            raise Http404("找不到该目录，或您无权查看。")
        records = DisclosureRecord.objects.for_user(request.user).filter(catalog=catalog)
        content = records_export_workbook(catalog=catalog, records=records)
        name = f"{catalog.region.name}{catalog.standard.field}公开信息.xlsx"
        return attachment_response(content, name)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied("您无权导入公开信息。")
        salt = f"{SALT}:{request.user.pk}"
        form = RecordImportForm(request.user, request.POST or None, request.FILES or None)
        errors: list[str] = []
        context = self._excel_context(request, "导入公开信息（Excel）")
        if request.method == "POST" and "confirm" in request.POST:
            try:
                state = signing.loads(
                    request.POST.get("state", ""), salt=f"{salt}.plan", max_age=PAYLOAD_MAX_AGE
                )
                content = _unsign_upload(request.POST.get("payload", ""), salt)
                catalog = editable_catalogs(request.user).get(pk=state["catalog"])
                digest = str(state["digest"])
            except (signing.BadSignature, KeyError, TypeError, ValueError, Catalog.DoesNotExist):
                errors = ["导入数据已失效或被改动，请重新上传文件。"]
            else:
                try:
                    plan = records_import_apply(
                        actor=request.user,
                        region=catalog.region,
                        standard=catalog.standard,
                        content=content,
                        expected_digest=digest,
                    )
                except RecordSheetError as error:
                    errors = error.messages
                except (ValidationError, PermissionDenied) as error:
                    errors = refusal_messages(error)
                else:
                    self.message_user(request, f"导入完成：{plan.summary()}", messages.SUCCESS)
                    return HttpResponseRedirect(context["changelist_url"])
            form = RecordImportForm(request.user)
        elif request.method == "POST" and form.is_valid():
            catalog = form.cleaned_data["catalog"]
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                plan = records_import_plan(
                    actor=request.user,
                    region=catalog.region,
                    standard=catalog.standard,
                    content=content,
                )
            except RecordSheetError as error:
                errors = error.messages
            except (ValidationError, PermissionDenied) as error:
                errors = refusal_messages(error)
            else:
                state = signing.dumps(
                    {"catalog": catalog.pk, "digest": plan.digest}, salt=f"{salt}.plan"
                )
                context.update(
                    plan=plan,
                    file_name=upload.name,
                    state=state,
                    payload=_sign_upload(content, salt),
                    catalog=catalog,
                )
                return TemplateResponse(request, "admin/records/import_preview.html", context)
        context.update(form=form, errors=errors)
        return TemplateResponse(request, "admin/records/import.html", context)


class RecordImportForm(ChineseMessagesFormMixin, forms.Form):
    catalog = CatalogChoiceField(label="目录", queryset=Catalog.objects.none())
    file = forms.FileField(
        label="Excel文件",
        help_text="表头为：序号 | 二级事项 | 信息标题 | 文号 | 形成日期 | 发布日期 | 公开渠道 | "
        "网址或位置 | 公示开始 | 公示结束；一行一条信息的一个渠道。",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog"].queryset = editable_catalogs(user).order_by(
            "region__code", "standard"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix == ".xls":
            raise ValidationError("不支持旧版 .xls 格式，请在Excel或WPS中“另存为”.xlsx后再上传。")
        if suffix not in (".xlsx", ".xlsm"):
            raise ValidationError(f"请上传 .xlsx 格式的Excel文件（当前文件为“{upload.name}”）。")
        if upload.size > max_upload_bytes():
            raise ValidationError(
                f"文件过大（{upload.size // 1024} KB），请上传不超过"
                f"{max_upload_bytes() // 1024} KB 的文件。"
            )
        return upload


# ---------------------------------------------------------------------------
# 节假日安排: the province administrator's
# ---------------------------------------------------------------------------


class HolidayForm(AdminModelForm):
    class Meta:
        model = HolidayCalendar
        fields = ["date", "kind", "name", "source"]

    def validate_unique(self):
        """The service validates (a date listed twice, in Chinese)."""


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(ServiceAdmin):
    form = HolidayForm
    list_display = ("date", "weekday", "kind", "name", "source", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name", "source")
    list_per_page = 100

    @admin.display(description="星期")
    def weekday(self, holiday):
        return f"周{'一二三四五六日'[holiday.date.weekday()]}"

    def has_module_permission(self, request):
        return is_province_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_add_permission(self, request):
        return is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def save_model(self, request, obj, form, change):
        with calling_service(labels=LABELS):
            saved = holiday_save(
                actor=request.user,
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data.get("name") or "",
                source=form.cleaned_data["source"],
                holiday=obj if change else None,
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            holiday_delete(actor=request.user, holiday=obj)
        except (ValidationError, PermissionDenied) as error:
            _raise_as_permission(error)

    def response_post_save_change(self, request, obj):
        messages.info(request, "已按新的节假日安排重新计算各条公开信息的公开期限。")
        return super().response_post_save_change(request, obj)

    def response_post_save_add(self, request, obj):
        messages.info(request, "已按新的节假日安排重新计算各条公开信息的公开期限。")
        return super().response_post_save_add(request, obj)


# ---------------------------------------------------------------------------
# 基层政务公开专栏
# ---------------------------------------------------------------------------


class SpecialColumnForm(AdminModelForm):
    url = forms.URLField(label="专栏网址", max_length=500, assume_scheme="https")

    class Meta:
        model = SpecialColumn
        fields = ["region", "standard", "url"]

    def validate_unique(self):
        """The service keeps one 专栏 per region and field."""


@admin.register(SpecialColumn)
class SpecialColumnAdmin(RegionScopedAdmin):
    form = SpecialColumnForm
    list_display = ("region", "standard", "url_link", "last_check", "updated_by", "updated_at")
    list_select_related = ("region", "standard", "updated_by")
    list_filter = ("standard",)
    search_fields = ("region__name", "region__code", "url")

    @admin.display(description="专栏网址")
    def url_link(self, column):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', column.url, column.url
        )

    @admin.display(description="最近检查")
    def last_check(self, column):
        check = column.checks.order_by("-checked_at", "-pk").first()
        if check is None:
            return "尚未检查"
        when = timezone.localtime(check.checked_at).strftime("%Y-%m-%d")
        if not check.ok:
            return f"{when} {'已失效' if check.broken else '访问失败'}（{check.error}）"
        if check.links_to_catalog is False:
            return f"{when} 可访问，但未链接到本平台的目录页面"
        return f"{when} 正常"

    def get_readonly_fields(self, request, obj=None):
        return ["region", "standard"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = (
                Region.objects.filter(editable_region_filter(request.user, prefix=""))
                .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
                .order_by("code")
            )
        if db_field.name == "standard":
            kwargs["queryset"] = StandardCatalog.objects.order_by("order", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return is_staff_member(request.user) and may_write_catalogs(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        region = obj.region if change else form.cleaned_data["region"]
        standard = obj.standard if change else form.cleaned_data["standard"]
        with calling_service(labels=LABELS):
            saved = special_column_set(
                actor=request.user, region=region, standard=standard, url=form.cleaned_data["url"]
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            special_column_remove(actor=request.user, column=obj)
        except (ValidationError, PermissionDenied) as error:
            _raise_as_permission(error)
