"""R01 coverage, R02 elements, R05 level: is every required item there, complete, at the
region's level."""

from __future__ import annotations

from collections.abc import Iterator

from items.validation import item_problems
from review.checks.registry import ERROR, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.standard import current_standard_items, load_current_editions
from review.checks.text import as_list, item_label, name_key, standard_label, standard_name_keys


@rule(
    "R01-coverage",
    ERROR,
    "标准事项全部纳入（应公开尽公开）",
    "标准目录中公开层级包含本级（县级或乡级）的每个事项，目录中都应有对应事项："
    "关联该标准事项，或名称（规范化后）与之相同。省级设定为不单独编制目录的区划不检查。"
    "对照的是最新发布的标准版本。",
    prepare=load_current_editions,
)
def check_coverage(context: CatalogContext) -> Iterator[Hit]:
    level = context.region.catalog_level
    if level is None or not context.region.compiles_catalogs:
        # A farm or zone whose catalog the county publishes owes no items of its own.
        return
    linked = {item.standard_item.key for item in context.items if item.standard_item_id}
    names = {name_key(item.level1, item.level2) for item in context.items}
    for standard_item in current_standard_items(context):
        if level not in standard_item.levels or standard_item.key in linked:
            continue
        if any(key in names for key in standard_name_keys(standard_item)):
            continue
        yield Hit(
            f"缺少{standard_label(standard_item)}：该事项的公开层级包含“{level}”，"
            f"{context.region.name}应当公开（应公开尽公开）。",
            key=standard_item.key,
        )


@rule(
    "R02-elements",
    ERROR,
    "九要素齐全有效",
    "每个事项的名称、内容、依据、时限、主体、渠道、对象、方式、层级都应填写，"
    "公开对象、方式、层级只能取规定的选项。每个缺失或无效的要素各报一条。",
)
def check_elements(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        # Without a region: the level-vs-region test is R05's. Channel vocabulary is R03's.
        for problem in item_problems(item):
            if problem.element == "channels" and as_list(item.channels):
                continue
            yield Hit(f"{item_label(item)}：{problem.message}。", item, problem.element)


@rule(
    "R05-level",
    ERROR,
    "公开层级与区划一致",
    "县级目录的事项公开层级应包含“县级”，乡级（乡镇、街道）目录的事项应包含“乡级”。",
)
def check_level(context: CatalogContext) -> Iterator[Hit]:
    region = context.region
    level = region.catalog_level
    if level is None:
        yield Hit(
            f"“{region.name}”是{region.get_level_display()}区划，只有县级和乡级区划编制目录。",
            key=region.level,
        )
        return
    for item in context.items:
        levels = as_list(item.levels)
        if levels and level not in levels:
            yield Hit(
                f"{item_label(item)}：公开层级为“{'、'.join(levels)}”，应包含“{level}”"
                f"（{region.name}是{region.get_level_display()}区划）。",
                item,
                "levels",
            )
