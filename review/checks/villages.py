"""R24: village catalogs against their township's (issue 14).

吉民发〔2020〕13号 (八) asks that 村（居）民委员会 catalogs be entered in the query system with
“相同事项的公开内容对应一致”. A village item is the same item as a township item when both
derive from the same standard item (the village standard keeps the field standards' item
keys: ``social-assistance-5``), or, for items without a standard item on either side, when
their names (一级 + 二级事项) are equal after normalisation (NFKC, no spaces or punctuation).
Their 公开内容 differs when the element lists differ after the same normalisation, in any
order: a re-bulleted or re-spaced copy is the same content, a missing or added element is not.

The township side is read like the village side: its current publication when the run
judges what citizens see, its draft when the run checks drafts. A township without a
catalog (or, for publications, without a published one) has nothing to compare with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from catalogs import vocabulary
from catalogs.models import RegionLevel
from items.models import Item, PublishedItem
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import PUBLICATION, CatalogContext
from review.checks.text import item_label, name_key

DATA_KEY = "village_township_items"


@dataclass(frozen=True)
class TownshipItem:
    seq: int
    level1: str
    level2: str
    content: str
    standard_key: str | None
    catalog_title: str

    @property
    def name(self) -> str:
        return f"{self.level1} · {self.level2}" if self.level2 else self.level1


def content_key(content: str) -> tuple[str, ...]:
    """The 公开内容 as a comparable value: normalised elements, order ignored."""
    return tuple(
        sorted(vocabulary.normalize_text(element) for element in vocabulary.split_elements(content))
    )


def load_township_items(contexts: list[CatalogContext]) -> None:
    """The township catalogs' items for every village context: one query per source."""
    villages = [c for c in contexts if c.region.level == RegionLevel.VILLAGE]
    townships = {c.region.parent_id for c in villages if c.region.parent_id}
    by_source = defaultdict(set)
    for context in villages:
        by_source[context.source].add(context.region.parent_id)
    loaded: dict[tuple[str, int], list[TownshipItem]] = defaultdict(list)
    fields = ("seq", "level1", "level2", "content", "standard_item__key")
    for source, township_ids in by_source.items():
        if source == PUBLICATION:
            rows = (
                PublishedItem.objects.filter(
                    publication__is_current=True,
                    publication__catalog__region_id__in=township_ids,
                )
                .order_by("publication__catalog__standard__order", "seq", "pk")
                .values_list(
                    "publication__catalog__region_id", "publication__catalog__title", *fields
                )
            )
        else:
            rows = (
                Item.objects.filter(catalog__region_id__in=township_ids)
                .order_by("catalog__standard__order", "seq", "pk")
                .values_list("catalog__region_id", "catalog__title", *fields)
            )
        for region_id, title, seq, level1, level2, content, key in rows:
            loaded[(source, region_id)].append(
                TownshipItem(seq, level1, level2 or "", content or "", key, title)
            )
    for context in contexts:
        if context.region.parent_id in townships:
            context.data[DATA_KEY] = loaded.get((context.source, context.region.parent_id), [])
        else:
            context.data[DATA_KEY] = []


@rule(
    "R24-village-consistency",
    WARNING,
    "村（居）目录与乡镇目录公开内容一致",
    "村（居）民委员会目录中与所在乡镇（街道）目录相同的事项（对应同一标准事项，或名称相同的"
    "本地事项），其公开内容(要素)应与乡镇目录一致（吉民发〔2020〕13号：相同事项的公开内容对应一致）。",
    prepare=load_township_items,
)
def check_village_consistency(context: CatalogContext) -> Iterator[Hit]:
    township_items = context.data.get(DATA_KEY) or []
    if context.region.level != RegionLevel.VILLAGE or not township_items:
        return
    by_key = {}
    by_name = {}
    for township_item in township_items:
        if township_item.standard_key:
            by_key.setdefault(township_item.standard_key, township_item)
        else:
            by_name.setdefault(name_key(township_item.level1, township_item.level2), township_item)
    township = context.region.parent
    for item in context.items:
        if item.standard_item_id is not None:
            match = by_key.get(item.standard_item.key)
        else:
            match = by_name.get(name_key(item.level1, item.level2))
        if match is None or content_key(match.content) == content_key(item.content):
            continue
        village_only = sorted(set(content_key(item.content)) - set(content_key(match.content)))
        township_only = sorted(set(content_key(match.content)) - set(content_key(item.content)))
        detail = []
        if township_only:
            detail.append(f"缺少乡镇目录中的“{'、'.join(township_only)}”")
        if village_only:
            detail.append(f"多出“{'、'.join(village_only)}”")
        yield Hit(
            f"{item_label(item)}的公开内容与{township.name}目录第{match.seq}项“{match.name}”"
            f"不一致：{'，'.join(detail) or '要素不同'}。",
            item,
            "content",
            key=f"township:{match.standard_key or name_key(match.level1, match.level2)}",
        )
