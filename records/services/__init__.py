"""Every write to disclosure records, 专栏, link checks and the holiday table.

Records are facts, not catalog edits: staff of the item's region (or of the county above a
township, or the province administrator) record them whatever the catalog's review status.
Each service checks the actor first, runs in one transaction, validates before saving and
leaves a history row (django-simple-history) naming the actor.

The package splits by concern; import from ``records.services`` itself:

- ``common``: actor checks, value cleaning and rules, due dates, the records stamp;
- ``records``: records with their channels;
- ``photos``: the channels' evidence photos;
- ``due``: due-date refresh and the holiday table;
- ``columns``: the 基层政务公开专栏;
- ``checks``: link checks of recorded URLs and 专栏.
"""

from records.services.checks import channel_checks_save, channels_verify
from records.services.columns import special_column_remove, special_column_set
from records.services.common import (
    RECORD_FIELDS,
    ChannelInput,
    apply_due,
    can_record,
    channel_input,
    clean_channel,
    guess_kind,
    records_touch,
    require_record,
    split_evidence,
    validate_record_values,
)
from records.services.due import (
    HolidayLoadReport,
    holiday_delete,
    holiday_save,
    holidays_load,
    holidays_seed_from_chinesecalendar,
    records_refresh_due,
)
from records.services.photos import (
    channel_photo_attach,
    channel_photo_describe,
    channel_photo_remove,
    channel_photo_set_public,
)
from records.services.records import record_create, record_delete, record_update

__all__ = [
    "RECORD_FIELDS",
    "ChannelInput",
    "HolidayLoadReport",
    "apply_due",
    "can_record",
    "channel_checks_save",
    "channel_input",
    "channel_photo_attach",
    "channel_photo_describe",
    "channel_photo_remove",
    "channel_photo_set_public",
    "channels_verify",
    "clean_channel",
    "guess_kind",
    "holiday_delete",
    "holiday_save",
    "holidays_load",
    "holidays_seed_from_chinesecalendar",
    "record_create",
    "record_delete",
    "record_update",
    "records_refresh_due",
    "records_touch",
    "require_record",
    "special_column_remove",
    "special_column_set",
    "split_evidence",
    "validate_record_values",
]
