"""Snapshots of a catalog as judged, and comparison with the last accepted version."""

from dataclasses import dataclass, field

from catalogs.models import Catalog
from catalogs.selectors import COMPARED_FIELDS
from catalogs.vocabulary import ITEM_ELEMENT_FIELDS
from items.models import Item, PublishedItem
from review.models import AcceptanceDecision, Decision

SNAPSHOT_FIELDS = ITEM_ELEMENT_FIELDS


def catalog_snapshot(catalog: Catalog, *, source: str = "publication") -> dict:
    """The catalog with all elements and local extras of every item, as plain JSON.

    ``source="publication"`` (what acceptance freezes): the items of the current
    publication, what citizens see; ``"draft"``: the items staff edit.
    """
    publication = catalog.publications.filter(is_current=True).first()
    if source == "publication":
        rows = (
            publication.items.order_by("seq", "pk")
            if publication is not None
            else PublishedItem.objects.none()
        )
        items = [
            {
                "public_id": str(item.public_id),
                "item_id": item.item_id,
                **{name: getattr(item, name) for name in SNAPSHOT_FIELDS},
                "extras": [list(pair) for pair in item.extra_elements or []],
            }
            for item in rows
        ]
    elif source == "draft":
        rows = (
            Item.objects.filter(catalog=catalog)
            .prefetch_related("extra_elements")
            .order_by("seq", "pk")
        )
        items = [
            {
                "public_id": str(item.public_id),
                "item_id": item.pk,
                **{name: getattr(item, name) for name in SNAPSHOT_FIELDS},
                "extras": [[extra.name, extra.value] for extra in item.extra_elements.all()],
            }
            for item in rows
        ]
    else:
        raise ValueError(f"source must be 'publication' or 'draft', not {source!r}")
    return {
        "catalog": {
            "id": catalog.pk,
            "title": catalog.title,
            "region_code": catalog.region.code,
            "region": catalog.region.full_name,
            "standard": catalog.standard.title,
            "edition": catalog.edition.version,
            "status": catalog.status,
            "source": source,
            "publication_number": publication.number if publication else None,
            "published_at": publication.published_at.isoformat() if publication else None,
            "unpublished_changes": catalog.has_unpublished_changes,
        },
        "items": items,
    }


@dataclass
class ElementChange:
    label: str
    before: str
    after: str


@dataclass
class ItemComparison:
    kind: str  # "added", "removed", "changed"
    name: str
    seq: int
    changes: list[ElementChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"added": "新增事项", "removed": "删除事项", "changed": "要素变化"}[self.kind]


@dataclass
class CatalogComparison:
    decision: AcceptanceDecision | None
    items: list[ItemComparison]
    unchanged: int

    @property
    def has_changes(self) -> bool:
        return bool(self.items)


def _display(value) -> str:
    if isinstance(value, list):
        return "、".join(str(part) for part in value)
    return "" if value is None else str(value)


def _item_name(values: dict) -> str:
    level2 = values.get("level2") or ""
    return f"{values.get('level1', '')} · {level2}" if level2 else values.get("level1", "")


ELEMENT_COMPARE = {**COMPARED_FIELDS, "seq": "序号", "channel_other": "其他渠道说明"}


def compare_items(before: list[dict], after: list[dict]) -> tuple[list[ItemComparison], int]:
    """Element-by-element differences of two item lists, matched on the items' public ids."""
    old = {entry["public_id"]: entry for entry in before}
    result, unchanged = [], 0
    for entry in after:
        previous = old.pop(entry["public_id"], None)
        if previous is None:
            result.append(ItemComparison("added", _item_name(entry), entry["seq"]))
            continue
        changes = [
            ElementChange(label, _display(previous.get(name)), _display(entry.get(name)))
            for name, label in ELEMENT_COMPARE.items()
            if previous.get(name) != entry.get(name)
        ]
        old_extras = dict(previous.get("extras") or [])
        new_extras = dict(entry.get("extras") or [])
        for name in [*old_extras, *(n for n in new_extras if n not in old_extras)]:
            if old_extras.get(name) != new_extras.get(name):
                changes.append(
                    ElementChange(
                        f"本地要素：{name}", old_extras.get(name, ""), new_extras.get(name, "")
                    )
                )
        if changes:
            result.append(ItemComparison("changed", _item_name(entry), entry["seq"], changes))
        else:
            unchanged += 1
    result += [ItemComparison("removed", _item_name(entry), entry["seq"]) for entry in old.values()]
    result.sort(key=lambda comparison: comparison.seq)
    return result, unchanged


def last_accepted_decision(catalog: Catalog) -> AcceptanceDecision | None:
    return (
        AcceptanceDecision.objects.filter(catalog=catalog, decision=Decision.ACCEPT)
        .order_by("-decided_at", "-pk")
        .first()
    )


def compare_with_last_accepted(catalog: Catalog, *, source: str = "draft") -> CatalogComparison:
    """How the catalog differs from its last accepted snapshot, element by element: the
    draft (what its editors are changing, by default) or the current publication."""
    decision = last_accepted_decision(catalog)
    if decision is None:
        return CatalogComparison(decision=None, items=[], unchanged=0)
    current = catalog_snapshot(catalog, source=source)["items"]
    items, unchanged = compare_items(decision.snapshot.get("items", []), current)
    return CatalogComparison(decision=decision, items=items, unchanged=unchanged)
