"""Non-trivial reads of items: draft-versus-published comparison, completeness summaries."""

from catalogs.models import Catalog
from catalogs.selectors import COMPARED_FIELDS, ItemChange
from items.models import Publication


def publication_changes(
    catalog: Catalog, publication: Publication | None = None
) -> list[ItemChange]:
    """How the catalog's draft differs from a publication (the current one by default)."""
    publication = publication or catalog.publications.filter(is_current=True).first()
    published = {item.public_id: item for item in publication.items.all()} if publication else {}
    changes = []
    for item in catalog.items.prefetch_related("extra_elements"):
        before = published.pop(item.public_id, None)
        if before is None:
            changes.append(ItemChange("added", str(item.public_id), str(item)))
            continue
        differing = [
            (label, getattr(before, name), getattr(item, name))
            for name, label in COMPARED_FIELDS.items()
            if getattr(before, name) != getattr(item, name)
        ]
        extras = [[extra.name, extra.value] for extra in item.extra_elements.all()]
        if extras != before.extra_elements:
            differing.append(("本地增加要素", before.extra_elements, extras))
        if differing:
            changes.append(ItemChange("changed", str(item.public_id), str(item), differing))
    changes += [
        ItemChange("removed", str(public_id), str(item)) for public_id, item in published.items()
    ]
    return changes
