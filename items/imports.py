"""Derived catalogs and standard editions to and from the official Excel table.

Catalog import (``manage.py import_catalog`` and the admin's 导入Excel page)::

    table = read_catalog_workbook(fileobj)          # catalogs.excel; refuses unreadable files
    plan = catalog_import_plan(actor=…, region=…, standard=…, table=table)   # reads only
    plan = catalog_import_apply(actor=…, region=…, standard=…, table=table)  # one transaction

An import makes the region's draft catalog match the file. Each row is matched, in file
order, to an item of the draft:

1. if its (一级事项, 二级事项), compared after normalisation, is a standard item of the
   catalog's edition, to the draft item linked to that standard item;
2. otherwise to a draft item with the same normalised name;
3. otherwise it is a new item, linked to the standard item whose name it carries (if that
   standard item is not already taken), else a local item.

Matched items whose elements differ are updated (every differing field is listed with its
old and new value), draft items no row matched are removed, and the rest are unchanged.
公开内容 compares element by element, so "1. 2." and "●" spellings of the same list are
equal; local extra elements compare as name→value sets. When the region has no catalog for
the standard yet, applying derives it first, in the same transaction; the plan shows what the
freshly derived catalog would become. Planning never writes; applying re-plans under a row
lock: removals go through ``items.services.item_delete``; updates and additions are
validated as ``item_update``/``item_create`` would, then written in bulk with their history
rows (one row per item, naming the actor) so that a 500-row file stays fast.

Standard-edition import (dynamic adjustment by the province): the same reader; applying to a
published edition starts a new draft edition (``edition_create_draft``), applying to a draft
replaces its rows (``edition_replace_items``). The admin then reviews and publishes the draft.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalogs import vocabulary
from catalogs.downloads import XLSX_CONTENT_TYPE  # noqa: F401  re-exported for items/admin/excel
from catalogs.excel import (
    ExcelFormatError,
    ParsedRow,
    ParsedTable,
    write_catalog_workbook,
)
from catalogs.models import (
    Catalog,
    EditionStatus,
    Region,
    StandardCatalog,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import history_user, require_edit_region, require_province_admin
from catalogs.selectors import COMPARED_FIELDS, ItemChange
from catalogs.services import edition_create_draft, edition_replace_items
from items.adoption import closest_standard_items
from items.models import Item, ItemExtraElement
from items.services import (
    catalog_derive,
    check_derivable,
    derived_items,
    item_delete,
    item_set_extra_elements,
)
from items.validation import describe_problems, item_problems, validate_item

COMPARED = vocabulary.FIELD_LABELS
EMPTY = "（空）"


def _name_key(level1: str, level2: str) -> tuple[str, str]:
    return vocabulary.normalize_text(level1), vocabulary.normalize_text(level2)


def _display(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{name}：{text}" for name, text in value.items()) or EMPTY
    text = "" if value is None else str(value)
    return text or EMPTY


def _same(name: str, before, after) -> bool:
    if name == "content":
        return vocabulary.split_elements(before) == vocabulary.split_elements(after)
    if isinstance(before, str) or isinstance(after, str):
        return _clean(before) == _clean(after)
    if isinstance(after, list | tuple):
        return list(before or []) == list(after)
    return before == after


def _clean(text) -> str:
    return (text or "").replace("\r\n", "\n").strip()


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class AddedRow:
    row: ParsedRow
    standard_item: StandardItem | None
    # A standard item the catalog would lack whose name is close to this local row's.
    near: StandardItem | None = None


@dataclass
class UpdatedRow:
    row: ParsedRow
    item: Item
    changes: list[FieldChange]
    standard_item: StandardItem | None
    values: dict
    extras_changed: bool


@dataclass
class UnchangedRow:
    row: ParsedRow
    item: Item


@dataclass
class ImportPlan:
    region: Region
    standard: StandardCatalog
    edition: StandardEdition
    catalog: Catalog | None  # None in a preview when the catalog does not exist yet
    table: ParsedTable
    creates_catalog: bool = False  # the region had no catalog: it is (to be) derived first
    added: list[AddedRow] = field(default_factory=list)
    updated: list[UpdatedRow] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    unchanged: list[UnchangedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.creates_catalog)

    def summary(self) -> str:
        text = (
            f"新增{len(self.added)}项，修改{len(self.updated)}项，"
            f"删除{len(self.removed)}项，不变{len(self.unchanged)}项"
        )
        return ("将新建目录；" + text) if self.creates_catalog else text

    def fingerprint(self) -> str:
        """A digest of exactly what applying would do, and of the draft it starts from.

        The preview signs it into its confirm form; the confirm re-plans under the catalog's
        lock and applies only if the digest is the same (``catalog_import_apply``). Items
        are named by id and version, so that any edit in between shows.
        """
        catalog = self.catalog
        state = {
            "catalog": [catalog.pk, catalog.draft_changed_at.isoformat()]
            if catalog is not None and catalog.pk
            else None,
            "creates": self.creates_catalog,
            "added": [
                [added.row.row_number, getattr(added.standard_item, "pk", None)]
                for added in self.added
            ],
            "updated": [
                [
                    updated.row.row_number,
                    _identity(updated.item),
                    sorted(updated.values),
                    updated.extras_changed,
                ]
                for updated in self.updated
            ],
            "removed": [_identity(item) for item in self.removed],
            "unchanged": [[u.row.row_number, _identity(u.item)] for u in self.unchanged],
        }
        text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def report_lines(self) -> list[str]:
        """The plan as plain lines, for the command line."""
        lines = [self.summary()]
        for added in self.added:
            link = "（对应标准事项）" if added.standard_item else "（本地事项）"
            if added.near is not None:
                link += f"（与标准事项“{added.near.level1} · {added.near.level2}”名称相近）"
            lines.append(f"新增 第{added.row.row_number}行 {added.row.seq}. {added.row.name}{link}")
        for updated in self.updated:
            lines.append(f"修改 第{updated.row.row_number}行 {updated.row.seq}. {updated.row.name}")
            for change in updated.changes:
                before = change.before.replace("\n", " ")
                after = change.after.replace("\n", " ")
                lines.append(f"    {change.label}：{before} → {after}")
        for item in self.removed:
            lines.append(f"删除 {item.seq}. {item.name}")
        for unchanged in self.unchanged:
            lines.append(f"不变 第{unchanged.row.row_number}行 {unchanged.row.name}")
        lines += [f"警告：{warning}" for warning in self.warnings]
        return lines


def _identity(item: Item) -> list:
    """An item in a plan's fingerprint: id and version, or (before derivation) its link."""
    if item.pk is None:
        return ["derived", item.standard_item_id, item.seq]
    return [item.pk, item.version]


