"""Every write of the participation app: permission check first, atomic, versions checked.

Staff services take ``actor``; the one citizen service (``comment_submit``) takes what the
public form sent and decides whether the comment is published at once or held for staff.
Each service that changes what citizens see calls ``catalogs.states.changed(STATE)``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalogs import states
from catalogs.citizen_text import has_link
from catalogs.concurrency import require_version, save_versioned
from catalogs.models import Region
from catalogs.permissions import history_user
from participation.models import (
    COMMENT_MAX,
    COMMENTER_NAME_MAX,
    COMMENTER_PHONE_MAX,
    DRAFT_TEXT_MAX,
    FEEDBACK_MAX,
    MODERATION,
    NAME_MAX,
    TEXT_MAX,
    Adoption,
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Field,
    HeldReason,
    Method,
    ParticipationCatalog,
    ParticipationMatter,
    ParticipationPublication,
    PublishedMatter,
)
from participation.permissions import require_edit_participation
from participation.public import STATE

MATTER_LABELS = {
    "name": "公众参与事项",
    "scope": "参与范围和内容",
    "methods": "参与方式",
    "other_method": "其他方式",
    "timing": "参与时间",
    "feedback_channel": "意见反馈渠道",
    "office": "责任单位",
}
CONSULTATION_LABELS = {
    "title": "征集标题",
    "field": "领域",
    "draft_text": "征求意见稿",
    "draft_url": "征求意见稿链接",
    "opens_on": "开始日期",
    "closes_on": "截止日期",
}
# ---------------------------------------------------------------------------
# Bounded text
# ---------------------------------------------------------------------------


def clean_text(value, *, label: str, max_length: int, required: bool = False) -> str:
    """``value`` as stored text: no NUL, stripped, at most ``max_length`` characters."""
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise ValidationError(f"“{label}”含有不允许的控制字符（NUL），请删除后重新提交。")
    text = text.replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError(f"请填写“{label}”。")
    if len(text) > max_length:
        raise ValidationError(
            f"“{label}”最多{max_length}个字，您输入了{len(text)}个字，请删减后重新提交。"
        )
    return text


def _clean_methods(methods) -> list[str]:
    values = list(dict.fromkeys(str(value) for value in (methods or [])))
    unknown = [value for value in values if value not in Method.values]
    if unknown:
        raise ValidationError(
            f"“参与方式”只能从{'、'.join(Method.labels)}中选择，不认识：{'、'.join(unknown)}。"
        )
    if not values:
        raise ValidationError("请至少选择一种“参与方式”。")
    return [value for value in Method.values if value in values]


def _touch(catalog: ParticipationCatalog, now: datetime) -> None:
    ParticipationCatalog.objects.filter(pk=catalog.pk).update(draft_changed_at=now)
    catalog.draft_changed_at = now


def _attribute(obj, actor) -> None:
    obj._history_user = history_user(actor)


# ---------------------------------------------------------------------------
# Catalogs and their rows
# ---------------------------------------------------------------------------


@transaction.atomic
def participation_catalog_create(*, actor, region: Region, title: str = "") -> ParticipationCatalog:
    """The region's participation catalog (created once; a second call returns it)."""
    require_edit_participation(actor, region)
    existing = ParticipationCatalog.objects.filter(region=region).first()
    if existing is not None:
        return existing
    title = clean_text(title, label="目录名称", max_length=NAME_MAX) or (
        f"{region.name}民政领域公众参与事项目录"
    )
    catalog = ParticipationCatalog(region=region, title=title)
    catalog.full_clean()
    _attribute(catalog, actor)
    catalog.save()
    return catalog


def _matter_values(values: dict) -> dict:
    cleaned = {}
    bounds = {
        "name": (NAME_MAX, True),
        "scope": (TEXT_MAX, False),
        "other_method": (100, False),
        "timing": (NAME_MAX, True),
        "feedback_channel": (NAME_MAX, True),
        "office": (100, True),
    }
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            if name == "methods":
                cleaned[name] = _clean_methods(value)
            elif name in bounds:
                max_length, required = bounds[name]
                cleaned[name] = clean_text(
                    value, label=MATTER_LABELS[name], max_length=max_length, required=required
                )
            else:
                raise ValidationError(f"不能修改“{name}”。")
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_other_method(matter: ParticipationMatter) -> None:
    if Method.OTHER in matter.methods and not matter.other_method:
        raise ValidationError({"other_method": "参与方式选了“其他”，请填写“其他方式”。"})


