"""Every write of the matters app: permission check first, validated, atomic.

Writers of what public pages show call ``catalogs.states.changed(STATE)`` (pages and the
catalog API body key on it); synonym edits also move the search caches on.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from catalogs import states
from catalogs.models import Region
from items import search as items_search
from items.models import Item
from matters.models import (
    ChannelKind,
    ComplaintChannel,
    ItemMatterLink,
    SearchSynonym,
    ServiceMatter,
)
from matters.permissions import (
    require_edit_channels,
    require_edit_synonyms,
    require_import_matters_of,
    require_link,
)
from matters.public import STATE

# The cache state of the synonym table (portal.search keys its caches by it).
SYNONYM_STATE = "matters-synonyms"

PHONE_PATTERN = re.compile(r"^[0-9+\-－ ()（）、，,转]{3,50}$")
SYNONYM_MAX_TERMS = 12
SYNONYM_TERM_MAX_LENGTH = 20


def _refuse_nul(values: dict[str, str], labels: dict[str, str]) -> None:
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({name: f"“{labels.get(name, name)}”含有不可见的控制字符。"})


def _check_version(obj, expected_version: int | None, what: str) -> None:
    if expected_version is not None and expected_version != obj.version:
        raise ValidationError(
            f"{what}已被他人修改（您看到的是第{expected_version}版，现为第{obj.version}版），"
            "请刷新后重新修改。"
        )


# ---------------------------------------------------------------------------
# 监督举报 channels
# ---------------------------------------------------------------------------

CHANNEL_LABELS = {"kind": "方式", "value": "号码、地址或链接", "note": "说明", "order": "排序"}


def _clean_channel(kind: str, value: str, note: str) -> tuple[str, str]:
    value, note = (value or "").strip(), (note or "").strip()
    _refuse_nul({"value": value, "note": note}, CHANNEL_LABELS)
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": f"未知的监督举报方式“{kind}”。"})
    if not value:
        raise ValidationError({"value": "请填写号码、地址或链接。"})
    if len(value) > 300:
        raise ValidationError({"value": f"最多300个字符（现为{len(value)}个）。"})
    if len(note) > 200:
        raise ValidationError({"note": f"说明最多200个字符（现为{len(note)}个）。"})
    if kind == ChannelKind.PHONE and not PHONE_PATTERN.match(value):
        raise ValidationError({"value": f"“{value}”不是有效的电话号码。"})
    if kind == ChannelKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"value": f"“{value}”不是有效的电子邮箱地址。"}) from None
    if kind == ChannelKind.ONLINE:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(
                {"value": f"“{value}”不是有效的网址（应以 https:// 或 http:// 开头）。"}
            ) from None
    return value, note


@transaction.atomic
def complaint_channel_create(
    *, actor, region: Region, kind: str, value: str, note: str = "", order: int = 0
) -> ComplaintChannel:
    require_edit_channels(actor, region)
    value, note = _clean_channel(kind, value, note)
    channel = ComplaintChannel(region=region, kind=kind, value=value, note=note, order=order)
    channel.full_clean()
    channel.save()
    states.changed(STATE)
    return channel


@transaction.atomic
def complaint_channel_update(
    *, actor, channel: ComplaintChannel, expected_version: int | None = None, **changes
) -> ComplaintChannel:
    channel = (
        ComplaintChannel.objects.select_for_update().select_related("region").get(pk=channel.pk)
    )
    require_edit_channels(actor, channel.region)
    _check_version(channel, expected_version, "该监督举报方式")
    unknown = set(changes) - {"kind", "value", "note", "order"}
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(channel, name, value)
    channel.value, channel.note = _clean_channel(channel.kind, channel.value, channel.note)
    channel.version += 1
    channel.full_clean()
    channel.save()
    states.changed(STATE)
    return channel


@transaction.atomic
def complaint_channel_delete(*, actor, channel: ComplaintChannel) -> None:
    channel = ComplaintChannel.objects.select_related("region").get(pk=channel.pk)
    require_edit_channels(actor, channel.region)
    channel.delete()
    states.changed(STATE)


# ---------------------------------------------------------------------------
# 政务服务事项库 entries (written by the flat import)
# ---------------------------------------------------------------------------

MATTER_FIELDS = ("name", "implementer", "department", "handling_items", "online_url", "source")


@transaction.atomic
def service_matter_save(
    *, actor, matter: ServiceMatter, values: dict, now: datetime | None = None
) -> ServiceMatter:
    """Create or update one entry; the region (and, for an update, its old region) must be
    the actor's to import."""
    if matter.pk is not None:
        require_import_matters_of(actor, matter.region)
    region = values.get("region", matter.region if matter.region_id else None)
    if region is None:
        raise ValidationError({"region": "请填写区划代码。"})
    require_import_matters_of(actor, region)
    matter.region = region
    for name in MATTER_FIELDS:
        if name in values:
            setattr(matter, name, values[name])
    if "code" in values:
        matter.code = values["code"]
    matter.imported_at = now or timezone.now()
    if getattr(actor, "pk", None):
        matter.imported_by_id = actor.pk
    matter.full_clean()
    matter.save()
    states.changed(STATE)
    return matter


