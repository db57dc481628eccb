"""What policies adds to public pages (see ``portal.sections``).

- the item page: the documents linked to the item (valid first), their status (已修改 and
  已废止 marked, with a link to the replacing document) and their 解读; two queries when the
  item has documents (documents with the link table; their interpretations), one when not;
- the region page of a county or township: a link to its list of documents (no query).
"""

from __future__ import annotations

from catalogs.models import RegionLevel
from catalogs.sections import Section

STATE = "policies"

HOLDER_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


def item_section(item, catalog) -> Section | None:
    from policies.selectors import documents_of_item

    documents = documents_of_item(item.public_id)
    if not documents:
        return None
    return Section(
        template="policies/_item_section.html",
        context={"documents": documents, "policy_region": catalog.region},
        slot="main",
        order=30,
    )


def region_section(region) -> Section | None:
    if region.level not in HOLDER_LEVELS:
        return None
    return Section(
        template="policies/_region_section.html",
        context={"policy_region": region},
        slot="main",
        order=30,
    )