class StalePlan(ValidationError):
    """The catalog changed between the preview and the confirm; nothing was written."""


def _stale_plan(catalog: Catalog | None, since) -> StalePlan:
    """Who changed the draft since the preview (``since``: the preview's time), and what."""
    lines = []
    if catalog is not None and since is not None:
        rows = (
            Item.history.filter(catalog_id=catalog.pk, history_date__gt=since)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        for row in rows[:10]:
            who = row.history_user.get_username() if row.history_user else "系统"
            action = {"+": "新增", "-": "删除"}.get(row.history_type, "修改")
            name = f"{row.level1} · {row.level2}" if row.level2 else row.level1
            when = timezone.localtime(row.history_date)
            lines.append(f"{who}于{when:%Y-%m-%d %H:%M:%S}{action}了第{row.seq}项“{name}”")
    detail = ("：" + "；".join(lines)) if lines else ""
    subject = f"“{catalog}”" if catalog is not None else "该目录"
    return StalePlan(
        f"导入未执行：预览之后{subject}已被修改{detail}。确认导入只能执行预览所示的修改，"
        "请重新上传文件，核对新的预览后再确认。"
    )


def _require_catalog_editable(catalog: Catalog) -> None:
    if not catalog.is_editable:
        raise ValidationError(
            f"“{catalog}”当前状态为{catalog.get_status_display()}，已锁定，不能导入。"
        )


def _build_plan(
    *, region: Region, standard: StandardCatalog, catalog: Catalog | None, table: ParsedTable
) -> ImportPlan:
    if catalog is not None:
        _require_catalog_editable(catalog)
        edition = catalog.edition
        items = list(
            catalog.items.select_related("standard_item")
            .prefetch_related("extra_elements")
            .order_by("seq", "pk")
        )
        extras_of = {
            id(item): {e.name: e.value for e in item.extra_elements.all()} for item in items
        }
    else:
        # Preview what ``catalog_derive`` would create, refusing what it would refuse.
        edition = standard.current_edition
        check_derivable(region, standard, edition)
        items = derived_items(region, edition.items.order_by("seq"))
        extras_of = {id(item): {} for item in items}
    plan = ImportPlan(
        region=region,
        standard=standard,
        edition=edition,
        catalog=catalog,
        table=table,
        creates_catalog=catalog is None,
    )
    plan.warnings.extend(table.warnings)

    standard_by_name: dict[tuple[str, str], StandardItem] = {}
    for standard_item in edition.items.all():
        standard_by_name.setdefault(
            _name_key(standard_item.level1, standard_item.level2), standard_item
        )
    by_standard: dict[int, Item] = {}
    by_name: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        if item.standard_item_id is not None:
            by_standard.setdefault(item.standard_item_id, item)
        by_name.setdefault(_name_key(item.level1, item.level2), []).append(item)
    claimed: set[int] = set()  # id() of draft items already matched
    linked: set[int] = {item.standard_item_id for item in items if item.standard_item_id}
    first_row_of: dict[tuple[str, str], int] = {}

    for row in table.rows:
        key = _name_key(row.level1, row.level2)
        if key in first_row_of:
            plan.warnings.append(
                f"第{row.row_number}行“{row.name}”与第{first_row_of[key]}行事项名称相同，"
                "将作为另一个事项导入"
            )
        first_row_of.setdefault(key, row.row_number)
        standard_item = standard_by_name.get(key)
        item = None
        if standard_item is not None:
            candidate = by_standard.get(standard_item.pk)
            if candidate is not None and id(candidate) not in claimed:
                item = candidate
        if item is None:
            item = next((c for c in by_name.get(key, []) if id(c) not in claimed), None)
        problems = item_problems(row, region)
        if problems:
            plan.warnings.append(
                f"第{row.row_number}行“{row.name}”要素不完整：{describe_problems(problems)}"
                "（将作为未完成事项导入，发布前须补全）"
            )
        if item is None:
            link = standard_item if standard_item and standard_item.pk not in linked else None
            if link is not None:
                linked.add(link.pk)
            plan.added.append(AddedRow(row=row, standard_item=link))
            continue
        claimed.add(id(item))
        plan_row = _compare(row, item, extras_of[id(item)], standard_item, linked)
        if plan_row is None:
            plan.unchanged.append(UnchangedRow(row=row, item=item))
        else:
            plan.updated.append(plan_row)
    plan.removed = [item for item in items if id(item) not in claimed]
    _hint_near_names(plan, region)
    return plan


def _hint_near_names(plan: ImportPlan, region: Region) -> None:
    """Name the standard item a local row is probably an abbreviation of ("政策" for
    政策法规文件), when the import would leave that standard item missing."""
    level = region.catalog_level
    linked = {a.standard_item.pk for a in plan.added if a.standard_item is not None}
    linked |= {u.standard_item.pk for u in plan.updated if u.standard_item is not None}
    linked |= {u.item.standard_item_id for u in plan.unchanged if u.item.standard_item_id}
    names = {_name_key(row.level1, row.level2) for row in plan.table.rows}
    missing = [
        standard_item
        for standard_item in plan.edition.items.order_by("seq")
        if level in standard_item.levels
        and standard_item.pk not in linked
        and _name_key(standard_item.level1, standard_item.level2) not in names
    ]
    local = [added for added in plan.added if added.standard_item is None]
    if not missing or not local:
        return
    for added, standard_item in _near_rows(local, missing):
        added.near = standard_item
        plan.warnings.append(
            f"第{added.row.row_number}行“{added.row.name}”将作为本地事项导入，但名称与"
            f"标准目录第{standard_item.seq}项“{standard_item.level1} · {standard_item.level2}”"
            "相近，而该标准事项将缺少；如属同一事项，请在文件中改用标准名称，"
            "或导入后在目录的“关联标准事项”页一键关联。"
        )


def _near_rows(added: list[AddedRow], standard_items: list):
    pairs = closest_standard_items([a.row for a in added], standard_items)
    by_row = {id(a.row): a for a in added}
    return [(by_row[id(row)], standard_item) for row, standard_item in pairs]


def _compare(row: ParsedRow, item: Item, extras: dict, standard_item, linked: set):
    values, changes = {}, []
    for name, label in COMPARED.items():
        before, after = getattr(item, name), getattr(row, name)
        if not _same(name, before, after):
            values[name] = after
            changes.append(FieldChange(name, label, _display(before), _display(after)))
    link = item.standard_item
    if link is None and standard_item is not None and standard_item.pk not in linked:
        link = standard_item
        linked.add(standard_item.pk)
        values["standard_item"] = standard_item
        changes.append(
            FieldChange("standard_item", "对应标准事项", "（本地事项）", str(standard_item))
        )
    after_extras = {name: _clean(value) for name, value in row.extras.items()}
    extras_changed = {name: _clean(value) for name, value in extras.items()} != after_extras
    if extras_changed:
        changes.append(
            FieldChange("extras", "本地增加要素", _display(extras), _display(row.extras))
        )
    if not changes:
        return None
    return UpdatedRow(
        row=row,
        item=item,
        changes=changes,
        standard_item=link,
        values=values,
        extras_changed=extras_changed,
    )


def catalog_import_plan(
    *, actor, region: Region, standard: StandardCatalog, table: ParsedTable
) -> ImportPlan:
    """What importing ``table`` would change in the region's draft; writes nothing."""
    require_edit_region(actor, region)
    catalog = (
        Catalog.objects.select_related("region", "standard", "edition")
        .filter(region=region, standard=standard)
        .first()
    )
    return _build_plan(region=region, standard=standard, catalog=catalog, table=table)


def _validated(item: Item, row: ParsedRow) -> Item:
    """``validate_item``, as ``item_create``/``item_update`` run it, named by the file's row.

    The unique check of ``public_id`` is left to the database: it is a fresh random UUID, and
    asking for it row by row would cost a query per item.
    """
    try:
        validate_item(item, validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(
            f"第{row.row_number}行“{row.name}”：{'；'.join(exc.messages)}"
        ) from exc
    return item


@transaction.atomic
def catalog_import_apply(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    table: ParsedTable,
    expected_fingerprint: str | None = None,
    previewed_at=None,
) -> ImportPlan:
    """Make the region's draft catalog match ``table``, all or nothing; returns what was done.

    With ``expected_fingerprint`` (the previewed plan's ``fingerprint()``), applies only that
    plan: if the draft changed since the preview, the plan differs and the import is refused
    (``StalePlan``, naming who changed what since ``previewed_at``, the preview's time).

    Removals go through ``item_delete``. Updates and additions are written in bulk (a 500-row
    file would otherwise cost thousands of queries) after the same checks as ``item_update``
    and ``item_create``, each with its history row naming the actor and a new item version.
    """
    require_edit_region(actor, region)
    catalog = (
        Catalog.objects.select_for_update()
        .select_related("region", "standard", "edition")
        .filter(region=region, standard=standard)
        .first()
    )
    created = catalog is None
    plan = None
    if expected_fingerprint is not None:
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
        if plan.fingerprint() != expected_fingerprint:
            raise _stale_plan(catalog, previewed_at)
    if created:
        catalog = catalog_derive(actor=actor, region=region, standard=standard)
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
    elif plan is None:
        plan = _build_plan(region=region, standard=standard, catalog=catalog, table=table)
    plan.creates_catalog = created
    user = history_user(actor)
    now = timezone.now()

    for item in plan.removed:
        item_delete(actor=actor, item=item)

    # Every item is written under the catalog's lock, which every item service takes too.
    changed_fields = {"updated_at", "version"}
    for updated in plan.updated:
        for name, value in updated.values.items():
            setattr(updated.item, name, value)
            changed_fields.add(name)
        updated.item.updated_at = now
        if updated.values:
            updated.item.version += 1
        _validated(updated.item, updated.row)
    changed_items = [updated.item for updated in plan.updated if updated.values]
    if changed_items:
        bulk_update_with_history(
            changed_items, Item, sorted(changed_fields), default_user=user, default_date=now
        )
    for updated in plan.updated:
        if updated.extras_changed:
            item_set_extra_elements(
                actor=actor, item=updated.item, extras=list(updated.row.extras.items())
            )

    new_items = [
        _validated(
            Item(catalog=catalog, standard_item=added.standard_item, **added.row.element_values()),
            added.row,
        )
        for added in plan.added
    ]
    if new_items:
        new_items = bulk_create_with_history(new_items, Item, default_user=user, default_date=now)
    extras = [
        ItemExtraElement(item=item, name=name, value=value.strip(), order=order)
        for item, added in zip(new_items, plan.added, strict=True)
        for order, (name, value) in enumerate(added.row.extras.items())
    ]
    if extras:
        bulk_create_with_history(extras, ItemExtraElement, default_user=user, default_date=now)
    if plan.has_changes:
        Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=now)
    return plan


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def catalog_export_filename(catalog: Catalog) -> str:
    name = f"{catalog.region.name}-{catalog.standard.field}-公开事项目录.xlsx"
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)


