"""Excel import and export pages of the admin, as mixins for the catalogs' ModelAdmins.

``items.admin.catalogs`` and ``items.admin.standards`` mix them in (the mixin first, so
that its ``get_urls`` runs)::

    class CatalogAdmin(CatalogExcelAdminMixin, ...ModelAdmin): ...
    class StandardEditionAdmin(StandardEditionExcelAdminMixin, ...ModelAdmin): ...

URLs (each wrapped in ``admin_site.admin_view``):

    admin:catalogs_catalog_import          <pk>/import-excel/   upload → preview → confirm
    admin:catalogs_catalog_export          <pk>/export-excel/   the draft as .xlsx
    admin:catalogs_standardedition_import  <pk>/import-excel/   new draft edition from a file
    admin:catalogs_standardedition_export  <pk>/export-excel/   the edition as .xlsx

and the changelist action ``export_selected_catalogs``. Every view scopes itself through
``catalogs.permissions``: a catalog the user may not see is a 404, one she may see but not
edit is a 403 for import; edition import is for the province administrator only.

Between preview and confirm the uploaded bytes travel back in a hidden field, signed with
``django.core.signing`` (salted with the catalog and the user, valid for an hour), and the
file is parsed again on confirm, so nothing is stored on the server in between. The preview
also signs its plan's fingerprint (``ImportPlan.fingerprint``: what would be added, changed
and removed, the draft's ``draft_changed_at`` and the id and version of every item it was
computed from) with the time of the preview; the confirm applies only that plan, or refuses
in Chinese, naming who changed what since the preview.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone

from catalogs.admin.uploads import (
    check_xlsx_upload,
    sign_upload,
    unsign_upload,
    upload_preview_confirm,
)
from catalogs.downloads import attachment_response
from catalogs.excel import ExcelFormatError, read_catalog_workbook
from catalogs.models import Catalog, StandardEdition
from catalogs.permissions import can_edit_region, is_province_admin
from items.imports import (
    catalog_export_filename,
    catalog_export_workbook,
    catalog_import_apply,
    catalog_import_plan,
    edition_export_filename,
    edition_export_workbook,
    standard_edition_import_apply,
    standard_edition_import_plan,
)

# The signing salts keep the module's former name, so that a preview made before an
# upgrade can still be confirmed after it.
SALT_PREFIX = "items.excel_admin"


def max_upload_bytes() -> int:
    """The largest file that still fits back into the confirm form as base64."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 10 * 1024 * 1024
    return int(limit * 0.7)


class ExcelUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel文件",
        help_text="官方表格格式的 .xlsx 文件（标题行、两行表头、每行一个事项）。",
    )

    def clean_file(self):
        return check_xlsx_upload(self.cleaned_data["file"], max_upload_bytes())


class EditionUploadForm(ExcelUploadForm):
    title = forms.CharField(
        label="新版本名称", max_length=120, required=False, help_text="留空则为“第N版”。"
    )
    note = forms.CharField(
        label="调整说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# The former private names, kept for callers that import them.
_sign_upload = sign_upload
_unsign_upload = unsign_upload


_CHANGE_KINDS = ("added", "changed", "removed")


def _plan_state(plan, previewed_at) -> dict:
    """The preview's plan digest and its time, for the confirm step."""
    return {
        "fingerprint": plan.fingerprint(),
        "previewed_at": previewed_at.isoformat() if previewed_at else None,
    }


def _previewed_at(state: dict) -> datetime | None:
    at = state.get("previewed_at")
    return datetime.fromisoformat(at) if at else None


def _error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ExcelFormatError | ValidationError):
        return list(exc.messages)
    return [str(exc)]


def _import_page(request, name, form_class, salt, context, preview, apply, allowed=True):
    """Upload → preview → confirm on admin/excel/<name>_import[_preview].html."""
    return upload_preview_confirm(
        request,
        salt=salt,
        context=context,
        make_form=form_class,
        preview=preview,
        apply=apply,
        refusals=(ExcelFormatError, ValidationError),
        messages_of=_error_messages,
        templates=(f"admin/excel/{name}_import.html", f"admin/excel/{name}_import_preview.html"),
        allowed=allowed,
    )


class _ExcelViewsMixin:
    def _excel_context(self, request, obj, title: str, **extra) -> dict:
        opts = self.model._meta
        site = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "original": obj,
            "changelist_url": reverse(f"{site}:{opts.app_label}_{opts.model_name}_changelist"),
            "change_url": self._excel_url("change", obj.pk),
            "max_upload_kb": max_upload_bytes() // 1024,
            **extra,
        }

    def _excel_url(self, name: str, pk) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=[pk]
        )

    def _excel_urls(self, import_view, export_view):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/import-excel/",
                wrap(import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "<path:object_id>/export-excel/",
                wrap(export_view),
                name="{}_{}_export".format(*info),
            ),
        ]


def _pk(object_id) -> int:
    if not str(object_id).isdigit():
        raise Http404
    return int(object_id)


