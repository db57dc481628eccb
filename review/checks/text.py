"""Text helpers the rule families share: name normalisation and the labels in messages.

Strings are compared after NFKC folding with white space removed (catalogs.vocabulary.
normalize_text); names are also stripped of punctuation, because real copies write the
same name with full-width, half-width or no brackets at all.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from catalogs import vocabulary
from catalogs.models import StandardItem
from items.models import Item


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """NFKC, no white space, no punctuation or symbols: “审核信息（农安县）” → 审核信息农安县."""
    folded = vocabulary.normalize_text(text)
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PS")


def name_key(level1: str, level2: str) -> str:
    return normalize_name(f"{level1 or ''}{level2 or ''}")


def standard_name_parts(standard_item: StandardItem) -> list[tuple[str, str]]:
    """(level1, level2) in the national wording and, where known, in Style A."""
    variant = standard_item.style_a_variant or {}
    parts = [(standard_item.level1, standard_item.level2)]
    if variant.get("level1") or variant.get("level2"):
        parts.append(
            (
                variant.get("level1") or standard_item.level1,
                variant.get("level2") or standard_item.level2,
            )
        )
    return parts


def standard_name_keys(standard_item: StandardItem) -> tuple[str, ...]:
    """The standard item's normalised names (national wording, Style A)."""
    keys = (name_key(level1, level2) for level1, level2 in standard_name_parts(standard_item))
    return tuple(dict.fromkeys(key for key in keys if key))


def name_coverage(standard: str, refined: str) -> float:
    """Share of ``standard``'s characters found, in order, in ``refined`` (0..1)."""
    if not standard:
        return 1.0
    matcher = SequenceMatcher(None, standard, refined, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(standard)


def item_label(item: Item) -> str:
    """How a message names an item: 第4项“最低生活保障 · 办事指南”."""
    return f"第{item.seq}项“{item.name}”"


def standard_label(standard_item: StandardItem) -> str:
    name = f"{standard_item.level1} · {standard_item.level2}"
    return f"标准目录第{standard_item.seq}项“{name}”"


def as_list(value) -> list[str]:
    """A multi-valued element (channels, levels...) as a list, whatever was stored."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(term) for term in value]
