"""Plan a catalog import: match the file's rows to the draft's items; writes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from catalogs.excel import (
    ParsedRow,
    ParsedTable,
)
from catalogs.models import (
    Catalog,
    Region,
    StandardCatalog,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import require_edit_region
from items.imports.compare import COMPARED, _clean, _display, _name_key, _same
from items.imports.hints import _hint_near_names
from items.models import Item
from items.services import (
    check_derivable,
    derived_items,
)
from items.validation import describe_problems, item_problems


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
