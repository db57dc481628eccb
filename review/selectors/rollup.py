"""A city's roll-up (联系人和事项清单): the item sheet lists what citizens see.

Each item comes from its catalog's current publication, never from the draft; a catalog
never published shows as one row saying so. Only regions that compile catalogs count.
"""

from dataclasses import dataclass
from datetime import datetime

from catalogs.models import Catalog, Region
from items.models import PublishedItem


@dataclass(frozen=True)
class RollupItemRow:
    catalog: Catalog  # region and standard loaded
    seq: int | None
    level1: str
    level2: str
    subject: str
    published_at: datetime | None
    unpublished_changes: bool

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def rollup_item_rows(city: Region) -> list[RollupItemRow]:
    """Every published item of the city's compiling regions, by region, standard and 序号;
    a catalog never published is one row without an item. Two queries."""
    catalogs = {
        catalog.pk: catalog
        for catalog in Catalog.objects.within(city)
        .of_governments()
        .filter(region__compiles_catalogs=True)
        .select_related("region", "standard")
        .order_by("region__path", "standard__order", "pk")
    }
    published = (
        PublishedItem.objects.visible_to_public()
        .filter(
            publication__catalog_id__in=Catalog.objects.within(city).of_governments().values("pk")
        )
        .values(
            "publication__catalog_id",
            "publication__published_at",
            "seq",
            "level1",
            "level2",
            "subject",
        )
        .order_by("publication__catalog_id", "seq", "pk")
    )
    by_catalog: dict[int, list[dict]] = {}
    for row in published:
        by_catalog.setdefault(row["publication__catalog_id"], []).append(row)
    rows = []
    for catalog in catalogs.values():
        items = by_catalog.get(catalog.pk)
        if not items:
            rows.append(RollupItemRow(catalog, None, "", "", "", None, False))
            continue
        changes = catalog.has_unpublished_changes
        rows += [
            RollupItemRow(
                catalog,
                item["seq"],
                item["level1"],
                item["level2"],
                item["subject"],
                item["publication__published_at"],
                changes,
            )
            for item in items
        ]
    return rows