def catalog_export_workbook(catalog: Catalog, *, published: bool = False, now=None) -> bytes:
    """The catalog's draft (or its current publication) as the official table."""
    region = catalog.region
    now = timezone.localtime(now or timezone.now())
    office = region.office_name or region.full_name
    if published:
        publication = catalog.publications.filter(is_current=True).first()
        if publication is None:
            raise ValidationError(f"“{catalog}”尚未发布，没有可导出的公开版本。")
        items = publication.items.order_by("seq", "pk")
        state = f"第{publication.number}次公开（{timezone.localtime(publication.published_at):%Y-%m-%d}）"
    else:
        items = catalog.items.prefetch_related("extra_elements").order_by("seq", "pk")
        state = f"草稿（{catalog.get_status_display()}）"
    subtitle = f"编制单位：{office}　　版本：{state}　　导出时间：{now:%Y-%m-%d %H:%M}"
    return write_catalog_workbook(title=catalog.title, items=items, subtitle=subtitle)


def edition_export_workbook(edition: StandardEdition) -> bytes:
    return write_catalog_workbook(
        title=edition.standard.title,
        items=edition.items.order_by("seq"),
        subtitle=f"{edition.title}（{edition.get_status_display()}）",
    )


def edition_export_filename(edition: StandardEdition) -> str:
    return f"{edition.standard.field}-标准目录-第{edition.version}版.xlsx"


# ---------------------------------------------------------------------------
# Standard editions (dynamic adjustment by the province)
# ---------------------------------------------------------------------------

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
