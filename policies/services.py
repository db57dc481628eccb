"""Every write of policy documents and interpretations: permission first, then validation.

Who writes: the region's editors (a county's editors also for its townships) and the
province administrator (``catalogs.permissions.can_edit_region``); reviewers and city
coordinators read. Edits carry the version the form showed (``catalogs.concurrency``);
status moves (有效 → 已修改/已废止) are their own services, name the replacing document and
write an event row. Every writer calls ``catalogs.states.changed(STATE)`` so the cached
public pages that list documents render anew.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from catalogs import states
from catalogs.concurrency import conflict_for, require_version, save_versioned
from catalogs.models import Region, StandardCatalog
from catalogs.permissions import history_user, require_edit_region
from items.models import Item
from policies.models import (
    ISSUER_MAX,
    ITEMS_MAX,
    NUMBER_MAX,
    STATUS_TRANSITIONS,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    DocumentRelation,
    DocumentStatus,
    Interpretation,
    InterpretationForm,
    PolicyDocument,
    PolicyDocumentEvent,
    PolicyItemLink,
)
from policies.public import STATE

DOCUMENT_LABELS = {
    "region": "制发或转发区划",
    "standard": "领域",
    "title": "文件标题",
    "number": "文号",
    "issuer": "发文机关",
    "issued_on": "发布日期",
    "relation": "制发方式",
    "url": "原文链接",
    "text": "文件全文",
    "items": "关联事项",
    "replaced_by": "修改或废止它的文件",
}
INTERPRETATION_LABELS = {
    "title": "解读标题",
    "form": "解读形式",
    "published_on": "发布日期",
    "url": "链接",
    "text": "解读内容",
}
DOCUMENT_FIELDS = ("title", "number", "issuer", "issued_on", "relation", "url", "text", "standard")
INTERPRETATION_FIELDS = ("title", "form", "published_on", "url", "text")

_url_validator = URLValidator(schemes=["http", "https"])
# Control characters other than tab and line ends: never typed, often pasted from a PDF.
_CONTROL = {chr(code) for code in range(32)} - {"\t", "\n", "\r"}


# ---------------------------------------------------------------------------
# Validation (Chinese messages naming the field)
# ---------------------------------------------------------------------------


def _text(errors: dict, name: str, label: str, value, *, limit: int, required: bool) -> str:
    value = "" if value is None else str(value)
    if any(char in _CONTROL for char in value):
        errors[name] = f"“{label}”含有不可见的控制字符（如NUL），请删除后重新保存。"
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        errors[name] = f"请填写“{label}”。"
    elif len(value) > limit:
        errors[name] = f"“{label}”最多{limit}个字符（现为{len(value)}个）。"
    return value


def _url(errors: dict, name: str, label: str, value) -> str:
    value = _text(errors, name, label, value, limit=URL_MAX, required=False)
    if value and name not in errors:
        scheme = urlsplit(value).scheme.lower()
        try:
            if scheme not in ("http", "https"):
                raise ValidationError("scheme")
            _url_validator(value)
        except ValidationError:
            errors[name] = f"“{label}”“{value[:80]}”无效：只接受以http://或https://开头的网址。"
    return value


def _day(errors: dict, name: str, label: str, value, *, today: date) -> date | None:
    if value is None or value == "":
        errors[name] = f"请填写“{label}”。"
        return None
    if not isinstance(value, date):
        errors[name] = f"“{label}”应为日期。"
        return None
    if value > today:
        errors[name] = f"“{label}”{value:%Y-%m-%d}晚于今天，请填写已经发生的日期。"
    return value


def clean_document_values(values: dict, *, today: date) -> dict:
    """The document's fields cleaned, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "title" in values:
        cleaned["title"] = _text(
            errors, "title", "文件标题", values["title"], limit=TITLE_MAX, required=True
        )
    if "number" in values:
        cleaned["number"] = _text(
            errors, "number", "文号", values["number"], limit=NUMBER_MAX, required=False
        )
    if "issuer" in values:
        cleaned["issuer"] = _text(
            errors, "issuer", "发文机关", values["issuer"], limit=ISSUER_MAX, required=True
        )
    if "issued_on" in values:
        cleaned["issued_on"] = _day(
            errors, "issued_on", "发布日期", values["issued_on"], today=today
        )
    if "relation" in values and values["relation"] not in DocumentRelation.values:
        errors["relation"] = f"“制发方式”应为{'或'.join(DocumentRelation.labels)}。"
    if "url" in values:
        cleaned["url"] = _url(errors, "url", "原文链接", values["url"])
    if "text" in values:
        cleaned["text"] = _text(
            errors, "text", "文件全文", values["text"], limit=TEXT_MAX, required=False
        )
    if "standard" in values and not isinstance(values["standard"], StandardCatalog):
        errors["standard"] = "请选择“领域”（社会救助或养老服务）。"
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_interpretation_values(values: dict, *, today: date, document: PolicyDocument) -> dict:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "title" in values:
        cleaned["title"] = _text(
            errors, "title", "解读标题", values["title"], limit=TITLE_MAX, required=True
        )
    if "form" in values and values["form"] not in InterpretationForm.values:
        errors["form"] = f"“解读形式”应为{'、'.join(InterpretationForm.labels)}之一。"
    if "published_on" in values:
        cleaned["published_on"] = _day(
            errors, "published_on", "发布日期", values["published_on"], today=today
        )
    if "url" in values:
        cleaned["url"] = _url(errors, "url", "链接", values["url"])
    if "text" in values:
        cleaned["text"] = _text(
            errors, "text", "解读内容", values["text"], limit=TEXT_MAX, required=False
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_link_or_text(interpretation: Interpretation) -> None:
    if not interpretation.url and not interpretation.text:
        raise ValidationError({"url": "请填写解读的“链接”或“解读内容”，至少一项。"})


def _full_clean(obj, labels: dict, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(
            {
                field: [f"“{labels.get(field, field)}”：{message}" for message in messages]
                for field, messages in error.message_dict.items()
            }
        ) from error


def _require_holder(region: Region) -> None:
    if region.catalog_level is None:
        raise ValidationError(
            {
                "region": f"“{region.name}”不编制公开事项目录，政策文件应登记在县（市、区）或乡镇（街道）。"
            }
        )


# ---------------------------------------------------------------------------
# Linked items
# ---------------------------------------------------------------------------


def _public_id(value):
    return value.public_id if isinstance(value, Item) else value


def _replace_items(document: PolicyDocument, items: Iterable) -> None:
    """Link the document to exactly ``items`` (Items or public ids) of its region's catalog
    of its field; anything else is refused, naming the item."""
    wanted = list(dict.fromkeys(_public_id(value) for value in items))
    if len(wanted) > ITEMS_MAX:
        raise ValidationError({"items": f"一件政策文件最多关联{ITEMS_MAX}个事项。"})
    found = {
        item.public_id: item
        for item in Item.objects.filter(public_id__in=wanted).select_related("catalog")
    }
    for public_id in wanted:
        item = found.get(public_id)
        if item is None:
            raise ValidationError({"items": f"找不到要关联的事项（{public_id}）。"})
        if (
            item.catalog.region_id != document.region_id
            or item.catalog.standard_id != document.standard_id
        ):
            raise ValidationError(
                {
                    "items": f"事项“{item.name}”不属于{document.region.name}"
                    f"{document.standard.field}目录，不能关联。"
                }
            )
    existing = set(document.item_links.values_list("item_id", flat=True))
    document.item_links.exclude(item_id__in=wanted).delete()
    PolicyItemLink.objects.bulk_create(
        [
            PolicyItemLink(document=document, item_id=public_id)
            for public_id in wanted
            if public_id not in existing
        ]
    )


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def _document_subject(document: PolicyDocument) -> str:
    return f"政策文件{document.label}"


def _changed(kind: str = STATE) -> None:
    states.changed(kind)


@transaction.atomic
def document_create(
    *,
    actor,
    region: Region,
    standard: StandardCatalog,
    title: str,
    issuer: str,
    issued_on: date,
    number: str = "",
    relation: str = DocumentRelation.ISSUED,
    url: str = "",
    text: str = "",
    items: Iterable = (),
    today: date | None = None,
) -> PolicyDocument:
    """Register a document the region issues (本级制发) or relays (转发)."""
    require_edit_region(actor, region)
    _require_holder(region)
    today = today or timezone.localdate()
    values = clean_document_values(
        {
            "standard": standard,
            "title": title,
            "number": number,
            "issuer": issuer,
            "issued_on": issued_on,
            "relation": relation,
            "url": url,
            "text": text,
        },
        today=today,
    )
    document = PolicyDocument(region=region, **values)
    _full_clean(document, DOCUMENT_LABELS)
    document._history_user = history_user(actor)
    document.save()
    _replace_items(document, items)
    _changed()
    return document


@transaction.atomic
def document_update(
    *,
    actor,
    document: PolicyDocument,
    expected_version: int | None,
    items: Iterable | None = None,
    today: date | None = None,
    **values,
) -> PolicyDocument:
    """Change a document's fields (and its linked items when ``items`` is given).

    Works on the stored row, not on the caller's copy: fields the call does not change
    (a status someone moved since) are never written back from a stale object.
    """
    stored = PolicyDocument.objects.select_related("region", "standard").filter(pk=document.pk)
    stored = stored.first()
    require_edit_region(actor, (stored or document).region)
    if stored is None:
        raise conflict_for(document, expected_version, subject=_document_subject, labels={})
    unknown = set(values) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValueError(f"document_update cannot change {sorted(unknown)}")
    today = today or timezone.localdate()
    values = clean_document_values(values, today=today)
    for name, value in values.items():
        setattr(stored, name, value)
    _full_clean(stored, DOCUMENT_LABELS)
    save_versioned(
        stored,
        expected_version,
        subject=_document_subject,
        labels={name: DOCUMENT_LABELS[name] for name in DOCUMENT_FIELDS},
    )
    stored._history_user = history_user(actor)
    stored.save()
    if items is not None:
        _replace_items(stored, items)
    elif "standard" in values:
        # Items of the former field no longer belong: re-check the kept ones.
        _replace_items(stored, stored.item_links.values_list("item_id", flat=True))
    document.__dict__.update(
        {key: value for key, value in stored.__dict__.items() if not key.startswith("_")}
    )
    _changed()
    return document


def _transition(
    *,
    actor,
    document: PolicyDocument,
    to_status: str,
    replaced_by: PolicyDocument | None,
    expected_version: int | None,
    on: date | None,
    note: str,
) -> PolicyDocument:
    require_edit_region(actor, document.region)
    locked = PolicyDocument.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and locked.version != expected_version:
        require_version(
            document,
            expected_version,
            subject=_document_subject,
            labels={"status": "效力状态", "replaced_by": "修改或废止它的文件"},
        )
    from_status = locked.status
    if to_status not in STATUS_TRANSITIONS[DocumentStatus(from_status)]:
        raise ValidationError(
            {
                "status": f"{document.label}现为“{DocumentStatus(from_status).label}”，"
                f"不能改为“{DocumentStatus(to_status).label}”。"
            }
        )
    if replaced_by is None:
        raise ValidationError(
            {"replaced_by": f"请选择修改或废止{document.label}的文件（须先登记该文件）。"}
        )
    if replaced_by.pk == document.pk:
        raise ValidationError({"replaced_by": "文件不能被它自己修改或废止。"})
    if replaced_by.region_id != document.region_id:
        raise ValidationError(
            {"replaced_by": f"{replaced_by.label}不是{document.region.name}登记的文件。"}
        )
    if replaced_by.status != DocumentStatus.VALID:
        raise ValidationError({"replaced_by": f"{replaced_by.label}本身已不是有效文件。"})
    if replaced_by.issued_on < document.issued_on:
        raise ValidationError(
            {
                "replaced_by": f"{replaced_by.label}的发布日期早于{document.label}，不能修改或废止它。"
            }
        )
    note = _text({}, "note", "说明", note, limit=200, required=False)[:200]
    on = on or timezone.localdate()
    locked.status = to_status
    locked.replaced_by = replaced_by
    locked.status_changed_on = on
    locked.version += 1
    locked._history_user = history_user(actor)
    locked._change_reason = f"{DocumentStatus(to_status).label}：{replaced_by.label}"[:100]
    locked.save()
    PolicyDocumentEvent.objects.create(
        document=locked,
        actor=history_user(actor),
        from_status=from_status,
        to_status=to_status,
        replaced_by=replaced_by,
        at=timezone.now(),
        note=note,
    )
    document.__dict__.update(
        {key: value for key, value in locked.__dict__.items() if not key.startswith("_")}
    )
    _changed()
    return document


@transaction.atomic
def document_modify(
    *,
    actor,
    document: PolicyDocument,
    replaced_by: PolicyDocument | None,
    expected_version: int | None = None,
    on: date | None = None,
    note: str = "",
) -> PolicyDocument:
    """有效 → 已修改: ``replaced_by`` (a valid document of the same region) amended it."""
    return _transition(
        actor=actor,
        document=document,
        to_status=DocumentStatus.MODIFIED,
        replaced_by=replaced_by,
        expected_version=expected_version,
        on=on,
        note=note,
    )


@transaction.atomic
def document_repeal(
    *,
    actor,
    document: PolicyDocument,
    replaced_by: PolicyDocument | None,
    expected_version: int | None = None,
    on: date | None = None,
    note: str = "",
) -> PolicyDocument:
    """有效/已修改 → 已废止: ``replaced_by`` (a valid document of the same region) replaced it."""
    return _transition(
        actor=actor,
        document=document,
        to_status=DocumentStatus.REPEALED,
        replaced_by=replaced_by,
        expected_version=expected_version,
        on=on,
        note=note,
    )


@transaction.atomic
def document_delete(*, actor, document: PolicyDocument, expected_version: int | None) -> None:
    """Remove a document registered by mistake (not one that replaced another)."""
    require_edit_region(actor, document.region)
    require_version(
        document,
        expected_version,
        subject=_document_subject,
        labels={name: DOCUMENT_LABELS[name] for name in DOCUMENT_FIELDS},
    )
    replaced = list(PolicyDocument.objects.filter(replaced_by=document)[:3])
    if replaced:
        names = "、".join(other.label for other in replaced)
        raise ValidationError(f"{document.label}修改或废止了{names}，不能删除。")
    document._history_user = history_user(actor)
    document.delete()
    _changed()


# ---------------------------------------------------------------------------
# Interpretations
# ---------------------------------------------------------------------------


def _interpretation_subject(interpretation: Interpretation) -> str:
    return f"政策解读“{interpretation.title}”"


@transaction.atomic
def interpretation_create(
    *,
    actor,
    document: PolicyDocument,
    title: str,
    published_on: date,
    form: str = InterpretationForm.TEXT,
    url: str = "",
    text: str = "",
    today: date | None = None,
) -> Interpretation:
    """Add a 解读 (文字/图解/视频/问答) to a document: a link, a text, or both."""
    require_edit_region(actor, document.region)
    today = today or timezone.localdate()
    values = clean_interpretation_values(
        {"title": title, "form": form, "published_on": published_on, "url": url, "text": text},
        today=today,
        document=document,
    )
    interpretation = Interpretation(document=document, created_by=history_user(actor), **values)
    _require_link_or_text(interpretation)
    _full_clean(interpretation, INTERPRETATION_LABELS, exclude=["document", "created_by"])
    interpretation._history_user = history_user(actor)
    interpretation.save()
    _changed()
    return interpretation


@transaction.atomic
def interpretation_update(
    *,
    actor,
    interpretation: Interpretation,
    expected_version: int | None,
    today: date | None = None,
    **values,
) -> Interpretation:
    document = PolicyDocument.objects.select_related("region").get(pk=interpretation.document_id)
    require_edit_region(actor, document.region)
    unknown = set(values) - set(INTERPRETATION_FIELDS)
    if unknown:
        raise ValueError(f"interpretation_update cannot change {sorted(unknown)}")
    today = today or timezone.localdate()
    values = clean_interpretation_values(values, today=today, document=document)
    for name, value in values.items():
        setattr(interpretation, name, value)
    _require_link_or_text(interpretation)
    _full_clean(interpretation, INTERPRETATION_LABELS, exclude=["document", "created_by"])
    save_versioned(
        interpretation,
        expected_version,
        subject=_interpretation_subject,
        labels=INTERPRETATION_LABELS,
    )
    interpretation._history_user = history_user(actor)
    interpretation.save()
    _changed()
    return interpretation


@transaction.atomic
def interpretation_delete(
    *, actor, interpretation: Interpretation, expected_version: int | None
) -> None:
    document = PolicyDocument.objects.select_related("region").get(pk=interpretation.document_id)
    require_edit_region(actor, document.region)
    require_version(
        interpretation,
        expected_version,
        subject=_interpretation_subject,
        labels=INTERPRETATION_LABELS,
    )
    interpretation._history_user = history_user(actor)
    interpretation.delete()
    _changed()
