"""R03 / R04: the 公开渠道和载体 come from the standard list, and “其他” is explained."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalogs import vocabulary
from review.checks.registry import ERROR, WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import as_list, item_label

_CHANNEL_OTHER_PARTS = re.compile(r"[、,;，；]+")


@rule(
    "R03-channels",
    ERROR,
    "公开渠道属于规定渠道",
    "公开渠道和载体只能取标准目录的13个渠道；勾选“其他”时须写明具体渠道。",
)
def check_channels(context: CatalogContext) -> Iterator[Hit]:
    label = vocabulary.ELEMENT_LABELS["channels"]
    for item in context.items:
        channels = as_list(item.channels)
        for channel in channels:
            if channel in vocabulary.CHANNELS:
                continue
            canonical = vocabulary.canonical_channel(channel)
            advice = (
                f"应写作标准渠道“{canonical}”"
                if canonical
                else "不是标准渠道；如确属其他渠道，请勾选“其他”并写明具体渠道"
            )
            yield Hit(
                f"{item_label(item)}：{label}“{channel}”{advice}。", item, "channels", key=channel
            )
        if vocabulary.OTHER_CHANNEL in channels and not (item.channel_other or "").strip():
            yield Hit(
                f"{item_label(item)}：{label}勾选了“其他”，但未写明具体渠道。",
                item,
                "channels",
                key=vocabulary.OTHER_CHANNEL,
            )


@rule(
    "R04-channel-other",
    WARNING,
    "“其他”渠道说明一致",
    "写有其他渠道说明却未勾选“其他”，或说明中写的其实是标准渠道（应直接勾选）。",
)
def check_channel_other(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        other = (item.channel_other or "").strip()
        if not other:
            continue
        if vocabulary.OTHER_CHANNEL not in as_list(item.channels):
            yield Hit(
                f"{item_label(item)}：写有其他渠道说明“{other}”，但公开渠道和载体未勾选“其他”。",
                item,
                "channels",
                key="unticked",
            )
            continue
        for part in _CHANNEL_OTHER_PARTS.split(other):
            canonical = vocabulary.canonical_channel(part)
            if canonical and canonical != vocabulary.OTHER_CHANNEL:
                yield Hit(
                    f"{item_label(item)}：“其他”渠道说明中的“{part}”即标准渠道“{canonical}”，"
                    "应直接勾选该渠道。",
                    item,
                    "channels",
                    key=canonical,
                )
