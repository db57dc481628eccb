"""Hints in a plan: a local row whose name is close to a standard item it would leave missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalogs.models import Region
from items.adoption import closest_standard_items
from items.imports.compare import _name_key

if TYPE_CHECKING:
    from items.imports.plan import AddedRow, ImportPlan


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
