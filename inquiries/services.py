"""Every write of the inquiries app: citizens submit; the responsible region's staff answer,
release or reject; the province administrator changes the settings; a command erases
personal data. Each service checks who may act first and runs in one transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalogs import states
from catalogs.citizen_text import has_link
from catalogs.concurrency import local_time, user_label
from catalogs.permissions import can_edit_region, history_user, require_province_admin
from inquiries.models import (
    OPEN_STATES,
    TRANSITIONS,
    Inquiry,
    InquiryEvent,
    InquirySettings,
    Kind,
    Status,
    Visibility,
)
from inquiries.public import STATE
from inquiries.validation import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    clean_citizen_text,
    clean_phone,
)
from items.deadlines import UNKNOWN_YEARS_WEEKDAYS, add_workdays
from items.models import PublishedItem
from records.calendar import load_calendar

HELD_FOR_LINKS = "留言内容含有网址链接"
HELD_FOR_LIMIT = "同一地址一小时内留言过多"


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


@transaction.atomic
def inquiry_settings_update(
    *,
    actor,
    reply_days: int,
    retention_days: int,
    hourly_limit: int,
    seen_version: int | None,
    now: datetime | None = None,
) -> InquirySettings:
    require_province_admin(actor)
    current = InquirySettings.objects.select_for_update().filter(pk=1).first()
    row = current or InquirySettings(pk=1)
    if seen_version is not None and row.version != seen_version:
        raise ValidationError(
            f"保存未成功：在您打开之后，{user_label(row.updated_by)}于{local_time(row.updated_at)}"
            f"修改了留言答复设置（第{seen_version}版 → 第{row.version}版）：答复时限{row.reply_days}"
            f"个工作日、个人信息保存{row.retention_days}天、每小时上限{row.hourly_limit}条。"
            "请核对后重新保存。",
            code="edit_conflict",
        )
    row.reply_days = reply_days
    row.retention_days = retention_days
    row.hourly_limit = hourly_limit
    row.version += 1
    row.updated_at = now or timezone.now()
    row.updated_by = history_user(actor)
    row.full_clean()
    row.save()
    return row


# ---------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------


def reply_due(received_on: date, reply_days: int, calendar=None) -> date:
    """The last day to answer: ``reply_days`` working days after the day received (that day
    not counted), on the statutory calendar with its 调休; unknown years count Mon–Fri."""
    return add_workdays(
        received_on,
        reply_days,
        unknown_years=UNKNOWN_YEARS_WEEKDAYS,
        calendar=calendar or load_calendar(),
    )


def client_hash(address: str | None) -> str:
    """A keyed hash of the client address: the same address gives the same value, but the
    address cannot be read back (nor found by hashing all 2³² IPv4 addresses without the key)."""
    if not address:
        return ""
    key = f"inquiries.client:{django_settings.SECRET_KEY}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def _new_reference() -> str:
    for _ in range(10):
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if not Inquiry.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not draw an unused inquiry reference")  # pragma: no cover


def current_item(public_id) -> PublishedItem | None:
    """The item as citizens see it now (its catalog's current publication), or None."""
    return (
        PublishedItem.objects.visible_to_public()
        .filter(public_id=public_id)
        .select_related("publication__catalog__region")
        .first()
    )


@transaction.atomic
def inquiry_submit(
    *,
    item_public_id,
    kind: str,
    text: str,
    name: str = "",
    phone: str = "",
    client_address: str | None = None,
    over_limit: bool = False,
    now: datetime | None = None,
) -> Inquiry:
    """A citizen's question or correction on a published item (anyone may leave one).

    Held for staff (never answered or shown automatically) when the text has a link or the
    address went over the hourly limit (``over_limit``, counted by the caller).
    """
    item = current_item(item_public_id)
    if item is None:
        raise ValidationError("该事项不存在或尚未公开，无法留言。")
    errors: dict[str, list[str]] = {}
    values = {}
    for field, clean in (
        ("text", lambda v: clean_citizen_text("text", v, required=True)),
        ("name", lambda v: clean_citizen_text("name", v)),
        ("phone", clean_phone),
    ):
        try:
            values[field] = clean({"text": text, "name": name, "phone": phone}[field])
        except ValidationError as error:
            errors.update(error.message_dict)
    if kind not in Kind.values:
        errors["kind"] = ["请选择“留言类型”：咨询或纠错。"]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    received_on = timezone.localdate(now)
    reasons = []
    if has_link(values["text"]):
        reasons.append(HELD_FOR_LINKS)
    if over_limit:
        reasons.append(HELD_FOR_LIMIT)
    config = InquirySettings.load()
    catalog = item.publication.catalog
    inquiry = Inquiry(
        reference=_new_reference(),
        kind=kind,
        item_public_id=item.public_id,
        item_name=f"{catalog.region.name} · 第{item.seq}项 {item.name}"[:320],
        region=catalog.region,
        text=values["text"],
        name=values["name"],
        phone=values["phone"],
        client_hash=client_hash(client_address),
        held_reason="；".join(reasons),
        status=Status.HELD if reasons else Status.OPEN,
        received_at=now,
        received_on=received_on,
        due_date=reply_due(received_on, config.reply_days),
    )
    # Fields only: the reference was drawn unused just above and the database enforces the
    # constraints; a public form should not pay five more queries for them.
    inquiry.full_clean(validate_unique=False, validate_constraints=False)
    inquiry.save()
    InquiryEvent.objects.create(
        inquiry=inquiry, to_status=inquiry.status, at=now, note=inquiry.held_reason
    )
    return inquiry


# ---------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------


def require_answerer(actor, inquiry: Inquiry) -> None:
    """The editors of the inquiry's region (a county's editors also for its townships, as
    for their catalogs) and the province administrator; coordinators and reviewers read."""
    if not can_edit_region(actor, inquiry.region):
        raise PermissionDenied(f"您无权处理“{inquiry.region.name}”的留言。")


def _locked(inquiry: Inquiry, seen_version: int | None) -> Inquiry:
    # Lock the inquiry's own row only: PostgreSQL refuses FOR UPDATE over the nullable side
    # of the outer join to answered_by.
    row = Inquiry.objects.select_for_update(of=("self",)).select_related("region", "answered_by")
    current = row.filter(pk=inquiry.pk).first()
    if current is None:
        raise ValidationError("该留言已不存在。")
    if seen_version is not None and current.version != seen_version:
        who = user_label(current.answered_by) if current.answered_by_id else "他人"
        raise ValidationError(
            f"保存未成功：在您打开之后，{who}已处理了留言{current.reference_display}"
            f"（第{seen_version}版 → 第{current.version}版），现在的状态是“{current.get_status_display()}”"
            + (f"，答复内容：“{current.answer[:80]}”" if current.answer else "")
            + "。您的输入没有保存，请刷新后核对。",
            code="edit_conflict",
        )
    return current


def _move(inquiry: Inquiry, to: str, *, actor, at: datetime, note: str = "") -> None:
    if (inquiry.status, to) not in TRANSITIONS:
        raise ValidationError(
            f"留言{inquiry.reference_display}现在是“{inquiry.get_status_display()}”，"
            f"不能改为“{Status(to).label}”。"
        )
    InquiryEvent.objects.create(
        inquiry=inquiry,
        actor=history_user(actor),
        from_status=inquiry.status,
        to_status=to,
        at=at,
        note=note[:200],
    )
    inquiry.status = to
    inquiry.version += 1


@transaction.atomic
def inquiry_answer(
    *,
    actor,
    inquiry: Inquiry,
    answer: str,
    visibility: str,
    seen_version: int | None,
    now: datetime | None = None,
) -> Inquiry:
    """Answer (or revise the answer to) an open inquiry, publicly or only to the citizen."""
    require_answerer(actor, inquiry)
    row = _locked(inquiry, seen_version)
    if row.status == Status.HELD:
        raise ValidationError("该留言待审核：请先“放行”，确认不是垃圾信息后再答复。")
    answer = clean_citizen_text("answer", answer, required=True)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "请选择“答复方式”：公开答复或不公开。"})
    now = now or timezone.now()
    first = row.status == Status.OPEN
    _move(row, Status.ANSWERED, actor=actor, at=now, note="答复" if first else "修改答复")
    row.answer = answer
    row.visibility = visibility
    if first:
        row.answered_at = now
        row.answered_on = timezone.localdate(now)
        row.closed_at = now
    row.answered_by = history_user(actor)
    row.full_clean()
    row.save()
    states.changed(STATE)  # the item page lists public answers
    return row