@transaction.atomic
def matter_create(
    *,
    actor,
    catalog: ParticipationCatalog,
    name: str,
    methods: list[str],
    timing: str,
    feedback_channel: str,
    office: str,
    scope: str = "",
    other_method: str = "",
    now: datetime | None = None,
) -> ParticipationMatter:
    require_edit_participation(actor, catalog.region)
    now = now or timezone.now()
    values = _matter_values(
        {
            "name": name,
            "scope": scope,
            "methods": methods,
            "other_method": other_method,
            "timing": timing,
            "feedback_channel": feedback_channel,
            "office": office,
        }
    )
    # Lock the catalog so that two rows added at once do not take the same number.
    ParticipationCatalog.objects.select_for_update().filter(pk=catalog.pk).first()
    last = catalog.matters.aggregate(last=Max("seq"))["last"] or 0
    matter = ParticipationMatter(catalog=catalog, seq=last + 1, **values)
    _check_other_method(matter)
    matter.full_clean()
    _attribute(matter, actor)
    matter.save()
    _touch(catalog, now)
    return matter


@transaction.atomic
def matter_update(
    *, actor, matter: ParticipationMatter, seen_version: int | None, now=None, **changes
) -> ParticipationMatter:
    """Change a draft row; refuses an edit based on an older version (EditConflict)."""
    require_edit_participation(actor, matter.catalog.region)
    now = now or timezone.now()
    values = _matter_values(changes)
    save_versioned(
        matter,
        seen_version,
        subject=f"公众参与事项“{matter.name}”",
        labels=MATTER_LABELS,
    )
    for name, value in values.items():
        setattr(matter, name, value)
    _check_other_method(matter)
    matter.full_clean()
    _attribute(matter, actor)
    matter.save()
    _touch(matter.catalog, now)
    return matter


@transaction.atomic
def matter_delete(
    *, actor, matter: ParticipationMatter, seen_version: int | None, now=None
) -> None:
    require_edit_participation(actor, matter.catalog.region)
    require_version(
        matter, seen_version, subject=f"公众参与事项“{matter.name}”", labels=MATTER_LABELS
    )
    if matter.consultations.exists():
        raise ValidationError(
            f"公众参与事项“{matter.name}”已有意见征集，不能删除；如不再开展，请修改其说明。"
        )
    catalog = matter.catalog
    _attribute(matter, actor)
    matter.delete()
    _touch(catalog, now or timezone.now())


@transaction.atomic
def participation_catalog_publish(
    *, actor, catalog: ParticipationCatalog, note: str = "", now: datetime | None = None
) -> ParticipationPublication:
    """Freeze the draft rows into the next numbered publication and make it current."""
    require_edit_participation(actor, catalog.region)
    now = now or timezone.now()
    note = clean_text(note, label="发布说明", max_length=200)
    given = catalog
    catalog = ParticipationCatalog.objects.select_for_update().get(pk=catalog.pk)
    matters = list(catalog.matters.order_by("seq", "pk"))
    if not matters:
        raise ValidationError(f"“{catalog.title}”还没有公众参与事项，不能发布。")
    for matter in matters:
        try:
            _check_other_method(matter)
            matter.full_clean()
        except ValidationError as error:
            raise ValidationError(
                f"第{matter.seq}项“{matter.name}”不完整：{'；'.join(error.messages)}"
            ) from error
    last = catalog.publications.aggregate(last=Max("number"))["last"] or 0
    catalog.publications.filter(is_current=True).update(is_current=False)
    publication = ParticipationPublication.objects.create(
        catalog=catalog,
        number=last + 1,
        is_current=True,
        published_at=now,
        published_by=history_user(actor),
        title=catalog.title,
        matter_count=len(matters),
        note=note,
    )
    PublishedMatter.objects.bulk_create(
        PublishedMatter(
            publication=publication,
            matter=matter,
            seq=matter.seq,
            name=matter.name,
            scope=matter.scope,
            methods=list(matter.methods),
            other_method=matter.other_method,
            timing=matter.timing,
            feedback_channel=matter.feedback_channel,
            office=matter.office,
        )
        for matter in matters
    )
    ParticipationCatalog.objects.filter(pk=catalog.pk).update(last_published_at=now)
    catalog.last_published_at = given.last_published_at = now
    states.changed(STATE)
    return publication


# ---------------------------------------------------------------------------
# Consultations
# ---------------------------------------------------------------------------


