"""Reads of the 政务服务事项库 and the complaint channels, for the apps above (guides, portal).

The functions below are the interface the guides app and the public pages rely on; their
bodies are the matters app's to write.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from catalogs import states
from catalogs.models import Region
from catalogs.vocabulary import normalize_text
from items.models import Item
from items.search import publication_state
from matters.models import ComplaintChannel, ItemMatterLink, SearchSynonym, ServiceMatter
from matters.public import STATE

CHANNELS_CACHE_KEY = "matters:channels"
CHANNELS_CACHE_SECONDS = 3600

# The department of the entries the unlinked report lists (民政).
CIVIL_AFFAIRS = "民政"


def matters_for_items(item_ids: Iterable[int]) -> dict:
    """Draft ``items.Item`` pk -> the linked ``ServiceMatter`` (事项编码 ``code``, 事项名称
    ``name``, ``online_url``, ...), in one query; items without a link are absent."""
    ids = list(item_ids)
    if not ids:
        return {}
    links = ItemMatterLink.objects.filter(item_id__in=ids).select_related("matter__region")
    return {link.item_id: link.matter for link in links}


def matters_for_public_ids(public_ids: Iterable) -> dict:
    """Item ``public_id`` (the same on the draft item and its published copies) -> the linked
    ``ServiceMatter``, in one query; for public pages and the API."""
    ids = list(public_ids)
    if not ids:
        return {}
    links = ItemMatterLink.objects.filter(public_id__in=ids).select_related("matter__region")
    return {link.public_id: link.matter for link in links}


def complaint_channels_for(region) -> list:
    """The 监督举报 channels shown for ``region`` (its own, else the nearest region above
    that has some), as a list of ``ComplaintChannel``-like objects with ``kind``/``label``,
    ``value`` and ``url``; one query."""
    if region is None:
        return []
    # Kept until a channel changes (the writers move the state on): every page of a
    # region and of the regions below it reads them, most of them with no query.
    # Keyed by the publication state too, as every cache of the public pages is: each
    # publication reads them afresh, so a page's query count never depends on its history.
    key = f"{CHANNELS_CACHE_KEY}:{states.state(STATE)}:{publication_state()}:{region.path}"
    found = cache.get(key)
    if found is not None:
        return found
    codes = region.ancestor_codes()
    rows = list(
        ComplaintChannel.objects.filter(region__code__in=codes)
        .select_related("region")
        .order_by("order", "pk")
    )
    depth = {code: index for index, code in enumerate(codes)}
    nearest = max((depth[row.region.code] for row in rows), default=None)
    found = [row for row in rows if depth[row.region.code] == nearest]
    cache.set(key, found, CHANNELS_CACHE_SECONDS)
    return found


def complaint_channels_by_region(regions: Iterable[Region]) -> dict[int, list]:
    """``complaint_channels_for`` of many regions (region pk -> channels), in one query."""
    regions = list(regions)
    codes = {code for region in regions for code in region.ancestor_codes()}
    rows = list(
        ComplaintChannel.objects.filter(region__code__in=codes)
        .select_related("region")
        .order_by("order", "pk")
    )
    by_code: dict[str, list] = {}
    for row in rows:
        by_code.setdefault(row.region.code, []).append(row)
    result = {}
    for region in regions:
        found = []
        for code in reversed(region.ancestor_codes()):
            if code in by_code:
                found = by_code[code]
                break
        result[region.pk] = found
    return result


# ---------------------------------------------------------------------------
# Suggestions: the entry whose name is nearest an item's
# ---------------------------------------------------------------------------

# What a name says besides the service itself: offices, the catalog row's kind, the 库's
# action words. ``service_core`` drops them (and the place names it is given).
OFFICE_WORDS = (
    "街道办事处",
    "人民政府",
    "民政局",
    "民政所",
    "民政办",
    "社会事务办公室",
    "社会事务办",
    "管理委员会",
    "管委会",
)
ITEM_KIND_WORDS = (
    "审核审批信息",
    "政策法规文件",
    "办事指南",
    "审核信息",
    "审批信息",
    "业务办理",
)
ACTION_WORDS = (
    "对象认定",
    "审核确认",
    "资格认定",
    "认定",
    "给付",
    "发放",
    "申请",
    "审批",
    "办理",
    "确认",
)
PLACE_SUFFIXES = ("自治县", "街道", "县", "市", "区", "镇", "乡", "省")


def _fold(text: str) -> str:
    """NFKC, no white space, no punctuation or symbols (as review's ``normalize_name``)."""
    folded = normalize_text(text)
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PS")


def place_words(names: Iterable[str]) -> tuple[str, ...]:
    """Place names to drop from names, longest first: 农安县, 农安; 长春市, 长春; ..."""
    words = set()
    for name in names:
        name = _fold(name)
        if not name:
            continue
        words.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                words.add(name[: -len(suffix)])
                break
    return tuple(sorted(words, key=len, reverse=True))


def service_core(name: str, places: tuple[str, ...] = ()) -> str:
    """The service a name is about, without place, office, kind and action words."""
    text = _fold(name)
    for word in (*places, *OFFICE_WORDS, *ITEM_KIND_WORDS, *ACTION_WORDS):
        text = text.replace(word, "")
    return text


def names_agree(item_name: str, matter_name: str, places: tuple[str, ...] = ()) -> bool:
    """The allowed refinement (R21): one core name contains the other."""
    item_core, matter_core = service_core(item_name, places), service_core(matter_name, places)
    if not item_core or not matter_core:
        return _fold(item_name) == _fold(matter_name)
    return item_core in matter_core or matter_core in item_core


def is_service_item(item) -> bool:
    """A row that guides citizens to a service: 办事指南, or a 养老服务业务办理 row."""
    return "办事指南" in (item.level2 or "") or "业务办理" in (item.level1 or "")


def item_core_name(item) -> str:
    """The item's full name (一级 + 二级事项), as names are compared."""
    return f"{item.level1}{item.level2 or ''}"


def name_similarity(item_name: str, matter_name: str) -> float:
    """0..1; 1 when the names agree (``names_agree``), else how much of the shorter core
    the longer one holds, in order, blended with difflib's ratio."""
    a, b = service_core(item_name), service_core(matter_name)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return round(matched / min(len(a), len(b)) * 0.5 + matcher.ratio() * 0.5, 3)


@dataclass
class Suggestion:
    item: Item
    linked: ServiceMatter | None
    suggested: ServiceMatter | None
    score: float
    candidates: list[tuple[ServiceMatter, float]]


def candidate_matters(region: Region) -> list[ServiceMatter]:
    """Entries an item of ``region`` may link to: the region's and those above, one query."""
    return list(ServiceMatter.objects.at_or_above(region).select_related("region"))


def suggestions_for_catalog(catalog, *, limit: int = 5) -> list[Suggestion]:
    """Every item of ``catalog`` with its link and the best entries by name: three queries."""
    items = list(Item.objects.filter(catalog=catalog).order_by("seq", "pk"))
    linked = matters_for_items(item.pk for item in items)
    matters = candidate_matters(catalog.region)
    rows = []
    for item in items:
        core = item_core_name(item)
        scored = sorted(
            ((matter, name_similarity(core, matter.name)) for matter in matters),
            key=lambda pair: (-pair[1], pair[0].region.path.count("/") * -1, pair[0].code),
        )
        top = [pair for pair in scored if pair[1] > 0][:limit]
        best = top[0] if top and top[0][1] >= SUGGESTION_MIN_SCORE else (None, 0.0)
        rows.append(
            Suggestion(
                item=item,
                linked=linked.get(item.pk),
                suggested=best[0],
                score=best[1],
                candidates=top,
            )
        )
    return rows


SUGGESTION_MIN_SCORE = 0.5


# ---------------------------------------------------------------------------
# The report: 民政 entries no catalog item links to
# ---------------------------------------------------------------------------


def unlinked_matters(user, region: Region | None = None):
    """民政 entries the user may see (at or below ``region``) that no item links to."""
    matters = ServiceMatter.objects.for_user(user).filter(department__contains=CIVIL_AFFAIRS)
    if region is not None:
        matters = matters.filter(region__path__startswith=region.path)
    linked = ItemMatterLink.objects.filter(matter=OuterRef("pk"))
    return matters.filter(~Exists(linked)).select_related("region").order_by("region__code", "code")


# ---------------------------------------------------------------------------
# Search synonyms
# ---------------------------------------------------------------------------

SYNONYM_CACHE_KEY = "matters:synonym-groups"
MAX_ALTERNATIVES = 12


def synonym_groups() -> list[tuple[str, ...]]:
    """Every synonym group, kept in the cache until the table changes or the next
    publication (like the search counts): no query on a hit."""
    from matters.services import SYNONYM_STATE

    state = states.state(SYNONYM_STATE)
    key = f"{SYNONYM_CACHE_KEY}:{state}:{publication_state()}"
    groups = cache.get(key)
    if groups is None:
        groups = [
            tuple(str(term) for term in terms if term)
            for terms in SearchSynonym.objects.order_by("pk").values_list("terms", flat=True)
        ]
        cache.set(key, groups, 3600)
    return groups


def synonyms_state() -> int:
    from matters.services import SYNONYM_STATE

    return states.state(SYNONYM_STATE)


def expand_term(term: str, groups: list[tuple[str, ...]] | None = None) -> tuple[list[str], bool]:
    """``term`` and its synonyms (the term first), and whether a group named it.

    A term equal to any member of a group brings in the whole group (低保 → 最低生活保障).
    Members that contain another member are dropped: an item holding "最低生活保障" already
    matches "生活保障".
    """
    groups = synonym_groups() if groups is None else groups
    folded = term.lower()
    found = [term]
    named = False
    for group in groups:
        if any(folded == member.lower() for member in group):
            named = True
            found.extend(group)
    alternatives = list(dict.fromkeys(found))
    kept = [
        alt
        for alt in alternatives
        if not any(other != alt and other.lower() in alt.lower() for other in alternatives)
    ]
    # Bounded, whatever the table holds: each alternative is one more test per row.
    return kept[:MAX_ALTERNATIVES], named
