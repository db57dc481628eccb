"""R07: a refined item name still matches the standard item it derives from."""

from __future__ import annotations

from collections.abc import Iterator

from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.service_names import linked_name_agrees, load_service_matters
from review.checks.text import (
    item_label,
    name_coverage,
    name_key,
    normalize_name,
    standard_label,
    standard_name_keys,
    standard_name_parts,
)

# A refined name must keep at least this share of its standard item's name, in order
# (difflib matching blocks). "低保审核信息" keeps 60% of "最低生活保障审核信息".
NAME_DRIFT_MIN_COVERAGE = 0.6


def _refinement_coverage(level1: str, level2: str, refined: str) -> float:
    """How much of a standard name a refined name keeps: of the whole name, and of level2
    alone, because level2 is what tells items of one level1 apart (审核信息 vs 资金发放)."""
    return min(
        name_coverage(name_key(level1, level2), refined),
        name_coverage(normalize_name(level2), refined),
    )


@rule(
    "R07-name-drift",
    WARNING,
    "细化名称与标准事项一致",
    "允许细化事项名称，但规范化（全半角、标点、空白）后应包含标准事项名称，"
    f"或至少保留其名称及二级事项名称各{NAME_DRIFT_MIN_COVERAGE:.0%}的内容；"
    "名称与另一个标准事项相同时提示核对对应关系。"
    "事项已关联政务服务事项库、且名称与库中名称一致的，视为合理细化。",
    prepare=load_service_matters,
)
def check_name_drift(context: CatalogContext) -> Iterator[Hit]:
    others = [(si, standard_name_keys(si)) for si in context.standard_items]
    for item in context.items:
        standard_item = item.standard_item
        refined = name_key(item.level1, item.level2)
        if standard_item is None or not refined:
            continue
        candidates = standard_name_keys(standard_item)
        if any(candidate in refined for candidate in candidates):
            continue  # kept whole, perhaps with a qualifier: 审核信息（农安县）
        other = next(
            (
                si
                for si, keys in others
                if si.key != standard_item.key and any(key in refined for key in keys)
            ),
            None,
        )
        if other is not None:
            yield Hit(
                f"{item_label(item)}：名称与{standard_label(other)}相同，"
                f"却对应{standard_label(standard_item)}，请核对对应关系。",
                item,
                "name",
                key=f"other:{other.key}",
            )
            continue
        coverage = max(
            _refinement_coverage(level1, level2, refined)
            for level1, level2 in standard_name_parts(standard_item)
        )
        if coverage < NAME_DRIFT_MIN_COVERAGE and not linked_name_agrees(context, item):
            yield Hit(
                f"{item_label(item)}：名称与对应的{standard_label(standard_item)}差异较大"
                f"（保留了标准名称的{coverage:.0%}），细化名称应保留标准事项名称的核心内容。",
                item,
                "name",
                key="drift",
            )
