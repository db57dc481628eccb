"""The base of every flat sheet: row-numbered Chinese errors, all-or-nothing, preview."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Model
from import_export import resources
from import_export.results import Error, RowResult

from catalogs.resources.formats import (
    MAX_ROWS,
    MAX_WRITTEN_ROWS,
    FlatImportError,
    cell_text,
)

# ---------------------------------------------------------------------------
# The base of every flat sheet
# ---------------------------------------------------------------------------


class FlatDiff(resources.Diff):
    """The preview's before/after columns as the sheet's text (roles as labels, 是/否)."""

    def __init__(self, resource, instance, new):
        self.left = resource.row_texts(instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = resource.row_texts(instance)


class FlatResource(resources.ModelResource):
    """One record per row, keyed by one column, written through services.

    Subclasses declare their columns as ``Field(column_name=...)`` (``readonly=True`` for
    columns shown for reference only), list them in ``Meta.fields``, and implement
    ``load``, ``new_instance``, ``current_texts``, ``parse`` and ``write``.
    """

    key = ""  # the field that identifies a row
    title = ""  # what the sheet holds, in Chinese: file names, messages
    denied_column = None  # the column a PermissionDenied from a service is about
    service_columns: dict[str, str] = {}  # a service's field name -> the sheet's field
    help_lines: tuple[str, ...] = ()

    class Meta:
        use_transactions = True
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = False

    def __init__(self, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._sheet_rows: list[int] = []
        self._first_row_of: dict[str, int] = {}
        self._sheet_row = 0
        self._written = 0

    # -- who may -------------------------------------------------------------

    @classmethod
    def may_import(cls, user) -> bool:
        raise NotImplementedError

    @classmethod
    def may_export(cls, user) -> bool:
        raise NotImplementedError

    # -- what subclasses provide ------------------------------------------------

    def load(self, keys: list[str]) -> dict[str, Model]:
        """The existing records named in the file, by key."""
        raise NotImplementedError

    def new_instance(self, key: str) -> Model:
        """A record for a key that does not exist yet (or raise ``self.refuse``)."""
        raise NotImplementedError

    def current_texts(self, instance) -> dict[str, str]:
        """The record as the sheet shows it: field name -> text."""
        raise NotImplementedError

    def parse(self, instance, texts: dict[str, str], new: bool, errors) -> tuple[dict, dict]:
        """A row's texts as (canonical texts, typed values); problems go to ``errors``."""
        raise NotImplementedError

    def write(self, instance, values: dict, changed: list[str], new: bool):
        """Save through a service; returns the saved record."""
        raise NotImplementedError

    # -- columns -------------------------------------------------------------

    def column(self, name: str) -> str:
        return self.fields[name].column_name

    def column_names(self) -> list[str]:
        return [self.column(name) for name in self._meta.fields]

    def required_columns(self) -> list[str]:
        return [
            self.column(name)
            for name in self._meta.fields
            if name == self.key or not self.fields[name].readonly
        ]

    def row_texts(self, instance) -> list[str]:
        texts = getattr(instance, "_flat_texts", None)
        if texts is None:
            texts = self.current_texts(instance)
        return [texts[name] for name in self._meta.fields]

    def get_diff_class(self):
        return FlatDiff

    # -- messages ------------------------------------------------------------

    def message(self, name: str | None, reason: str, *, row: int | None = None) -> str:
        row = row or self._sheet_row
        if name is None:
            return f"第{row}行：{reason}"
        return f"第{row}行 “{self.column(name)}”：{reason}"

    def refuse(self, name: str | None, reason: str) -> ValidationError:
        key = self.column(name) if name else NON_FIELD_ERRORS
        return ValidationError({key: [self.message(name, reason)]})

    def _service_refusal(self, error: Exception) -> ValidationError:
        if isinstance(error, PermissionDenied):
            return self.refuse(self.denied_column, str(error) or "您无权执行此操作。")
        errors = {}
        items = (
            error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
        )
        for field, reasons in items:
            name = self.service_columns.get(field) if field else None
            key = self.column(name) if name else NON_FIELD_ERRORS
            errors.setdefault(key, []).extend(self.message(name, reason) for reason in reasons)
        return ValidationError(errors)

    # -- the import ------------------------------------------------------------

    def check_file(self, dataset) -> list[str]:
        """Whole-file problems: who imports, how many rows, which columns."""
        if not self.may_import(self.actor):
            return [f"您无权导入{self.title}。"]
        if len(dataset) > MAX_ROWS:
            return [f"数据超过 {MAX_ROWS} 行，请分成几个文件导入。"]
        headers = [cell_text(header) for header in dataset.headers or []]
        problems = []
        known = set(self.column_names())
        duplicated = sorted({header for header in headers if header and headers.count(header) > 1})
        if duplicated:
            problems.append(f"表头中有重复的列：{'、'.join(duplicated)}。")
        missing = [column for column in self.required_columns() if column not in headers]
        if missing:
            problems.append(f"表头缺少以下列：{'、'.join(missing)}。")
        unknown = [header or "（空白表头）" for header in headers if header not in known]
        if unknown:
            problems.append(
                f"表头中有无法识别的列：{'、'.join(unknown)}。"
                f"可用的列为：{'、'.join(self.column_names())}。"
            )
        return problems

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Import all rows or none: any refused row rolls the whole file back."""
        if self.actor is None:
            self.actor = kwargs.get("user")
        problems = self.check_file(dataset)
        if problems:
            if raise_errors:
                raise FlatImportError("；".join(problems))
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(self.get_error_result_class()(FlatImportError(problem)))
            return result
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import(self, dataset, **kwargs):
        count = len(dataset)
        self._sheet_rows = list(getattr(dataset, "flat_sheet_rows", None) or range(2, count + 2))
        column = self.column(self.key)
        keys = [cell_text(value) for value in dataset[column]] if count else []
        self._first_row_of = {}
        for index, key in enumerate(keys):
            if key:
                self._first_row_of.setdefault(key, self._sheet_rows[index])
        self._existing = self.load(sorted(set(filter(None, keys))))

    def before_import_row(self, row, row_number=None, **kwargs):
        self._sheet_row = self._sheet_rows[row_number - 1] if row_number else 0
        for column in list(row):
            row[column] = cell_text(row[column])

    def get_or_init_instance(self, instance_loader, row):
        key = row.get(self.column(self.key), "")
        if not key:
            raise self.refuse(self.key, f"请填写“{self.column(self.key)}”。")
        first = self._first_row_of.get(key)
        if first is not None and first != self._sheet_row:
            raise self.refuse(self.key, f"“{key}”与第{first}行重复。")
        instance = self._existing.get(key)
        if instance is not None:
            return instance, False
        return self.new_instance(key), True

    def import_instance(self, instance, row, **kwargs):
        texts = {name: row.get(self.column(name), "") for name in self._meta.fields}
        new = instance.pk is None
        errors: dict[str, list[str]] = {}

        def add_error(name: str | None, reason: str) -> None:
            key = self.column(name) if name else NON_FIELD_ERRORS
            errors.setdefault(key, []).append(self.message(name, reason))

        canonical, values = self.parse(instance, texts, new, add_error)
        if errors:
            raise ValidationError(errors)
        current = self.current_texts(instance)
        instance._flat_texts = {**current, **canonical}
        instance._flat_values = values
        instance._flat_changed = [
            name for name in canonical if new or canonical[name] != current.get(name)
        ]
        instance._flat_changed_columns = [self.column(name) for name in instance._flat_changed]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return instance.pk is not None and not instance._flat_changed

    def save_instance(self, instance, is_create, row, **kwargs):
        # Dry runs write too, inside a transaction that is rolled back: the preview then
        # shows every refusal the services would make.
        self._written += 1
        if self._written > MAX_WRITTEN_ROWS:
            raise self.refuse(
                None, f"一次导入最多新增或修改 {MAX_WRITTEN_ROWS} 行，请把文件分成几批导入。"
            )
        try:
            saved = self.write(instance, instance._flat_values, instance._flat_changed, is_create)
        except (ValidationError, PermissionDenied) as error:
            raise self._service_refusal(error) from error
        if saved is not instance:
            instance.pk = saved.pk
            instance._state.adding = False

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Show the row numbers of the file (the header is row 1), as the messages do.
        for row in result.invalid_rows:
            row.number = self._sheet_rows[row.number - 1]
        for row in result.error_rows:
            row.number = self._sheet_rows[row.number - 1]
        for error_row in result.rows:
            for error in error_row.errors:
                if error.number:
                    error.number = self._sheet_rows[error.number - 1]

    # -- the export ------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        dataset.title = self.title[:31]
        return dataset

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # Plain text: the formats keep it from running as a formula (FlatXLSX, FlatCSV).
        texts = self.current_texts(instance)
        return [
            texts[self.get_field_name(field)] for field in self.get_export_fields(selected_fields)
        ]


def row_messages(result, *, limit: int | None = None) -> list[str]:
    """The refusals of an import result, one Chinese line each, in row order.

    With ``limit``, at most that many lines and then one that counts the rest.
    """
    lines = [str(error.error) for error in result.base_errors]
    for row in sorted(result.invalid_rows, key=lambda row: row.number):
        for messages in row.error_dict.values():
            lines.extend(messages)
    for row in result.error_rows:
        lines.extend(f"第{row.number}行：{error.error}" for error in row.errors)
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], f"……另有 {len(lines) - limit} 条错误未列出。"]
    return lines


def result_totals(result) -> dict[str, int]:
    totals = result.totals
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid": totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR],
    }


def refusal_result_error(message: str) -> Error:
    return Error(FlatImportError(message))


def _by_key(queryset, field: str, keys) -> dict:
    """The rows of ``queryset`` whose ``field`` is one of ``keys``, by that field."""
    keys = sorted(set(keys) - {""})
    found = {}
    for start in range(0, len(keys), 500):
        for obj in queryset.filter(**{f"{field}__in": keys[start : start + 500]}):
            found[getattr(obj, field)] = obj
    return found


def _check_length(add_error, name: str, text: str, limit: int) -> None:
    if len(text) > limit:
        add_error(name, f"最多{limit}个字符（现为{len(text)}个）。")


def _check_email(add_error, name: str, text: str) -> None:
    if not text:
        return
    try:
        validate_email(text)
    except ValidationError:
        add_error(name, f"“{text}”不是有效的电子邮箱地址。")
