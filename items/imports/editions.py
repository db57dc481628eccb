"""Standard editions from the official table (dynamic adjustment by the province)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogs import vocabulary
from catalogs.excel import (
    ExcelFormatError,
    ParsedTable,
)
from catalogs.models import (
    EditionStatus,
    StandardEdition,
)
from catalogs.permissions import require_province_admin
from catalogs.selectors import COMPARED_FIELDS, ItemChange
from catalogs.services import edition_create_draft, edition_replace_items
from items.imports.compare import _display, _name_key, _same
from items.imports.stale import StalePlan
from items.validation import item_problems

EDITION_ROW_FIELDS = ("seq", *vocabulary.STANDARD_ROW_FIELDS)


@dataclass
class EditionImportPlan:
    edition: StandardEdition  # the edition the import was started from
    base: StandardEdition | None  # what the rows are compared with
    table: ParsedTable
    rows: list[dict]
    changes: list[ItemChange]
    unchanged: int
    warnings: list[str]
    creates_draft: bool
    # (id, version) of the base edition's items and whether a draft exists: what the
    # changes were computed from.
    base_versions: list[tuple[int, int]] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A digest of the rows to write and of the editions they were compared with."""
        state = {
            "edition": [self.edition.pk, self.edition.status],
            "base": self.base.pk if self.base is not None else None,
            "base_items": sorted(self.base_versions),
            "creates_draft": self.creates_draft,
            "rows": self.rows,
        }
        text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> str:
        counts = {"added": 0, "changed": 0, "removed": 0}
        for change in self.changes:
            counts[change.kind] += 1
        target = "新建草稿版本" if self.creates_draft else f"替换“{self.edition}”的事项"
        return (
            f"{target}：共{len(self.rows)}项；新增{counts['added']}项，修改{counts['changed']}项，"
            f"删除{counts['removed']}项，不变{self.unchanged}项"
        )


def _edition_rows(table: ParsedTable) -> tuple[list[dict], list[str]]:
    errors, warnings, rows = [], [], []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if not row.level2:
            errors.append(
                f"第{row.row_number}行第{table.columns.get('level2', '?')}列：标准事项必须填写二级事项"
            )
            continue
        key = _name_key(row.level1, row.level2)
        if key in seen:
            errors.append(
                f"第{row.row_number}行第{table.columns.get('level2', '?')}列："
                f"事项“{row.name}”与第{seen[key]}行重复，标准目录中每个事项只能出现一次"
            )
            continue
        seen[key] = row.row_number
        if row.channel_other:
            warnings.append(
                f"第{row.row_number}行：标准目录只记录“其他”渠道，不保存其说明“{row.channel_other}”"
            )
        missing = [
            vocabulary.ELEMENT_LABELS[problem.element]
            for problem in item_problems(row)
            if problem.element != "name"
        ]
        if missing:
            warnings.append(
                f"第{row.row_number}行“{row.name}”未填写或无效：{'、'.join(dict.fromkeys(missing))}"
            )
        rows.append({name: getattr(row, name) for name in EDITION_ROW_FIELDS})
    if table.extra_names:
        warnings.append(f"标准目录没有本地增加要素，以下列未导入：{'、'.join(table.extra_names)}")
    if errors:
        raise ExcelFormatError(errors)
    return rows, warnings


def standard_edition_import_plan(
    *, actor, edition: StandardEdition, table: ParsedTable
) -> EditionImportPlan:
    """What importing ``table`` into (a new draft after) ``edition`` would change; writes nothing."""
    require_province_admin(actor)
    standard = edition.standard
    creates_draft = edition.status == EditionStatus.PUBLISHED
    if creates_draft:
        draft = standard.editions.filter(status=EditionStatus.DRAFT).first()
        if draft is not None:
            raise ValidationError(
                f"“{standard.title}”已有未发布的草稿版本“{draft}”，请在该草稿版本上导入。"
            )
    base = standard.current_edition if creates_draft else edition
    rows, warnings = _edition_rows(table)
    before = {}
    if base is not None:
        before = {_name_key(item.level1, item.level2): item for item in base.items.all()}
    base_versions = sorted((item.pk, item.version) for item in before.values())
    changes, unchanged = [], 0
    for row in rows:
        key = _name_key(row["level1"], row["level2"])
        name = f"{row['seq']}. {row['level1']} · {row['level2']}"
        old = before.pop(key, None)
        if old is None:
            changes.append(ItemChange("added", name, name))
            continue
        differing = [
            (label, _display(getattr(old, field_name)), _display(row[field_name]))
            for field_name, label in {"seq": "序号", **COMPARED_FIELDS}.items()
            if not _same(field_name, getattr(old, field_name), row[field_name])
        ]
        if differing:
            changes.append(ItemChange("changed", name, name, differing))
        else:
            unchanged += 1
    changes += [ItemChange("removed", str(item), str(item)) for item in before.values()]
    return EditionImportPlan(
        edition=edition,
        base=base,
        table=table,
        rows=rows,
        changes=changes,
        unchanged=unchanged,
        warnings=list(table.warnings) + warnings,
        creates_draft=creates_draft,
        base_versions=base_versions,
    )


@transaction.atomic
def standard_edition_import_apply(
    *,
    actor,
    edition: StandardEdition,
    table: ParsedTable,
    title: str = "",
    note: str = "",
    expected_fingerprint: str | None = None,
) -> StandardEdition:
    """Put the file's rows into a draft edition (a new one when ``edition`` is published).

    With ``expected_fingerprint`` (the preview's), refused if the editions changed since.
    """
    edition = (
        StandardEdition.objects.select_for_update().select_related("standard").get(pk=edition.pk)
    )
    plan = standard_edition_import_plan(actor=actor, edition=edition, table=table)
    if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
        raise StalePlan(
            f"导入未执行：预览之后“{edition}”或其标准事项已被修改。确认导入只能执行预览所示的修改，"
            "请重新上传文件，核对新的预览后再确认。"
        )
    target = edition
    if plan.creates_draft:
        target = edition_create_draft(
            actor=actor,
            standard=edition.standard,
            title=title,
            note=note or "由官方Excel文件导入",
        )
    return edition_replace_items(actor=actor, edition=target, rows=plan.rows)
