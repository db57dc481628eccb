"""Non-trivial reads of the catalogs app."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from catalogs import vocabulary
from catalogs.models import Region, StandardEdition, StandardItem


def full_names(regions: Iterable[Region]) -> dict[int, str]:
    """``Region.full_name`` of many regions, by primary key, in one query."""
    regions = list(regions)
    codes = {code for region in regions for code in region.ancestor_codes()[:-1]}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {region.pk: region.full_name_from(names) for region in regions}


COMPARED_FIELDS = {name: vocabulary.FIELD_LABELS[name] for name in vocabulary.STANDARD_ROW_FIELDS}


@dataclass
class ItemChange:
    kind: str  # "added", "removed" or "changed"
    key: str
    name: str
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # (label, old, new)

    @property
    def kind_label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.kind]


def _name(item: StandardItem) -> str:
    return f"{item.seq}. {item.level1} · {item.level2}"


def edition_changes(old: StandardEdition, new: StandardEdition) -> list[ItemChange]:
    """What ``new`` changes compared with ``old``, item by item (matched on their key)."""
    old_items = {item.key: item for item in old.items.all()}
    new_items = {item.key: item for item in new.items.all()}
    changes = []
    for key, item in new_items.items():
        before = old_items.get(key)
        if before is None:
            changes.append(ItemChange("added", key, _name(item)))
            continue
        differing = [
            (label, getattr(before, name), getattr(item, name))
            for name, label in COMPARED_FIELDS.items()
            if getattr(before, name) != getattr(item, name)
        ]
        if differing:
            changes.append(ItemChange("changed", key, _name(item), differing))
    changes += [
        ItemChange("removed", key, _name(item))
        for key, item in old_items.items()
        if key not in new_items
    ]
    return changes
