"""Apply a records import: re-plan inside one transaction, write all of it or none."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalogs.models import Catalog, Region, StandardCatalog
from catalogs.permissions import history_user
from records.calendar import load_calendar
from records.excel.plan import (
    ImportPlan,
    _catalog,
    records_import_plan,
)
from records.excel.reading import RecordSheetError
from records.models import DisclosureRecord, RecordChannel, RecordKind
from records.services import (
    apply_due,
    records_touch,
    require_record,
)


@transaction.atomic
def records_import_apply(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    content: bytes,
    expected_digest: str | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Import the sheet: all of it or nothing. With ``expected_digest`` (from the preview)
    it applies exactly the plan the preview showed, or refuses."""
    require_record(actor, region)
    catalog = _catalog(region, standard)
    Catalog.objects.select_for_update().filter(pk=catalog.pk).first()
    plan = records_import_plan(
        actor=actor, region=region, standard=standard, content=content, today=today
    )
    if expected_digest is not None and plan.digest != expected_digest:
        raise RecordSheetError("预览之后目录或公开信息已有变化，请重新预览后再导入。")
    user = history_user(actor)
    calendar = load_calendar()
    new_records = []
    for sheet_record in plan.created:
        record = DisclosureRecord(
            catalog=catalog, item=sheet_record.item, created_by=user, **sheet_record.values
        )
        apply_due(record, sheet_record.item.deadline, calendar)
        new_records.append(record)
    created = bulk_create_with_history(
        new_records,
        DisclosureRecord,
        batch_size=500,
        default_user=user,
        default_change_reason="Excel导入",
    )
    channels = [
        RecordChannel(
            record=record,
            channel=value.channel,
            url=value.url,
            location=value.location,
            order=order,
        )
        for record, sheet_record in zip(created, plan.created, strict=True)
        for order, value in enumerate(sheet_record.channels)
    ]
    changed_records = []
    stale_channels = []
    for record, sheet_record, _ in plan.changed:
        for name in ("document_number", "formed_on", "notice_start", "notice_end"):
            setattr(record, name, sheet_record.values[name])
        if record.notice_start or record.notice_end:
            record.kind = RecordKind.NOTICE  # the sheet has no kind column; keep the rest
        apply_due(record, sheet_record.item.deadline, calendar)
        record.version += 1
        record.updated_at = timezone.now()
        changed_records.append(record)
        kept = {value.channel: value for value in sheet_record.channels}
        for order, value in enumerate(sheet_record.channels):
            row = next((row for row in record.channels.all() if row.channel == value.channel), None)
            if row is None:
                channels.append(
                    RecordChannel(
                        record=record,
                        channel=value.channel,
                        url=value.url,
                        location=value.location,
                        order=order,
                    )
                )
            elif (row.url, row.location, row.order) != (value.url, value.location, order):
                row.url, row.location, row.order = value.url, value.location, order
                row._history_user = user
                row.save()
        stale_channels += [row for row in record.channels.all() if row.channel not in kept]
    if changed_records:
        bulk_update_with_history(
            changed_records,
            DisclosureRecord,
            [
                "document_number",
                "formed_on",
                "notice_start",
                "notice_end",
                "kind",
                "due_on",
                "due_estimated",
                "deadline_text",
                "version",
                "updated_at",
            ],
            batch_size=500,
            default_user=user,
            default_change_reason="Excel导入",
        )
    for row in stale_channels:
        if row.photo:
            name, storage = row.photo.name, row.photo.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        row._history_user = user
        row.delete()
    bulk_create_with_history(
        channels,
        RecordChannel,
        batch_size=500,
        default_user=user,
        default_change_reason="Excel导入",
    )
    if not plan.is_empty:
        records_touch([catalog.pk])
    return plan
