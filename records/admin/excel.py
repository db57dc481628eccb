"""Excel import and export of disclosure records in the admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalogs.admin.base import ChineseMessagesFormMixin, refusal_messages
from catalogs.admin.uploads import STALE_UPLOAD, check_xlsx_upload, upload_preview_confirm
from catalogs.downloads import attachment_response
from catalogs.models import Catalog
from records.admin.common import (
    SALT,
    CatalogChoiceField,
    catalog_label,
    editable_catalogs,
    max_upload_bytes,
)
from records.excel import (
    RecordSheetError,
    records_export_workbook,
    records_import_apply,
    records_import_plan,
)
from records.models import DisclosureRecord


class RecordExcelAdminMixin:
    """Excel import (upload → preview → confirm by digest) and export of a catalog's
    records, for ``DisclosureRecordAdmin``."""

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
        context = self._excel_context(request, "导入公开信息（Excel）")

        def preview(content: bytes, form) -> tuple[dict, dict]:
            catalog = form.cleaned_data["catalog"]
            plan = records_import_plan(
                actor=request.user,
                region=catalog.region,
                standard=catalog.standard,
                content=content,
            )
            return {"plan": plan, "catalog": catalog}, {
                "catalog": catalog.pk,
                "digest": plan.digest,
            }

        def apply(content: bytes, state: dict):
            try:
                catalog = editable_catalogs(request.user).get(pk=state["catalog"])
                digest = str(state["digest"])
            except (KeyError, TypeError, ValueError, Catalog.DoesNotExist) as error:
                raise ValidationError(STALE_UPLOAD) from error
            plan = records_import_apply(
                actor=request.user,
                region=catalog.region,
                standard=catalog.standard,
                content=content,
                expected_digest=digest,
            )
            self.message_user(request, f"导入完成：{plan.summary()}", messages.SUCCESS)
            return HttpResponseRedirect(context["changelist_url"])

        return upload_preview_confirm(
            request,
            salt=f"{SALT}:{request.user.pk}",
            context=context,
            make_form=lambda *args: RecordImportForm(request.user, *args),
            preview=preview,
            apply=apply,
            refusals=(RecordSheetError, ValidationError, PermissionDenied),
            messages_of=lambda error: (
                error.messages if isinstance(error, RecordSheetError) else refusal_messages(error)
            ),
            templates=("admin/records/import.html", "admin/records/import_preview.html"),
            state_field="state",
            state_key="state",
        )


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
        return check_xlsx_upload(self.cleaned_data["file"], max_upload_bytes())
