"""An item as it was and as it is: snapshots of its elements and per-element differences."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from catalogs.vocabulary import FIELD_LABELS, ITEM_ELEMENT_FIELDS
from items.models import Item
from items.services import extras_as_of

# ---------------------------------------------------------------------------
# Item snapshots and per-element differences
# ---------------------------------------------------------------------------

SNAPSHOT_FIELDS = ITEM_ELEMENT_FIELDS
# The fields an element of a finding points at (事项名称 is the two levels).
ELEMENT_FIELDS = {
    "name": ("level1", "level2"),
    "channels": ("channels", "channel_other"),
}


# Every field of an item its editors change (the sequence number is the catalog's order).
EDITABLE_FIELDS = tuple(name for name in SNAPSHOT_FIELDS if name != "seq")


def element_fields(element: str) -> tuple[str, ...]:
    """The item fields a finding's element names (none for a finding on the whole item)."""
    if not element:
        return ()
    return ELEMENT_FIELDS.get(element, (element,))


def item_snapshot(item: Item) -> dict:
    """The item's elements, local extras and version, as plain JSON."""
    return {
        **{name: getattr(item, name) for name in SNAPSHOT_FIELDS},
        "extras": [
            [extra.name, extra.value] for extra in item.extra_elements.order_by("order", "pk")
        ],
        "version": item.version,
    }


def item_snapshot_at(item_id: int, when: datetime) -> dict | None:
    """The item as its history shows it at ``when`` (findings raised before snapshots were
    stored, and the checks' findings), or None when the history does not reach back."""
    record = (
        Item.history.filter(id=item_id, history_date__lte=when)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return None
    item = Item(pk=item_id)
    return {
        **{name: getattr(record, name) for name in SNAPSHOT_FIELDS},
        "extras": [list(pair) for pair in extras_as_of(item, when)],
        "version": getattr(record, "version", None),
    }


def _display(value) -> str:
    if isinstance(value, list):
        return "、".join(str(part) for part in value)
    return "" if value is None else str(value)


@dataclass
class Segment:
    kind: str  # "same", "removed", "added"
    text: str


@dataclass
class ElementDiff:
    name: str
    label: str
    before: str
    after: str
    is_target: bool  # the element the finding is about

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def before_segments(self) -> list[Segment]:
        return [s for s in self._segments() if s.kind != "added"]

    @property
    def after_segments(self) -> list[Segment]:
        return [s for s in self._segments() if s.kind != "removed"]

    def _segments(self) -> list[Segment]:
        """Character-level differences (Chinese text has no spaces between words)."""
        matcher = difflib.SequenceMatcher(a=self.before, b=self.after, autojunk=False)
        segments = []
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                segments.append(Segment("same", self.before[a1:a2]))
                continue
            if a2 > a1:
                segments.append(Segment("removed", self.before[a1:a2]))
            if b2 > b1:
                segments.append(Segment("added", self.after[b1:b2]))
        return segments


def element_diffs(
    before: dict | None, after: dict | None, *, element: str = ""
) -> list[ElementDiff]:
    """Every element of an item before and after, the one a finding names first."""
    before, after = before or {}, after or {}
    targets = element_fields(element)
    diffs = [
        ElementDiff(
            name=name,
            label=FIELD_LABELS.get(name, name),
            before=_display(before.get(name)),
            after=_display(after.get(name)),
            is_target=name in targets,
        )
        for name in SNAPSHOT_FIELDS
    ]
    old_extras, new_extras = dict(before.get("extras") or []), dict(after.get("extras") or [])
    for name in [*old_extras, *(n for n in new_extras if n not in old_extras)]:
        diffs.append(
            ElementDiff(
                name=f"extra:{name}",
                label=f"本地增加要素：{name}",
                before=old_extras.get(name, ""),
                after=new_extras.get(name, ""),
                is_target=False,
            )
        )
    diffs.sort(key=lambda diff: not diff.is_target)
    return diffs