@transaction.atomic
def inquiry_release(
    *, actor, inquiry: Inquiry, seen_version: int | None = None, now: datetime | None = None
) -> Inquiry:
    """A held inquiry is genuine: it joins the queue (its reply deadline is unchanged)."""
    require_answerer(actor, inquiry)
    row = _locked(inquiry, seen_version)
    _move(row, Status.OPEN, actor=actor, at=now or timezone.now(), note="审核放行")
    row.save()
    return row


@transaction.atomic
def inquiry_reject(
    *,
    actor,
    inquiry: Inquiry,
    note: str = "",
    seen_version: int | None = None,
    now: datetime | None = None,
) -> Inquiry:
    """Spam or abuse: closed without an answer, never shown."""
    require_answerer(actor, inquiry)
    row = _locked(inquiry, seen_version)
    note = clean_citizen_text("note", note) or "垃圾信息"
    now = now or timezone.now()
    _move(row, Status.REJECTED, actor=actor, at=now, note=note)
    row.closed_at = now
    row.save()
    return row


# ---------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------


@transaction.atomic
def inquiries_purge_personal_data(*, actor, now: datetime | None = None) -> int:
    """Erase name, phone and address hash of inquiries closed (or held, unreleased, since
    receipt) more than ``retention_days`` ago; returns how many were erased. Idempotent: erased rows are not touched again."""
    require_province_admin(actor)
    now = now or timezone.now()
    cutoff = now - timedelta(days=InquirySettings.load().retention_days)
    # Closed ones after the period; held ones (spam no one released) after the same period
    # from receipt, so that a held inquiry never keeps personal data for good.
    closed = Q(closed_at__lt=cutoff) & ~Q(status__in=OPEN_STATES)
    held = Q(status=Status.HELD, received_at__lt=cutoff)
    due = Inquiry.objects.filter(closed | held, personal_data_erased_at__isnull=True)
    return due.update(name="", phone="", client_hash="", personal_data_erased_at=now)
