"""What guides adds to public pages (see ``portal.sections``): a guide item's summary with
links to its guide and 一次性告知单, and a catalog's list of its guides.

Both read the publication's guide index (``guides.selectors.guide_index``: published
copies only, one query per publication, then cached), so the publication in the pages'
cache keys covers them and an item without a guide costs no query. ``STATE`` moves only
with data shown outside a publication (none today).
"""

from catalogs.sections import Section

STATE = "guides"


def item_section(item, catalog):
    """On a published item's page: its guide, if this publication carries one."""
    from guides.selectors import guide_index

    guide = guide_index(item.publication_id).get(item.public_id)
    if guide is None:
        return None
    return Section(
        template="guides/_item_section.html",
        context={"guide": guide},
        slot="main",
        order=10,
    )


def catalog_section(catalog, items):
    """On a catalog's page: every guide of its current publication, in table order."""
    from guides.selectors import guide_index

    publication_ids = {item.publication_id for item in items}
    if len(publication_ids) != 1:
        return None
    index = guide_index(publication_ids.pop())
    guides = [index[item.public_id] for item in items if item.public_id in index]
    if not guides:
        return None
    return Section(
        template="guides/_catalog_section.html",
        context={"guides": guides},
        slot="main",
        order=10,
    )
