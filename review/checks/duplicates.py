"""R12 / R13: no item twice, and local extra elements that add something."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalogs import vocabulary
from items.models import Item
from review.checks.registry import ERROR, WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label, name_key, normalize_name, standard_label


@rule(
    "R12-duplicates",
    ERROR,
    "事项不重复",
    "同一目录中不应有名称（规范化后）相同的两个事项，也不应有两个事项对应同一个标准事项。",
)
def check_duplicates(context: CatalogContext) -> Iterator[Hit]:
    reported: set[tuple[int, int]] = set()
    first_by_standard: dict[str, Item] = {}
    first_by_name: dict[str, Item] = {}
    for item in context.items:
        if item.standard_item_id:
            key = item.standard_item.key
            first = first_by_standard.setdefault(key, item)
            if first is not item:
                reported.add((first.pk, item.pk))
                yield Hit(
                    f"{item_label(item)}与{item_label(first)}对应同一个"
                    f"{standard_label(item.standard_item)}，事项重复。",
                    item,
                    "name",
                    key=f"standard:{key}",
                )
        name = name_key(item.level1, item.level2)
        if not name:
            continue
        first = first_by_name.setdefault(name, item)
        if first is not item and (first.pk, item.pk) not in reported:
            yield Hit(
                f"{item_label(item)}与{item_label(first)}名称相同，事项重复。",
                item,
                "name",
                key="name",
            )


# A bracketed remark, after normalize_text has made the brackets half-width.
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_ELEMENT_NAME_ALIASES = {
    "事项名称": "name",
    "公开事项": "name",
    "一级事项": "name",
    "二级事项": "name",
    "公开内容": "content",
    "公开要素": "content",
    "公开依据": "basis",
    "公开时限": "deadline",
    "公开主体": "subject",
    "公开渠道": "channels",
    "公开载体": "channels",
    "公开渠道和载体": "channels",
    "公开对象": "audience",
    "公开方式": "method",
    "公开层级": "levels",
}
_ELEMENT_BY_NAME = {
    normalize_name(name): element
    for name, element in (
        *((label, key) for key, label in vocabulary.ELEMENT_LABELS.items()),
        *_ELEMENT_NAME_ALIASES.items(),
    )
}


@rule(
    "R13-extra-elements",
    WARNING,
    "本地增加要素规范",
    "本地增加的要素应有内容、名称不重复，且不应与九个必备要素重名（应填入必备要素本身）。",
)
def check_extra_elements(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        seen: set[str] = set()
        for extra in context.extras.get(item.pk, []):
            name = normalize_name(extra.name)
            # 公开时限（天） is still the deadline element.
            bare = normalize_name(_PARENTHETICAL.sub("", vocabulary.normalize_text(extra.name)))
            element = _ELEMENT_BY_NAME.get(name) or _ELEMENT_BY_NAME.get(bare)
            if element is not None:
                yield Hit(
                    f"{item_label(item)}：本地增加要素“{extra.name}”与必备要素"
                    f"“{vocabulary.ELEMENT_LABELS[element]}”重复，应填入该要素。",
                    item,
                    element,
                    key=f"element:{extra.name}",
                )
            elif name in seen:
                yield Hit(
                    f"{item_label(item)}：本地增加要素“{extra.name}”重复。",
                    item,
                    key=f"duplicate:{extra.name}",
                )
            if not (extra.value or "").strip():
                yield Hit(
                    f"{item_label(item)}：本地增加要素“{extra.name}”未填写内容。",
                    item,
                    key=f"empty:{extra.name}",
                )
            seen.add(name)