# ---------------------------------------------------------------------------
# Links between items and entries
# ---------------------------------------------------------------------------


@transaction.atomic
def item_link_matter(
    *,
    actor,
    item: Item,
    matter: ServiceMatter,
    score: float | None = None,
    now: datetime | None = None,
) -> ItemMatterLink:
    """Link ``item`` to ``matter`` (replacing its link); the entry must belong to the
    item's region or a region above it."""
    item = Item.objects.select_related("catalog__region").get(pk=item.pk)
    region = item.catalog.region
    require_link(actor, region)
    matter = ServiceMatter.objects.select_related("region").get(pk=matter.pk)
    if not region.is_within(matter.region):
        raise ValidationError(
            {
                "matter": f"事项“{matter.name}”属于{matter.region.name}，"
                f"不能关联到{region.name}的目录事项；只能选择本地区或上级地区的事项。"
            }
        )
    link, _ = ItemMatterLink.objects.select_for_update().get_or_create(
        item=item,
        defaults={
            "public_id": item.public_id,
            "matter": matter,
            "linked_at": now or timezone.now(),
        },
    )
    link.matter = matter
    link.public_id = item.public_id
    link.score = score
    link.linked_at = now or timezone.now()
    link.linked_by_id = getattr(actor, "pk", None)
    link.full_clean()
    link.save()
    states.changed(STATE)
    return link


@transaction.atomic
def item_unlink_matter(*, actor, item: Item) -> bool:
    """Remove the item's link; returns whether there was one."""
    item = Item.objects.select_related("catalog__region").get(pk=item.pk)
    require_link(actor, item.catalog.region)
    deleted, _ = ItemMatterLink.objects.filter(item=item).delete()
    if deleted:
        states.changed(STATE)
    return bool(deleted)


# ---------------------------------------------------------------------------
# Search synonyms
# ---------------------------------------------------------------------------

TERM_SEPARATORS = re.compile(r"[\s,，、;；/|↔]+")


def parse_terms(text: str) -> list[str]:
    """Terms typed in one box, separated by spaces, commas, 、 or ↔; each kept once."""
    return list(dict.fromkeys(term for term in TERM_SEPARATORS.split(text or "") if term))


def _clean_terms(terms: list[str]) -> list[str]:
    terms = list(dict.fromkeys(str(term).strip() for term in terms if str(term).strip()))
    if len(terms) < 2:
        raise ValidationError({"terms": "同义词组至少要有两个词。"})
    if len(terms) > SYNONYM_MAX_TERMS:
        raise ValidationError({"terms": f"同义词组最多{SYNONYM_MAX_TERMS}个词。"})
    for term in terms:
        if "\x00" in term or any(ch.isspace() for ch in term):
            raise ValidationError({"terms": f"“{term.strip(chr(0))}”含有空白或控制字符。"})
        if len(term) > SYNONYM_TERM_MAX_LENGTH:
            raise ValidationError(
                {"terms": f"“{term[:20]}…”过长：每个词最多{SYNONYM_TERM_MAX_LENGTH}个字。"}
            )
    return terms


def _synonyms_changed() -> None:
    states.changed(SYNONYM_STATE)
    # The API's search bodies are kept by publication state (portal.api.endpoint).
    items_search.publications_changed()


@transaction.atomic
def synonym_save(
    *,
    actor,
    synonym: SearchSynonym,
    terms: list[str],
    note: str = "",
    expected_version: int | None = None,
) -> SearchSynonym:
    require_edit_synonyms(actor)
    if synonym.pk is not None:
        synonym = SearchSynonym.objects.select_for_update().get(pk=synonym.pk)
        _check_version(synonym, expected_version, "该同义词组")
        synonym.version += 1
    note = (note or "").strip()
    _refuse_nul({"note": note}, {"note": "说明"})
    synonym.terms = _clean_terms(terms)
    synonym.note = note
    synonym.full_clean()
    synonym.save()
    _synonyms_changed()
    return synonym


@transaction.atomic
def synonym_delete(*, actor, synonym: SearchSynonym) -> None:
    require_edit_synonyms(actor)
    SearchSynonym.objects.filter(pk=synonym.pk).delete()
    _synonyms_changed()
