"""Staff admin of the catalogs app, one module per area; importing registers them.

- ``regions``: regions (contact details, deriving catalogs) and staff users with roles
- ``standards``: the standard catalogs, their editions and items (待核对)
- ``derived``: derived catalogs with their items inline, publication and comparisons

The shared bases (region scoping, writes through services, Chinese form messages) live in
``catalogs.admin_base``, outside this package, so that ``items.admin`` can use them
without importing this package.
"""

from catalogs.admin.derived import CatalogAdmin
from catalogs.admin.regions import RegionAdmin, StaffUserAdmin
from catalogs.admin.standards import StandardCatalogAdmin, StandardEditionAdmin, StandardItemAdmin

__all__ = [
    "CatalogAdmin",
    "RegionAdmin",
    "StaffUserAdmin",
    "StandardCatalogAdmin",
    "StandardEditionAdmin",
    "StandardItemAdmin",
]
