"""Derived catalogs and standard editions to and from the official Excel table.

Catalog import (``manage.py import_catalog`` and the admin's 导入Excel page)::

    table = read_catalog_workbook(fileobj)          # catalogs.excel; refuses unreadable files
    plan = catalog_import_plan(actor=…, region=…, standard=…, table=table)   # reads only
    plan = catalog_import_apply(actor=…, region=…, standard=…, table=table)  # one transaction

An import makes the region's draft catalog match the file. Each row is matched, in file
order, to an item of the draft:

1. if its (一级事项, 二级事项), compared after normalisation, is a standard item of the
   catalog's edition, to the draft item linked to that standard item;
2. otherwise to a draft item with the same normalised name;
3. otherwise it is a new item, linked to the standard item whose name it carries (if that
   standard item is not already taken), else a local item.

Matched items whose elements differ are updated (every differing field is listed with its
old and new value), draft items no row matched are removed, and the rest are unchanged.
公开内容 compares element by element, so "1. 2." and "●" spellings of the same list are
equal; local extra elements compare as name→value sets. When the region has no catalog for
the standard yet, applying derives it first, in the same transaction; the plan shows what the
freshly derived catalog would become. Planning never writes; applying re-plans under a row
lock: removals go through ``items.services.item_delete``; updates and additions are
validated as ``item_update``/``item_create`` would, then written in bulk with their history
rows (one row per item, naming the actor) so that a 500-row file stays fast.

Standard-edition import (dynamic adjustment by the province): the same reader; applying to a
published edition starts a new draft edition (``edition_create_draft``), applying to a draft
replaces its rows (``edition_replace_items``). The admin then reviews and publishes the draft.

Modules: ``plan`` (matching rows to the draft, ``catalog_import_plan``), ``apply``
(``catalog_import_apply``), ``stale`` (``StalePlan``: the draft changed since the preview),
``hints`` (names close to a missing standard item), ``compare`` (comparing and showing
values), ``export`` (the official table out) and ``editions`` (standard-edition import).
"""

from catalogs.downloads import XLSX_CONTENT_TYPE
from items.imports.apply import catalog_import_apply
from items.imports.compare import COMPARED, EMPTY
from items.imports.editions import (
    EDITION_ROW_FIELDS,
    EditionImportPlan,
    standard_edition_import_apply,
    standard_edition_import_plan,
)
from items.imports.export import (
    catalog_export_filename,
    catalog_export_workbook,
    edition_export_filename,
    edition_export_workbook,
)
from items.imports.plan import (
    AddedRow,
    FieldChange,
    ImportPlan,
    UnchangedRow,
    UpdatedRow,
    catalog_import_plan,
)
from items.imports.stale import StalePlan

__all__ = [
    "COMPARED",
    "EDITION_ROW_FIELDS",
    "EMPTY",
    "XLSX_CONTENT_TYPE",
    "AddedRow",
    "EditionImportPlan",
    "FieldChange",
    "ImportPlan",
    "StalePlan",
    "UnchangedRow",
    "UpdatedRow",
    "catalog_export_filename",
    "catalog_export_workbook",
    "catalog_import_apply",
    "catalog_import_plan",
    "edition_export_filename",
    "edition_export_workbook",
    "standard_edition_import_apply",
    "standard_edition_import_plan",
]
