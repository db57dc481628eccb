"""What every records service shares: the actor checks, value cleaning and rules, due dates
and the change stamp of the catalogs' records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from catalogs import vocabulary
from catalogs.models import Region
from catalogs.permissions import can_edit_region, history_user
from records.calendar import TableCalendar
from records.channels import OFFLINE_CHANNELS, is_url
from records.models import DisclosureRecord, RecordKind, RecordsStamp
from records.timeliness import compute_due

RECORD_FIELDS = (
    "title",
    "document_number",
    "kind",
    "formed_on",
    "published_on",
    "notice_start",
    "notice_end",
)
_url_validator = URLValidator(schemes=["http", "https"])


# ---------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------


def can_record(actor, region: Region) -> bool:
    """Staff of the region, of the county above a township, or the province administrator."""
    return can_edit_region(actor, region)


def require_record(actor, region: Region) -> None:
    if not can_record(actor, region):
        raise PermissionDenied(f"您无权录入或修改“{region.name}”的公开信息。")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelInput:
    channel: str
    url: str = ""
    location: str = ""


def channel_input(value) -> ChannelInput:
    if isinstance(value, ChannelInput):
        return value
    if isinstance(value, Mapping):
        return ChannelInput(
            channel=value.get("channel", ""),
            url=(value.get("url") or "").strip(),
            location=(value.get("location") or "").strip(),
        )
    return ChannelInput(channel=str(value))


def clean_channel(value: ChannelInput) -> ChannelInput:
    """Canonical channel term; URL for online channels, a place for offline ones."""
    channel = vocabulary.canonical_channel(value.channel or "")
    if channel is None:
        raise ValidationError(
            f"“{value.channel}”不是公开渠道，请使用：{'、'.join(vocabulary.CHANNELS)}。"
        )
    url, location = value.url.strip(), value.location.strip()
    if url:
        if channel in OFFLINE_CHANNELS:
            raise ValidationError(
                f"“{channel}”是线下渠道，请填写查阅位置（如：某某民政局一楼大厅），不要填写网址。"
            )
        if len(url) > 500:
            raise ValidationError(f"“{channel}”的网址超过500个字符。")
        try:
            _url_validator(url)
        except ValidationError:
            raise ValidationError(
                f"“{channel}”的网址“{url}”无效，应以http://或https://开头。"
            ) from None
    if len(location) > 200:
        raise ValidationError(f"“{channel}”的位置超过200字。")
    return ChannelInput(channel, url, location)


def split_evidence(channel: str, text: str) -> ChannelInput:
    """One 网址或位置 cell: a web address, or else a place."""
    text = (text or "").strip()
    if is_url(text) or "://" in text:
        return ChannelInput(channel, url=text)  # clean_channel refuses it where it cannot be
    return ChannelInput(channel, location=text)


def guess_kind(*, level2: str = "", title: str = "", is_notice: bool = False) -> str:
    """The kind of a record when the source (an Excel sheet) does not say it."""
    text = f"{level2}{title}"
    if is_notice or "公示" in title:
        return RecordKind.NOTICE
    if "指南" in text:
        return RecordKind.GUIDE
    if "名单" in text or "名册" in text:
        return RecordKind.LIST
    if "政策" in text or "文件" in level2 or "办法" in title or "意见" in title:
        return RecordKind.POLICY
    if "通知" in title or "公告" in title:
        return RecordKind.ANNOUNCEMENT
    return RecordKind.OTHER


def validate_record_values(values: dict, *, today: date) -> None:
    """Rules a record's values obey before any database constraint sees them."""
    title = (values.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": "请填写信息标题。"})
    if len(title) > 300:
        raise ValidationError({"title": "信息标题不能超过300字。"})
    if len(values.get("document_number") or "") > 100:
        raise ValidationError({"document_number": "文号不能超过100字。"})
    formed_on, published_on = values.get("formed_on"), values.get("published_on")
    if formed_on is None:
        raise ValidationError({"formed_on": "请填写形成日期。"})
    if formed_on > today:
        raise ValidationError({"formed_on": "形成日期不能晚于今天。"})
    if published_on is not None:
        if published_on > today:
            raise ValidationError({"published_on": "发布日期不能晚于今天。"})
        if published_on < formed_on:
            raise ValidationError({"published_on": "发布日期不能早于形成日期。"})
    start, end = values.get("notice_start"), values.get("notice_end")
    if (start or end) and values.get("kind") != RecordKind.NOTICE:
        raise ValidationError({"notice_start": "只有公示类信息填写公示开始和结束日期。"})
    if start and end and end < start:
        raise ValidationError({"notice_end": "公示结束日期不能早于开始日期。"})


def apply_due(record: DisclosureRecord, deadline_text: str, calendar: TableCalendar) -> bool:
    """Set due_on from the item's 公开时限; True when anything changed."""
    due = compute_due(deadline_text, record.formed_on, calendar)
    new = (due.on, due.estimated, (deadline_text or "")[:200])
    old = (record.due_on, record.due_estimated, record.deadline_text)
    record.due_on, record.due_estimated, record.deadline_text = new
    return new != old


def records_touch(catalog_ids: Iterable[int]) -> None:
    """Note that the catalogs' records changed (their public pages and API bodies move on)."""
    ids = sorted(set(catalog_ids))
    if not ids:
        return
    now = timezone.now()
    RecordsStamp.objects.bulk_create(
        [RecordsStamp(catalog_id=catalog_id, changed_at=now) for catalog_id in ids],
        update_conflicts=True,
        unique_fields=["catalog"],
        update_fields=["changed_at"],
    )


def _stamp(obj, actor, reason: str = "") -> None:
    obj._history_user = history_user(actor)
    if reason:
        obj._change_reason = reason


def _user(actor):
    return history_user(actor)
