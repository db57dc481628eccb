"""Items and their standard items: near names, linking, and adopting a new standard edition.

Near names
    A county often abbreviates a standard item's name ("政策" for 政策法规文件, "监督" for
    监督检查); the item then counts as a local one and the standard item as missing.
    ``closest_standard_items`` pairs such local items with the standard items they probably
    are; the checks (R31), the import preview and the admin's 关联标准事项 page use it, and
    ``item_link_standard`` links one in a single action.

Adopting a new edition (采用新版)
    ``adoption_tasks``, ``adoption_plan``, ``catalog_adopt_edition``, ``catalogs_adopt_many``:
    see the second half of this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalogs import vocabulary
from catalogs.models import Catalog, StandardItem
from catalogs.permissions import require_edit_region
from items.models import Item

# Both parts of a name (一级事项 and 二级事项) must keep this share of the other's characters,
# in order, in one direction or the other: "政策" keeps all of itself in "政策法规文件".
NEAR_NAME_MIN_SCORE = 0.8
_MIN_PART_LENGTH = 2


def _key(text: str) -> str:
    folded = vocabulary.normalize_text(text or "")
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PS")


def _kept(part: str, whole: str) -> float:
    """Share of ``part``'s characters found, in order, in ``whole``."""
    if not part:
        return 0.0
    matcher = SequenceMatcher(None, part, whole, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(part)


def _part_score(mine: str, theirs: str) -> float:
    a, b = _key(mine), _key(theirs)
    if len(a) < _MIN_PART_LENGTH or len(b) < _MIN_PART_LENGTH:
        return 0.0
    if a == b:
        return 1.0
    return max(_kept(a, b), _kept(b, a))


def _standard_names(standard_item: StandardItem) -> list[tuple[str, str]]:
    variant = standard_item.style_a_variant or {}
    names = [(standard_item.level1, standard_item.level2)]
    if variant.get("level1") or variant.get("level2"):
        names.append(
            (
                variant.get("level1") or standard_item.level1,
                variant.get("level2") or standard_item.level2,
            )
        )
    return names


def name_score(level1: str, level2: str, standard_item: StandardItem) -> float:
    """How close a name is to a standard item's (0..1); both parts must be close."""
    best = 0.0
    for standard_level1, standard_level2 in _standard_names(standard_item):
        score = min(
            _part_score(level1, standard_level1), _part_score(level2 or "", standard_level2)
        )
        best = max(best, score)
    return best


def closest_standard_items(
    items: Iterable,
    standard_items: Sequence[StandardItem],
    *,
    threshold: float = NEAR_NAME_MIN_SCORE,
) -> list[tuple]:
    """(item, standard_item) pairs of near names, each item and standard item at most once,
    closest first then in item order. ``items`` is anything with level1/level2 (an Item, a
    PublishedItem, an imported row)."""
    candidates = []
    for position, item in enumerate(items):
        for standard_item in standard_items:
            score = name_score(item.level1, item.level2, standard_item)
            if score >= threshold:
                candidates.append((-score, position, standard_item.seq, item, standard_item))
    candidates.sort(key=lambda row: row[:3])
    used_items, used_standard, pairs = set(), set(), []
    for _score, position, _seq, item, standard_item in candidates:
        if position in used_items or standard_item.pk in used_standard:
            continue
        used_items.add(position)
        used_standard.add(standard_item.pk)
        pairs.append((position, item, standard_item))
    return [(item, standard_item) for _position, item, standard_item in sorted(pairs)]


def missing_standard_items(catalog: Catalog, items: Sequence[Item] | None = None) -> list:
    """The edition's items that apply to the catalog's region and that no item links to or
    is named after (what R01 reports missing)."""
    level = catalog.region.catalog_level
    if level is None:
        return []
    items = list(catalog.items.all()) if items is None else items
    linked = {item.standard_item_id for item in items if item.standard_item_id}
    names = {(_key(item.level1), _key(item.level2)) for item in items}
    missing = []
    for standard_item in catalog.edition.items.order_by("seq"):
        if level not in standard_item.levels or standard_item.pk in linked:
            continue
        if any((_key(l1), _key(l2)) in names for l1, l2 in _standard_names(standard_item)):
            continue
        missing.append(standard_item)
    return missing


def link_suggestions(catalog: Catalog) -> list[tuple[Item, StandardItem]]:
    """Local items of ``catalog`` that are probably a standard item it lacks."""
    items = list(catalog.items.order_by("seq", "pk"))
    local = [item for item in items if item.standard_item_id is None]
    return closest_standard_items(local, missing_standard_items(catalog, items))


@transaction.atomic
def item_link_standard(
    *, actor, item: Item, standard_item: StandardItem, use_standard_name: bool = True
) -> Item:
    """Link a local item to the standard item it is (关联标准事项), in one action.

    The standard item must belong to the catalog's edition and not be linked to another
    item of the catalog. ``use_standard_name`` also writes the standard item's name over an
    abbreviated one, so that the link and the name agree (R07).
    """
    from items.services import item_update

    catalog = item.catalog
    require_edit_region(actor, catalog.region)
    if item.standard_item_id is not None:
        raise ValidationError(f"第{item.seq}项“{item.name}”已关联标准事项，无需再关联。")
    if standard_item.edition_id != catalog.edition_id:
        raise ValidationError(
            f"标准事项“{standard_item.level1} · {standard_item.level2}”不属于本目录依据的"
            f"第{catalog.edition.version}版标准目录。"
        )
    taken = catalog.items.filter(standard_item=standard_item).exclude(pk=item.pk).first()
    if taken is not None:
        raise ValidationError(
            f"标准事项“{standard_item.level1} · {standard_item.level2}”已由第{taken.seq}项"
            f"“{taken.name}”关联。"
        )
    values = {"standard_item": standard_item}
    if use_standard_name:
        values.update(level1=standard_item.level1, level2=standard_item.level2)
    return item_update(
        actor=actor,
        item=item,
        reason=f"关联标准事项“{standard_item.level1} · {standard_item.level2}”",
        **values,
    )


# ---------------------------------------------------------------------------
# Adopting a new standard edition (采用新版)
# ---------------------------------------------------------------------------
#
# The adoption task is a query, not a row: a derived catalog whose edition is older than its
# standard's current edition has one (``adoption_tasks``). ``adoption_plan`` compares, per
# item and element, the old standard item (base), the new one (the province's change) and
# the county's item (its local edit): a field only the province changed takes the new value,
# one only the county changed keeps the county's, and one both changed differently is a
# conflict the editor settles (采用新版 / 保留本地 / 调整为…). Standard items added in the new
# edition that apply to the region are added; items whose standard item was removed are
# flagged and kept as local items unless the editor deletes them. ``catalog_adopt_edition``
# applies a plan in one transaction and moves the catalog to the new edition.

ADOPT_FIELDS = vocabulary.STANDARD_ROW_FIELDS
TAKE_STANDARD, KEEP_LOCAL, ADJUST = "standard", "local", "adjust"
KEEP_AS_LOCAL, DELETE = "keep", "delete"
TEXT_FIELDS = ("level1", "level2", "content", "basis", "deadline", "subject")


def _comparable(name: str, value):
    if name == "content":
        return [_key(element) for element in vocabulary.split_elements(value or "")]
    if isinstance(value, list | tuple):
        return sorted(value)
    return vocabulary.normalize_text(value or "")


def _same_value(name: str, a, b) -> bool:
    return _comparable(name, a) == _comparable(name, b)


def display_value(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(value) or "（空）"
    return (value or "").strip() or "（空）"


@dataclass
class ElementMerge:
    field: str
    label: str
    old: object  # the old edition's value
    new: object  # the new edition's value
    mine: object  # the county's value
    result: object  # what adopting writes unless the editor decides otherwise
    province_changed: bool
    county_changed: bool
    conflict: bool

    @property
    def key(self) -> str:
        return self.field


@dataclass
class ItemMerge:
    item: Item
    old_standard: StandardItem
    new_standard: StandardItem
    elements: list[ElementMerge] = field(default_factory=list)

    @property
    def conflicts(self) -> list[ElementMerge]:
        return [element for element in self.elements if element.conflict]

    @property
    def changes(self) -> dict:
        return {
            e.field: e.result
            for e in self.elements
            if not e.conflict and not _same_value(e.field, e.result, e.mine)
        }


@dataclass
class AdoptionPlan:
    catalog: Catalog
    old_edition: object
    new_edition: object
    merged: list[ItemMerge] = field(default_factory=list)  # items linked to a kept item
    added: list[StandardItem] = field(default_factory=list)  # new standard items to add
    removed: list[Item] = field(default_factory=list)  # items whose standard item is gone

    @property
    def conflicts(self) -> list[tuple[ItemMerge, ElementMerge]]:
        return [(merge, element) for merge in self.merged for element in merge.conflicts]

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)

    def summary(self) -> str:
        updated = sum(1 for merge in self.merged if merge.changes or merge.conflicts)
        return (
            f"第{self.old_edition.version}版→第{self.new_edition.version}版：更新{updated}项，"
            f"新增{len(self.added)}项，标准已删除{len(self.removed)}项，冲突{len(self.conflicts)}处"
        )


def adoption_tasks(catalogs=None):
    """Catalogs on an older edition than their standard's current one (each is a task)."""
    from django.db.models import F, Max, OuterRef, Subquery

    from catalogs.models import EditionStatus, StandardEdition

    catalogs = Catalog.objects.all() if catalogs is None else catalogs
    newest = (
        StandardEdition.objects.filter(
            standard=OuterRef("standard"), status=EditionStatus.PUBLISHED
        )
        .values("standard")
        .annotate(top=Max("version"))
        .values("top")
    )
    return catalogs.annotate(newest_version=Subquery(newest)).filter(
        edition__version__lt=F("newest_version")
    )


def adoption_plan(catalog: Catalog, edition=None) -> AdoptionPlan:
    """What adopting ``edition`` (default: the current one) would do; reads only."""
    edition = edition or catalog.standard.current_edition
    if edition is None or edition.standard_id != catalog.standard_id or not edition.is_published:
        raise ValidationError("没有可采用的已发布标准版本。")
    if edition.version <= catalog.edition.version:
        raise ValidationError(
            f"“{catalog}”已依据第{catalog.edition.version}版，无需采用第{edition.version}版。"
        )
    plan = AdoptionPlan(catalog=catalog, old_edition=catalog.edition, new_edition=edition)
    new_by_key = {si.key: si for si in edition.items.order_by("seq")}
    items = list(catalog.items.select_related("standard_item").order_by("seq", "pk"))
    linked_keys = set()
    for item in items:
        old = item.standard_item
        if old is None:
            continue
        linked_keys.add(old.key)
        new = new_by_key.get(old.key)
        if new is None:
            plan.removed.append(item)
            continue
        merge = ItemMerge(item=item, old_standard=old, new_standard=new)
        for name in ADOPT_FIELDS:
            base, theirs, mine = getattr(old, name), getattr(new, name), getattr(item, name)
            province = not _same_value(name, base, theirs)
            county = not _same_value(name, base, mine)
            conflict = province and county and not _same_value(name, theirs, mine)
            merge.elements.append(
                ElementMerge(
                    field=name,
                    label=vocabulary.FIELD_LABELS[name],
                    old=base,
                    new=theirs,
                    mine=mine,
                    result=theirs if province and not county else mine,
                    province_changed=province,
                    county_changed=county,
                    conflict=conflict,
                )
            )
        plan.merged.append(merge)
    names = {(_key(item.level1), _key(item.level2)) for item in items}
    for key, standard_item in new_by_key.items():
        if key in linked_keys or not standard_item.applies_to(catalog.region):
            continue
        if (_key(standard_item.level1), _key(standard_item.level2)) in names:
            continue  # the county already has it as a local item of the same name
        plan.added.append(standard_item)
    return plan


@transaction.atomic
def catalog_adopt_edition(
    *,
    actor,
    catalog: Catalog,
    edition=None,
    decisions: dict[str, tuple[str, object]] | None = None,
    removals: dict[int, str] | None = None,
    expected_changed_at=None,
) -> AdoptionPlan:
    """Move ``catalog`` to ``edition``: carry the county's edits over, take the province's,
    settle each conflict as ``decisions`` says, add new standard items, unlink (or delete)
    items whose standard item was removed. One transaction; refused while any conflict is
    undecided, or when the draft changed since ``expected_changed_at`` (the preview's).

    ``decisions``: ``"<item pk>:<field>"`` → (``standard`` | ``local`` | ``adjust``, value);
    ``removals``: item pk → ``keep`` (a local item from now on) or ``delete``.
    """
    from catalogs.permissions import history_user
    from items.services import _require_editable, item_create, item_delete, item_update

    _require_editable(actor, catalog)
    catalog = Catalog.objects.select_related("region", "standard", "edition").get(pk=catalog.pk)
    if expected_changed_at is not None and catalog.draft_changed_at != expected_changed_at:
        raise ValidationError("预览之后目录已被修改，请重新打开“采用新版”页面核对后再保存。")
    plan = adoption_plan(catalog, edition)
    decisions = decisions or {}
    removals = removals or {}
    undecided = []
    for merge in plan.merged:
        values = dict(merge.changes)
        for element in merge.conflicts:
            choice, adjusted = decisions.get(f"{merge.item.pk}:{element.field}", (None, None))
            if choice == TAKE_STANDARD:
                values[element.field] = element.new
            elif choice == KEEP_LOCAL:
                pass
            elif choice == ADJUST and adjusted not in (None, "", []):
                values[element.field] = _adjusted_value(element.field, adjusted)
            else:
                undecided.append(f"第{merge.item.seq}项“{merge.item.name}”的{element.label}")
        if undecided:
            continue
        values["standard_item"] = merge.new_standard
        item_update(
            actor=actor,
            item=merge.item,
            reason=f"采用第{plan.new_edition.version}版标准目录",
            **values,
        )
    if undecided:
        raise ValidationError(
            f"以下{len(undecided)}处冲突尚未处理（请选择采用新版、保留本地或填写调整内容）："
            + "；".join(undecided[:10])
        )
    for item in plan.removed:
        if removals.get(item.pk, KEEP_AS_LOCAL) == DELETE:
            item_delete(actor=actor, item=item)
        else:
            item_update(
                actor=actor,
                item=item,
                reason=f"第{plan.new_edition.version}版标准目录已删除对应事项，保留为本地事项",
                standard_item=None,
            )
    for standard_item in plan.added:
        item_create(
            actor=actor,
            catalog=catalog,
            standard_item=standard_item,
            **{name: getattr(standard_item, name) for name in ADOPT_FIELDS},
        )
    catalog.edition = plan.new_edition
    catalog._history_user = history_user(actor)
    catalog._change_reason = f"采用第{plan.new_edition.version}版标准目录（{plan.summary()}）"
    catalog.full_clean()
    catalog.save(update_fields=["edition"])
    return plan


def _adjusted_value(name: str, value):
    if name in TEXT_FIELDS:
        return str(value).strip()
    if isinstance(value, str):
        value = [part for part in re.split(r"[、,，;；\s]+", value) if part]
    return list(value)


def catalogs_adopt_many(*, actor, catalogs) -> tuple[list, list]:
    """Adopt the current edition in every catalog of ``catalogs`` that has no conflict.

    Returns (adopted plans, (catalog, plan or reason) of those left for a person). Each
    catalog is its own transaction, so one refusal does not undo the others.
    """
    adopted, left = [], []
    for catalog in adoption_tasks(catalogs).select_related("region", "standard", "edition"):
        try:
            plan = adoption_plan(catalog)
            if plan.has_conflicts:
                left.append((catalog, plan.summary()))
                continue
            adopted.append(catalog_adopt_edition(actor=actor, catalog=catalog))
        except (ValidationError, PermissionDenied) as error:
            left.append((catalog, "；".join(getattr(error, "messages", [str(error)]))))
    return adopted, left