def _consultation_values(values: dict) -> dict:
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    bounds = {"title": (NAME_MAX, True), "draft_text": (DRAFT_TEXT_MAX, False)}
    for name, value in values.items():
        try:
            if name in bounds:
                max_length, required = bounds[name]
                cleaned[name] = clean_text(
                    value,
                    label=CONSULTATION_LABELS[name],
                    max_length=max_length,
                    required=required,
                )
            elif name == "draft_url":
                cleaned[name] = clean_text(value, label="征求意见稿链接", max_length=500)
            elif name == "field":
                if value not in Field.values:
                    raise ValidationError(f"“领域”只能是{'或'.join(Field.labels)}。")
                cleaned[name] = value
            elif name in ("opens_on", "closes_on"):
                if not isinstance(value, date):
                    raise ValidationError(f"请填写“{CONSULTATION_LABELS[name]}”。")
                cleaned[name] = value
            else:
                raise ValidationError(f"不能修改“{name}”。")
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_consultation(consultation: Consultation) -> None:
    if consultation.closes_on < consultation.opens_on:
        raise ValidationError({"closes_on": "“截止日期”不能早于“开始日期”。"})
    if not consultation.draft_text and not consultation.draft_url:
        raise ValidationError({"draft_text": "请填写“征求意见稿”正文或其链接。"})
    consultation.full_clean()


@transaction.atomic
def consultation_create(
    *,
    actor,
    matter: ParticipationMatter,
    field: str,
    title: str,
    opens_on: date,
    closes_on: date,
    draft_text: str = "",
    draft_url: str = "",
) -> Consultation:
    """Start a consultation on a row of a published participation catalog."""
    region = matter.catalog.region
    require_edit_participation(actor, region)
    if not ParticipationCatalog.objects.filter(
        pk=matter.catalog_id, last_published_at__isnull=False
    ).exists():
        raise ValidationError("请先发布公众参与事项目录，再在其中的事项上开展意见征集。")
    values = _consultation_values(
        {
            "field": field,
            "title": title,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "draft_text": draft_text,
            "draft_url": draft_url,
        }
    )
    consultation = Consultation(region=region, matter=matter, **values)
    _check_consultation(consultation)
    _attribute(consultation, actor)
    consultation.save()
    states.changed(STATE)
    return consultation


@transaction.atomic
def consultation_update(
    *, actor, consultation: Consultation, seen_version: int | None, **changes
) -> Consultation:
    require_edit_participation(actor, consultation.region)
    values = _consultation_values(changes)
    save_versioned(
        consultation,
        seen_version,
        subject=f"意见征集“{consultation.title}”",
        labels=CONSULTATION_LABELS,
    )
    for name, value in values.items():
        setattr(consultation, name, value)
    _check_consultation(consultation)
    _attribute(consultation, actor)
    consultation.save()
    states.changed(STATE)
    return consultation


@transaction.atomic
def consultation_feedback_publish(
    *,
    actor,
    consultation: Consultation,
    feedback: str,
    seen_version: int | None,
    today: date,
    now: datetime | None = None,
) -> Consultation:
    """Publish (or correct) the 采纳情况 of a closed consultation."""
    require_edit_participation(actor, consultation.region)
    if consultation.status_on(today) != ConsultationStatus.CLOSED:
        raise ValidationError(
            f"意见征集“{consultation.title}”{consultation.closes_on:%Y年%m月%d日}截止，"
            "截止后才能公布采纳情况。"
        )
    feedback = clean_text(feedback, label="采纳情况", max_length=FEEDBACK_MAX, required=True)
    save_versioned(
        consultation,
        seen_version,
        subject=f"意见征集“{consultation.title}”",
        labels={**CONSULTATION_LABELS, "feedback": "采纳情况"},
    )
    consultation.feedback = feedback
    if consultation.feedback_published_at is None:
        consultation.feedback_published_at = now or timezone.now()
    consultation.feedback_by = history_user(actor)
    consultation.full_clean()
    _attribute(consultation, actor)
    consultation.save()
    states.changed(STATE)
    return consultation


# ---------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------


