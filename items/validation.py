"""What a draft or published item must satisfy, with Chinese messages.

Two levels of the same rules: ``validate_item`` refuses what may never be saved (a term
outside its vocabulary, a value the model rejects), for the services and the Excel import
alike; ``item_problems`` lists what keeps a saved item from being published (missing
elements, unknown terms, a 公开层级 that leaves out the region's own level).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from catalogs import vocabulary
from catalogs.models import Region

# The list elements and the vocabulary each one's terms come from.
TERM_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "channels": vocabulary.CHANNELS,
    "audience": vocabulary.AUDIENCES,
    "method": vocabulary.METHODS,
    "levels": vocabulary.ITEM_LEVELS,
}


@dataclass(frozen=True)
class Problem:
    element: str  # a key of vocabulary.ELEMENT_LABELS
    message: str

    @property
    def label(self) -> str:
        return vocabulary.ELEMENT_LABELS[self.element]


def _unknown_terms(element: str, values) -> str | None:
    """The message for the terms of ``values`` outside the element's vocabulary, if any."""
    unknown = [value for value in values or [] if value not in TERM_VOCABULARIES[element]]
    if not unknown:
        return None
    return f"{vocabulary.ELEMENT_LABELS[element]}含有无效的选项：{'、'.join(unknown)}"


def term_errors(item) -> dict[str, str]:
    """A message for each list element that holds a term outside its vocabulary."""
    errors = {}
    for element in TERM_VOCABULARIES:
        if message := _unknown_terms(element, getattr(item, element)):
            errors[element] = message
    return errors


def validate_item(item, *, validate_unique: bool = True) -> None:
    """Refuse an item that may not be saved: unknown terms, or what ``full_clean`` rejects.

    Every saved item passes here, whether it comes from ``item_create``/``item_update`` or
    from an Excel import. Raises one ``ValidationError`` with every message, by field.
    """
    errors = {element: [message] for element, message in term_errors(item).items()}
    try:
        item.full_clean(exclude=["catalog", "standard_item"], validate_unique=validate_unique)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check_terms(element, values, problems):
    if not values:
        problems.append(Problem(element, f"未填写{vocabulary.ELEMENT_LABELS[element]}"))
        return
    if message := _unknown_terms(element, values):
        allowed = "、".join(TERM_VOCABULARIES[element])
        problems.append(Problem(element, f"{message}（可选：{allowed}）"))


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
    _check_terms("channels", item.channels, problems)
    if vocabulary.OTHER_CHANNEL in (item.channels or []) and not (item.channel_other or "").strip():
        problems.append(Problem("channels", "选择了“其他”渠道，但未说明具体渠道"))
    _check_terms("audience", item.audience, problems)
    _check_terms("method", item.method, problems)
    _check_terms("levels", item.levels, problems)
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


def describe_problems(problems: list[Problem]) -> str:
    return "；".join(problem.message for problem in problems)
