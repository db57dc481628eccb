"""Import and export pages for the admin's flat sheets (django-import-export).

Mixed into a ModelAdmin in front of its base class::

    class RegionAdmin(FlatSheetAdminMixin, RegionScopedAdmin):
        resource_classes = [RegionContactResource]

URLs (django-import-export's, each wrapped in ``admin_site.admin_view``):

    admin:<app>_<model>_import           upload → dry run with preview → confirm
    admin:<app>_<model>_process_import   the confirm (POST only)
    admin:<app>_<model>_export           .xlsx or .csv of the changelist's rows

Who may import or export is the resource's ``may_import``/``may_export`` (from the role,
``catalogs.permissions``); anyone else gets 403. The format follows the file's extension
(.xlsx or .csv only); the file is bounded before it is read (``catalogs.resources``).

The confirm applies exactly the plan the preview showed, or nothing: the preview signs a
digest of its rows (with the user and the uploaded file), and the confirm, which imports the
file again in one transaction, rolls back if its rows differ or if any row is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from import_export.results import RowResult
from import_export.signals import post_export
from import_export.tmp_storages import CacheStorage, TempFolderStorage

from catalogs.downloads import attachment_response
from catalogs.resources import (
    FLAT_EXTENSIONS,
    FLAT_FORMATS,
    MAX_SHOWN_MESSAGES,
    MAX_UPLOAD_BYTES,
    FlatImportError,
    refusal_result_error,
    result_totals,
    row_messages,
)

PLAN_MAX_AGE = 3600
PREVIEW_GONE = "预览已过期或上传的文件已不在服务器上，未写入任何数据。请重新上传文件并预览。"


class FlatTempFolderStorage(TempFolderStorage):
    """The upload between preview and confirm, in the temp folder (one server)."""

    def read(self):
        try:
            return super().read()
        except FileNotFoundError:
            raise FlatImportError(PREVIEW_GONE) from None

    def remove(self):
        try:
            super().remove()
        except FileNotFoundError:
            pass


class FlatCacheStorage(CacheStorage):
    """The upload between preview and confirm, in the shared cache (several servers)."""

    CACHE_LIFETIME = PLAN_MAX_AGE

    def read(self):
        data = super().read()
        if data is None:
            raise FlatImportError(PREVIEW_GONE)
        return data


class FlatImportForm(ImportForm):
    """The upload: .xlsx or .csv up to the size cap; the format follows the extension."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = list(formats)
        upload = self.fields["import_file"]
        upload.label = "导入文件"
        upload.help_text = (
            f".xlsx 或 .csv 文件，不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB；"
            "第1行为表头，读取第一个工作表。"
        )
        upload.widget.attrs = {"accept": ",".join(FLAT_EXTENSIONS)}
        fmt = self.fields["format"]
        fmt.required = False
        fmt.widget = forms.HiddenInput()

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in FLAT_EXTENSIONS:
            raise ValidationError(
                f"只能导入 .xlsx 或 .csv 文件（当前文件为“{upload.name}”）。"
                "旧版 .xls 或 WPS 文件请先“另存为” .xlsx。"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"文件过大（{upload.size // 1024} KB），请上传不超过"
                f" {MAX_UPLOAD_BYTES // 1024} KB 的文件。"
            )
        return upload

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("import_file")
        if upload is not None:
            format_class = FLAT_EXTENSIONS[PurePath(upload.name).suffix.lower()]
            cleaned_data["format"] = str(self.formats.index(format_class))
        return cleaned_data


