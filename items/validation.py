"""Completeness of an item: all nine elements present and valid, with Chinese messages."""

from dataclasses import dataclass

from catalogs import vocabulary
from catalogs.models import Region


@dataclass(frozen=True)
class Problem:
    element: str  # a key of vocabulary.ELEMENT_LABELS
    message: str

    @property
    def label(self) -> str:
        return vocabulary.ELEMENT_LABELS[self.element]


def _check_terms(element, values, allowed, problems):
    label = vocabulary.ELEMENT_LABELS[element]
    if not values:
        problems.append(Problem(element, f"未填写{label}"))
        return
    unknown = [value for value in values if value not in allowed]
    if unknown:
        problems.append(
            Problem(
                element,
                f"{label}含有无效的选项：{'、'.join(unknown)}（可选：{'、'.join(allowed)}）",
            )
        )


def item_problems(item, region: Region | None = None) -> list[Problem]:
    """Every missing or invalid element of a draft or published item, in table order."""
    problems: list[Problem] = []
    if not (item.level1 or "").strip() or not (item.level2 or "").strip():
        missing = "一级事项" if not (item.level1 or "").strip() else "二级事项"
        problems.append(Problem("name", f"未填写事项名称（{missing}）"))
    if not vocabulary.split_elements(item.content):
        problems.append(Problem("content", "未填写公开内容(要素)"))
    for element in ("basis", "deadline", "subject"):
        if not (getattr(item, element) or "").strip():
            problems.append(Problem(element, f"未填写{vocabulary.ELEMENT_LABELS[element]}"))
    _check_terms("channels", item.channels, vocabulary.CHANNELS, problems)
    if vocabulary.OTHER_CHANNEL in (item.channels or []) and not (item.channel_other or "").strip():
        problems.append(Problem("channels", "选择了“其他”渠道，但未说明具体渠道"))
    _check_terms("audience", item.audience, vocabulary.AUDIENCES, problems)
    _check_terms("method", item.method, vocabulary.METHODS, problems)
    _check_terms("levels", item.levels, vocabulary.LEVELS, problems)
    if region is not None and item.levels and region.catalog_level:
        if region.catalog_level not in item.levels:
            problems.append(
                Problem(
                    "levels",
                    f"公开层级应包含“{region.catalog_level}”（{region.name}是"
                    f"{region.get_level_display()}区划）",
                )
            )
    return problems


def is_complete(item, region: Region | None = None) -> bool:
    return not item_problems(item, region)


def describe_problems(problems: list[Problem]) -> str:
    return "；".join(problem.message for problem in problems)