@transaction.atomic
def comment_submit(
    *,
    consultation: Consultation,
    text: str,
    name: str = "",
    phone: str = "",
    today: date,
    now: datetime | None = None,
    over_limit: bool = False,
) -> Comment:
    """A citizen's comment: published at once, or held for staff when it carries a link or
    its address sent more than the hourly limit (``over_limit``, counted by the view)."""
    if consultation.status_on(today) != ConsultationStatus.OPEN:
        raise PermissionDenied(
            f"意见征集“{consultation.title}”不在征求意见期内"
            f"（{consultation.opens_on:%Y年%m月%d日}至{consultation.closes_on:%Y年%m月%d日}），"
            "不能提交意见。"
        )
    errors: dict[str, list[str]] = {}
    values = {}
    for field_name, value, label, max_length, required in (
        ("text", text, "意见内容", COMMENT_MAX, True),
        ("name", name, "姓名", COMMENTER_NAME_MAX, False),
        ("phone", phone, "联系电话", COMMENTER_PHONE_MAX, False),
    ):
        try:
            values[field_name] = clean_text(
                value, label=label, max_length=max_length, required=required
            )
        except ValidationError as error:
            errors[field_name] = error.messages
    if errors:
        raise ValidationError(errors)
    if values["phone"]:
        phone = unicodedata.normalize("NFKC", values["phone"])
        if not re.fullmatch(r"[0-9+\-() ]{5,30}", phone):
            raise ValidationError({"phone": "“联系电话”只能包含数字、空格和 + - ( )。"})
        # A number to call: 7 (a local landline) to 15 (E.164) digits, not "(((((".
        if not 7 <= sum(ch.isdigit() for ch in phone) <= 15:
            raise ValidationError({"phone": "“联系电话”应为7至15位数字的电话号码。"})
        values["phone"] = phone
    reason = HeldReason.NONE
    if has_link(values["text"]) or has_link(values["name"]):
        reason = HeldReason.LINK
    elif over_limit:
        reason = HeldReason.RATE
    comment = Comment(
        consultation=consultation,
        status=CommentStatus.HELD if reason else CommentStatus.PUBLISHED,
        held_reason=reason,
        submitted_at=now or timezone.now(),
        **values,
    )
    comment.full_clean()
    comment.save()
    if comment.status == CommentStatus.PUBLISHED:
        states.changed(STATE)
    return comment


@transaction.atomic
def comment_moderate(
    *,
    actor,
    comment: Comment,
    action: str,
    seen_version: int | None = None,
    now: datetime | None = None,
) -> Comment:
    """公开 / 暂缓 / 不予公开 a comment (``action``: publish, hold, reject)."""
    require_edit_participation(actor, comment.consultation.region)
    if action not in MODERATION:
        raise ValidationError(f"不认识的审核操作：{action}。")
    target, sources = MODERATION[action]
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if seen_version is not None and locked.version != seen_version:
        raise ValidationError(
            f"意见{comment.pk}已被他人处理（现为“{locked.get_status_display()}”），请刷新后再操作。"
        )
    if locked.status not in sources:
        raise ValidationError(
            f"意见{comment.pk}现为“{locked.get_status_display()}”，"
            f"不能再设为“{CommentStatus(target).label}”。"
        )
    save_versioned(locked, locked.version, subject=f"意见{comment.pk}", labels={})
    locked.status = target
    locked.held_reason = HeldReason.STAFF if target == CommentStatus.HELD else HeldReason.NONE
    locked.moderated_at = now or timezone.now()
    locked.moderated_by = history_user(actor)
    _attribute(locked, actor)
    locked.save()
    states.changed(STATE)
    return locked


@transaction.atomic
def comment_answer(
    *, actor, comment: Comment, adoption: str, reason: str, seen_version: int | None = None
) -> Comment:
    """Record whether a comment was adopted, and why (shown with a published comment)."""
    require_edit_participation(actor, comment.consultation.region)
    if adoption not in Adoption.values:
        raise ValidationError({"adoption": f"“采纳情况”只能是{'、'.join(Adoption.labels[1:])}。"})
    reason = clean_text(reason, label="采纳或不采纳的理由", max_length=TEXT_MAX)
    if adoption in (Adoption.PARTLY, Adoption.NOT_ADOPTED) and not reason:
        raise ValidationError({"adoption_reason": "部分采纳或未采纳的意见，请说明理由。"})
    save_versioned(comment, seen_version, subject=f"意见{comment.pk}", labels={})
    comment.adoption = adoption
    comment.adoption_reason = reason
    comment.full_clean()
    _attribute(comment, actor)
    comment.save()
    states.changed(STATE)
    return comment


# ---------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------

# Commenters' names and phone numbers are kept this many days after a consultation closes
# (the province sets PARTICIPATION_PERSONAL_DATA_DAYS to change it).
DEFAULT_PERSONAL_DATA_DAYS = 180


def personal_data_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "PARTICIPATION_PERSONAL_DATA_DAYS", DEFAULT_PERSONAL_DATA_DAYS))


@transaction.atomic
def comments_forget_personal_data(*, actor, today: date, days: int | None = None) -> int:
    """Blank the name and phone of comments on consultations closed longer than ``days``
    (the province's retention period; the nightly job passes it) or, without it,
    ``personal_data_days()``; the number of comments changed. The province administrator
    (or the scheduled job) runs it."""
    from catalogs.permissions import require_province_admin

    require_province_admin(actor)
    cutoff = today - timedelta(days=personal_data_days() if days is None else days)
    return (
        Comment.objects.filter(consultation__closes_on__lt=cutoff)
        .exclude(name="", phone="")
        .update(name="", phone="")
    )