class FlatExportForm(ExportForm):
    """The export page: every column, .xlsx unless the user picks .csv."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].label = "文件格式"
        self.fields["format"].initial = "0"


class FlatConfirmForm(ConfirmImportForm):
    plan = forms.CharField(widget=forms.HiddenInput())


def plan_digest(result) -> str:
    """What an import does, row by row, as the preview shows it."""
    rows = [
        [row.import_type, [str(cell) for cell in row.diff or []]] for row in result.valid_rows()
    ]
    payload = json.dumps([rows, result_totals(result)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class FlatSheetAdminMixin(ImportExportMixin):
    """django-import-export's import and export pages, in Chinese, for flat sheets."""

    formats = FLAT_FORMATS
    import_formats = FLAT_FORMATS
    export_formats = FLAT_FORMATS
    import_form_class = FlatImportForm
    confirm_form_class = FlatConfirmForm
    # Every column, always: a sheet exported is a sheet that imports back unchanged.
    export_form_class = FlatExportForm
    import_template_name = "admin/import_export/flat_import.html"
    skip_import_confirm = False

    # -- who may -------------------------------------------------------------

    def has_import_permission(self, request):
        return all(
            resource.may_import(request.user)
            for resource in self.get_import_resource_classes(request)
        )

    def has_export_permission(self, request):
        return all(
            resource.may_export(request.user)
            for resource in self.get_export_resource_classes(request)
        )

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"actor": request.user}

    def get_tmp_storage_class(self):
        if getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", None):
            return super().get_tmp_storage_class()
        # Preview and confirm may reach different servers when the cache is shared (Redis).
        shared = "redis" in settings.CACHES["default"]["BACKEND"].lower()
        return FlatCacheStorage if shared else FlatTempFolderStorage

    def _sheet_title(self, request) -> str:
        return self.get_import_resource_classes(request)[0].title

    # -- import: upload and preview ---------------------------------------------

    def get_import_context_data(self, **kwargs):
        return {"flat_help": self.get_import_resource_classes(None)[0].help_lines}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FlatImportError):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", "无法读取文件，请确认它是 .xlsx 或 .csv 表格。")

    def _add_result_context(self, context, result) -> None:
        totals = result_totals(result)
        context["flat_totals"] = totals
        context["flat_messages"] = row_messages(result, limit=MAX_SHOWN_MESSAGES)
        context["flat_invalid_count"] = len(result.invalid_rows) + len(result.error_rows)
        context["flat_nothing_to_do"] = not (totals["new"] or totals["update"])

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        result = context.get("result") if context else None
        if result is not None:
            self._add_result_context(context, result)
            confirm = context.get("confirm_form")
            if confirm is not None:
                if context["flat_nothing_to_do"]:
                    context["confirm_form"] = None
                else:
                    # The confirm form sends back the file's base name (ConfirmImportForm).
                    name = PurePath(confirm.initial["import_file_name"]).name
                    confirm.initial["plan"] = signing.dumps(
                        {"file": name, "plan": plan_digest(result)},
                        salt=self._plan_salt(request),
                    )
        return response

    def _plan_salt(self, request) -> str:
        return f"flat-import:{self.opts.label_lower}:{request.user.pk}"

    # -- import: confirm ---------------------------------------------------------

    def _previewed_plan(self, request, form) -> dict | None:
        try:
            plan = signing.loads(
                form.cleaned_data.get("plan", ""),
                salt=self._plan_salt(request),
                max_age=PLAN_MAX_AGE,
            )
        except signing.BadSignature:
            return None
        if plan.get("file") != form.cleaned_data.get("import_file_name"):
            return None
        return plan

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FlatImportError as error:
            result = self.get_import_resource_classes(request)[0].get_result_class()()
            result.append_base_error(refusal_result_error(str(error)))
            return self.process_result(result, request)

    def process_dataset(self, dataset, form, request, **kwargs):
        previewed = self._previewed_plan(request, form)
        with transaction.atomic():
            result = super().process_dataset(dataset, form, request, **kwargs)
            refused = result.has_errors() or result.has_validation_errors()
            if not refused and (previewed is None or previewed["plan"] != plan_digest(result)):
                transaction.set_rollback(True)
                result.append_base_error(
                    refusal_result_error(
                        "导入内容与预览时不一致（系统中的数据在预览后有变化，或预览已过期），"
                        "未写入任何数据。请重新上传文件并预览。"
                    )
                )
        return result

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Nothing was written (the import rolled back); show why on the upload page.
            form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            resource = self.get_import_resource_classes(request)[0](
                **self.get_import_resource_kwargs(request)
            )
            context = {
                **self.get_import_context_data(),
                **self.admin_site.each_context(request),
                "title": "导入",
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "fields_list": [
                    (
                        resource.get_display_name(),
                        [field.column_name for field in resource.get_user_visible_fields()],
                    )
                ],
                "import_error_display": self.import_error_display,
                "result": result,
            }
            self._add_result_context(context, result)
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def generate_log_entries(self, result, request):
        if self.get_skip_admin_log():
            return
        groups: dict[tuple[int, str], list] = {}
        for row in result.rows:
            instance = row.instance
            if instance is None or instance.pk is None:
                continue
            if row.import_type == RowResult.IMPORT_TYPE_NEW:
                key = (ADDITION, "通过文件导入新增。")
            elif row.import_type == RowResult.IMPORT_TYPE_UPDATE:
                columns = "、".join(getattr(instance, "_flat_changed_columns", []))
                key = (CHANGE, f"通过文件导入修改：{columns}。")
            else:
                continue
            groups.setdefault(key, []).append(instance)
        for (flag, message), instances in groups.items():
            LogEntry.objects.log_actions(
                request.user.pk,
                instances,
                flag,
                change_message=message,
                single_object=len(instances) == 1,
            )

    def add_success_message(self, result, request):
        totals = result_totals(result)
        messages.success(
            request,
            f"{self._sheet_title(request)}导入完成：新增{totals['new']}个，"
            f"修改{totals['update']}个，{totals['skip']}个没有变化。",
        )

    # -- export ----------------------------------------------------------------

    def get_export_filename(self, request, queryset, file_format):
        day = timezone.localdate().strftime("%Y%m%d")
        return f"{self._sheet_title(request)}-{day}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        data = self.get_export_data(
            file_format, request, queryset, encoding=self.to_encoding, export_form=export_form
        )
        post_export.send(sender=None, model=self.model)
        return attachment_response(data, self.get_export_filename(request, queryset, file_format))