class CatalogExcelAdminMixin(_ExcelViewsMixin):
    """Import (with preview) and export of a derived catalog as the official table."""

    change_form_template = "admin/excel/catalog_change_form.html"

    def get_urls(self):
        return self._excel_urls(self.excel_import_view, self.excel_export_view) + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if actions is not None and "export_selected_catalogs" not in actions:
            action = self.get_action("export_selected_catalogs")
            if action is not None:
                actions["export_selected_catalogs"] = action
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if str(object_id).isdigit():
            catalog = Catalog.objects.select_related("region").filter(pk=object_id).first()
            if catalog is not None:
                extra_context.setdefault("excel_export_url", self._excel_url("export", catalog.pk))
                if catalog.is_editable and can_edit_region(request.user, catalog.region):
                    extra_context.setdefault(
                        "excel_import_url", self._excel_url("import", catalog.pk)
                    )
        return super().change_view(request, object_id, form_url, extra_context)

    def _visible_catalog(self, request, object_id) -> Catalog:
        catalog = (
            Catalog.objects.for_user(request.user)
            .select_related("region", "standard", "edition")
            .filter(pk=_pk(object_id))
            .first()
        )
        if catalog is None:
            raise Http404("找不到该目录，或您无权查看。")
        return catalog

    def excel_export_view(self, request, object_id):
        catalog = self._visible_catalog(request, object_id)
        return attachment_response(
            catalog_export_workbook(catalog), catalog_export_filename(catalog)
        )

    @admin.action(description="导出所选目录（Excel）")
    def export_selected_catalogs(self, request, queryset):
        catalogs = list(
            Catalog.objects.for_user(request.user)
            .filter(pk__in=queryset.values("pk"))
            .select_related("region", "standard")
            .order_by("region__code", "standard__order")
        )
        if not catalogs:
            self.message_user(request, "没有可导出的目录。", messages.WARNING)
            return None
        if len(catalogs) == 1:
            return attachment_response(
                catalog_export_workbook(catalogs[0]), catalog_export_filename(catalogs[0])
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for catalog in catalogs:
                name = f"{catalog.region.code}-{catalog_export_filename(catalog)}"
                archive.writestr(name, catalog_export_workbook(catalog))
        return attachment_response(
            buffer.getvalue(), "公开事项目录.zip", content_type="application/zip"
        )

    def excel_import_view(self, request, object_id):
        catalog = self._visible_catalog(request, object_id)
        if not can_edit_region(request.user, catalog.region):
            raise PermissionDenied(f"您无权修改“{catalog.region.name}”的目录。")
        salt = f"{SALT_PREFIX}.catalog:{catalog.pk}:{request.user.pk}"
        context = self._excel_context(
            request,
            catalog,
            f"导入Excel：{catalog}",
            catalog=catalog,
            locked=not catalog.is_editable,
            export_url=self._excel_url("export", catalog.pk),
        )

        def preview(content, form):
            plan = catalog_import_plan(
                actor=request.user,
                region=catalog.region,
                standard=catalog.standard,
                table=read_catalog_workbook(io.BytesIO(content)),
            )
            return {"plan": plan}, _plan_state(plan, timezone.now())

        def apply(content, state):
            plan = catalog_import_apply(
                actor=request.user,
                region=catalog.region,
                standard=catalog.standard,
                table=read_catalog_workbook(io.BytesIO(content)),
                expected_fingerprint=state["fingerprint"],
                previewed_at=_previewed_at(state),
            )
            self.message_user(request, f"导入完成：{plan.summary()}。", messages.SUCCESS)
            return HttpResponseRedirect(context["change_url"])

        return _import_page(
            request,
            "catalog",
            ExcelUploadForm,
            salt,
            context,
            preview,
            apply,
            allowed=not context["locked"],
        )


class StandardEditionExcelAdminMixin(_ExcelViewsMixin):
    """A new standard edition (dynamic adjustment) from the official Excel file, and export."""

    change_form_template = "admin/excel/standardedition_change_form.html"

    def get_urls(self):
        return self._excel_urls(self.excel_import_view, self.excel_export_view) + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if str(object_id).isdigit():
            extra_context.setdefault("excel_export_url", self._excel_url("export", object_id))
            if is_province_admin(request.user):
                extra_context.setdefault("excel_import_url", self._excel_url("import", object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def _edition(self, object_id) -> StandardEdition:
        edition = (
            StandardEdition.objects.select_related("standard").filter(pk=_pk(object_id)).first()
        )
        if edition is None:
            raise Http404("找不到该标准目录版本。")
        return edition

    def excel_export_view(self, request, object_id):
        edition = self._edition(object_id)
        return attachment_response(
            edition_export_workbook(edition), edition_export_filename(edition)
        )

    def excel_import_view(self, request, object_id):
        if not is_province_admin(request.user):
            raise PermissionDenied("只有省级管理员可以导入标准目录。")
        edition = self._edition(object_id)
        salt = f"{SALT_PREFIX}.edition:{edition.pk}:{request.user.pk}"
        context = self._excel_context(
            request,
            edition,
            f"导入标准目录Excel：{edition}",
            edition=edition,
            export_url=self._excel_url("export", edition.pk),
        )

        def preview(content, form):
            plan = standard_edition_import_plan(
                actor=request.user,
                edition=edition,
                table=read_catalog_workbook(io.BytesIO(content)),
            )
            extra = {
                "plan": plan,
                "new_title": form.cleaned_data["title"],
                "new_note": form.cleaned_data["note"],
                **{kind: [c for c in plan.changes if c.kind == kind] for kind in _CHANGE_KINDS},
            }
            return extra, _plan_state(plan, None)

        def apply(content, state):
            target = standard_edition_import_apply(
                actor=request.user,
                edition=edition,
                table=read_catalog_workbook(io.BytesIO(content)),
                title=request.POST.get("title", "")[:120],
                note=request.POST.get("note", ""),
                expected_fingerprint=state["fingerprint"],
            )
            self.message_user(
                request,
                f"已将文件导入“{target}”（草稿，共{target.items.count()}项），"
                "核对无误后请发布该版本。",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._change_url(target))

        return _import_page(request, "edition", EditionUploadForm, salt, context, preview, apply)

    def _change_url(self, edition: StandardEdition) -> str:
        return self._excel_url("change", edition.pk)
