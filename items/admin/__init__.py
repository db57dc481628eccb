"""The staff admin (/admin/), one module per area; importing this package registers them.

- ``regions``: regions (contact details, deriving catalogs) and staff users with roles
- ``standards``: the standard catalogs, their editions and items (待核对)
- ``catalogs``: derived catalogs with their items inline, publication and comparisons
- ``items``: items one by one, with their local extra elements and history
- ``publications``: the kept publications and their items, read only
- ``excel``: the Excel import and export pages mixed into the catalog and edition admins

The models of the first three belong to the ``catalogs`` app (app label, admin URLs and
templates stay ``catalogs``); their admin lives here because it needs the item services.
The shared bases (region scoping, writes through services, Chinese form messages) are
in ``catalogs.admin.base``.
"""

from items.admin.catalogs import CatalogAdmin
from items.admin.items import CatalogItemInline, ItemAdmin, catalog_is_writable, save_item_formset
from items.admin.publications import PublicationAdmin, PublishedItemAdmin
from items.admin.regions import RegionAdmin, StaffUserAdmin
from items.admin.standards import StandardCatalogAdmin, StandardEditionAdmin, StandardItemAdmin

__all__ = [
    "CatalogAdmin",
    "CatalogItemInline",
    "ItemAdmin",
    "PublicationAdmin",
    "PublishedItemAdmin",
    "RegionAdmin",
    "StaffUserAdmin",
    "StandardCatalogAdmin",
    "StandardEditionAdmin",
    "StandardItemAdmin",
    "catalog_is_writable",
    "save_item_formset",
]
