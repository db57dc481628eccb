"""The evidence photos of a record's channels."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from records.models import RecordChannel
from records.photos import sanitize_photo
from records.services.common import _stamp, records_touch, require_record


def _require_channel(actor, channel: RecordChannel) -> RecordChannel:
    locked = (
        RecordChannel.objects.select_for_update()
        .select_related("record__catalog__region")
        .get(pk=channel.pk)
    )
    require_record(actor, locked.record.catalog.region)
    return locked


@transaction.atomic
def channel_photo_attach(
    *,
    actor,
    channel: RecordChannel,
    upload,
    taken_on: date | None = None,
    public: bool = False,
) -> RecordChannel:
    """Attach a dated photo as evidence; re-encoded without EXIF, stored via Django storage."""
    locked = _require_channel(actor, channel)
    if taken_on and taken_on > timezone.localdate():
        raise ValidationError({"photo_taken_on": "拍摄日期不能晚于今天。"})
    clean = sanitize_photo(upload)
    old = locked.photo.name if locked.photo else ""
    locked.photo.save(clean.name, clean, save=False)
    locked.photo_taken_on = taken_on
    locked.photo_public = public
    _stamp(locked, actor, "上传现场照片")
    locked.save()
    records_touch([locked.record.catalog_id])
    if old:
        storage = locked.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def channel_photo_set_public(*, actor, channel: RecordChannel, public: bool) -> RecordChannel:
    """Show a photo to citizens, or hide it again (a 公示栏 may show names and ID numbers)."""
    locked = _require_channel(actor, channel)
    if public and not locked.photo:
        raise ValidationError("这个渠道没有照片。")
    locked.photo_public = public
    _stamp(locked, actor, "公开照片" if public else "隐藏照片")
    locked.save(update_fields=["photo_public"])
    records_touch([locked.record.catalog_id])
    return locked


@transaction.atomic
def channel_photo_remove(*, actor, channel: RecordChannel) -> RecordChannel:
    locked = _require_channel(actor, channel)
    if locked.photo:
        name, storage = locked.photo.name, locked.photo.storage
        transaction.on_commit(lambda: storage.delete(name))
    locked.photo = ""
    locked.photo_taken_on = None
    locked.photo_public = False
    _stamp(locked, actor, "删除现场照片")
    locked.save()
    records_touch([locked.record.catalog_id])
    return locked


@transaction.atomic
def channel_photo_describe(
    *, actor, channel: RecordChannel, taken_on: date | None, public: bool
) -> RecordChannel:
    """Change a photo's date and whether citizens see it (the admin's inline)."""
    locked = _require_channel(actor, channel)
    if not locked.photo:
        raise ValidationError("这个渠道没有照片。")
    if taken_on and taken_on > timezone.localdate():
        raise ValidationError({"photo_taken_on": "拍摄日期不能晚于今天。"})
    if (locked.photo_taken_on, locked.photo_public) == (taken_on, public):
        return locked
    locked.photo_taken_on, locked.photo_public = taken_on, public
    _stamp(locked, actor, "修改现场照片信息")
    locked.save(update_fields=["photo_taken_on", "photo_public"])
    records_touch([locked.record.catalog_id])
    return locked
