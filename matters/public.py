"""What matters adds to public pages (see ``portal.sections``): the region's 监督举报 channels
on every page of the region (beside the contact card), shown first on the standard's
监督检查 items, and the linked 政务服务事项库 entry on an item's page."""

from __future__ import annotations

from catalogs.sections import Section

STATE = "matters"

# An item whose name says this is the standard's 监督检查 item (综合业务 · 监督检查): its
# content is the complaint channels themselves.
SUPERVISION_WORDS = ("监督检查", "监督举报", "投诉举报")

CHANNELS_TEMPLATE = "matters/_channels.html"


def is_supervision_item(item) -> bool:
    name = f"{item.level1}{item.level2 or ''}"
    return any(word in name for word in SUPERVISION_WORDS)


def _channels_section(region, *, slot="aside", order=10, **extra) -> Section:
    from matters.selectors import complaint_channels_for

    channels = complaint_channels_for(region)
    return Section(
        template=CHANNELS_TEMPLATE,
        context={
            "channels": channels,
            "channels_region": channels[0].region if channels else None,
            "own_region": region,
            **extra,
        },
        slot=slot,
        order=order,
    )


def region_section(region):
    return _channels_section(region)


def catalog_section(catalog, items):
    return _channels_section(catalog.region)


def item_section(item, catalog):
    from matters.selectors import matters_for_public_ids

    # A 办事指南 shows its entry in its guide (guides.public); the other service items
    # (养老服务业务办理 · 养老机构备案 …) show it here. Other rows are not services.
    matter = None
    if "业务办理" in (item.level1 or "") and "办事指南" not in (item.level2 or ""):
        matter = matters_for_public_ids([item.public_id]).get(item.public_id)
    if is_supervision_item(item):
        return _channels_section(
            catalog.region, slot="main", order=5, prominent=True, matter=matter
        )
    return _channels_section(catalog.region, matter=matter)
