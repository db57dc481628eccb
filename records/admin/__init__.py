"""The staff admin of disclosure records (公开信息).

- **公开信息** (``DisclosureRecordAdmin``): a record with its channels as an inline; every
  write goes through ``records.services`` (the change form carries the version it showed,
  a stale one is refused). Adding starts by choosing one of the catalogs the user may
  record for (``?catalog=ID``), so the item list stays short. The changelist links to the
  Excel import (upload → preview → confirm: the confirm applies exactly the plan the
  preview showed, by its digest, or refuses) and export of a catalog's records.
- **节假日安排** (``HolidayCalendarAdmin``): the working-day calendar, for the province
  administrator only; every save recomputes the records' due dates.
- **基层政务公开专栏** (``SpecialColumnAdmin``): each county's or township's 专栏 URL per field.

Scoping is ``catalogs.admin.base.RegionScopedAdmin``'s: querysets through ``for_user``,
another region's object is a 404, writes need ``can_edit_region``. Evidence photos are
never linked from their storage URL: the inline links to ``records:photo``, which checks
who asks.

The package splits by concern (each admin is registered once, where it is defined):
``common`` (labels, the upload limit, catalog choices), ``channels`` (the channel inline),
``records`` (``DisclosureRecordAdmin``), ``excel`` (its Excel import/export views),
``holidays`` (``HolidayCalendarAdmin``) and ``columns`` (``SpecialColumnAdmin``).
"""

from records.admin.channels import ChannelForm, ChannelFormSet, RecordChannelInline
from records.admin.columns import SpecialColumnAdmin, SpecialColumnForm
from records.admin.common import (
    LABELS,
    SALT,
    CatalogChoiceField,
    ItemChoiceField,
    catalog_label,
    editable_catalogs,
    max_upload_bytes,
)
from records.admin.excel import RecordExcelAdminMixin, RecordImportForm
from records.admin.holidays import HolidayCalendarAdmin, HolidayForm
from records.admin.records import (
    DisclosureRecordAdmin,
    RecordCityFilter,
    RecordForm,
    TimelinessFilter,
)

__all__ = [
    "LABELS",
    "SALT",
    "CatalogChoiceField",
    "ChannelForm",
    "ChannelFormSet",
    "DisclosureRecordAdmin",
    "HolidayCalendarAdmin",
    "HolidayForm",
    "ItemChoiceField",
    "RecordChannelInline",
    "RecordCityFilter",
    "RecordExcelAdminMixin",
    "RecordForm",
    "RecordImportForm",
    "SpecialColumnAdmin",
    "SpecialColumnForm",
    "TimelinessFilter",
    "catalog_label",
    "editable_catalogs",
    "max_upload_bytes",
]
