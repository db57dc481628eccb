"""R06: 公开主体 names the real local office, not the template's wording."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from catalogs import vocabulary
from catalogs.models import Region, RegionLevel, StandardItem
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label

# The templates' placeholders. Only phrases that no real office name contains: "县民政局"
# or "街道办事处" would also match "农安县民政局" and "平湖街道办事处".
GENERIC_SUBJECTS = (
    "县级人民政府民政部门、乡镇人民政府(街道办事处)",
    "县级政府民政部门、乡镇政府(街道办事处)",
    "县级人民政府民政部门",
    "县级政府民政部门",
    "县级民政部门",
    "县级人民政府",
    "县级政府",
    "乡镇人民政府(街道办事处)",
    "乡镇政府(街道办事处)",
    "乡镇人民政府",
    "乡镇政府",
    "乡(镇)人民政府",
    "县(市、区)民政局",
    "县(市、区)民政部门",
    "县(市、区)人民政府",
)
_SUBJECT_PARTS = re.compile(r"[、,;/]")
_TRAILING_PARENTHETICAL = re.compile(r"\([^()]*\)$")
# Longest first: 长白朝鲜族自治县 → 长白, 平湖街道 → 平湖.
_PLACE_SUFFIXES = (
    "朝鲜族自治县",
    "满族自治县",
    "蒙古族自治县",
    "朝鲜族自治州",
    "街道办事处",
    "管理委员会",
    "自治县",
    "自治州",
    "管委会",
    "街道",
    "地区",
    "县",
    "区",
    "市",
    "镇",
    "乡",
    "旗",
)


@lru_cache(maxsize=4096)
def _top_level_parts(text: str) -> list[str]:
    """Split at 、,;/ outside brackets: 县(市、区)民政局 stays whole."""
    parts, current, depth = [], [], 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth <= 0 and _SUBJECT_PARTS.fullmatch(char):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@lru_cache(maxsize=4096)
def _generic_phrases(*texts: str) -> tuple[str, ...]:
    phrases = set()
    for text in (*GENERIC_SUBJECTS, *texts):
        normalized = vocabulary.normalize_text(text)
        if not normalized:
            continue
        phrases.add(normalized)
        for part in _top_level_parts(normalized):
            # 乡镇人民政府(街道办事处) also appears as 乡镇人民政府; but 乡(镇)人民政府 must
            # not become 乡人民政府, which every real 乡 government's name contains.
            for phrase in (part, _TRAILING_PARENTHETICAL.sub("", part)):
                if len(phrase) >= 4:
                    phrases.add(phrase)
    return tuple(sorted(phrases, key=len, reverse=True))


def subject_generic_phrases(standard_item: StandardItem | None) -> tuple[str, ...]:
    """Template wordings of 公开主体, normalised: the standard item's and Style A's."""
    if standard_item is None:
        return _generic_phrases()
    variant = standard_item.style_a_variant or {}
    return _generic_phrases(standard_item.subject or "", variant.get("subject") or "")


@lru_cache(maxsize=4096)
def place_stem(name: str) -> str:
    """农安县 → 农安, 平湖街道 → 平湖; the name itself when the stem would be one character."""
    normalized = vocabulary.normalize_text(name)
    for suffix in _PLACE_SUFFIXES:
        if normalized.endswith(suffix) and len(normalized) - len(suffix) >= 2:
            return normalized[: -len(suffix)]
    return normalized


def _place_names(region: Region) -> tuple[str, ...]:
    """The region's and its parent's names, longest first."""
    names = {vocabulary.normalize_text(place.name) for place in (region, region.parent) if place}
    return tuple(sorted(names, key=len, reverse=True))


def _place_markers(region: Region) -> set[str]:
    """Strings of which a subject naming this region (or the one above) contains one."""
    markers = set()
    for place in (region, region.parent):
        if place is None or place.level == RegionLevel.PROVINCE:
            continue
        stem = place_stem(place.name)
        # Long names go by their first two characters too: 前郭尔罗斯蒙古族自治县 → 前郭县.
        markers.update({stem, stem[:2]})
    return markers


def suggested_subject(region: Region) -> str:
    if region.office_name:
        return region.office_name
    if region.level == RegionLevel.TOWNSHIP:
        return (
            f"{region.name}人民政府" if not region.name.endswith("街道") else f"{region.name}办事处"
        )
    return f"{region.name}民政局"


@rule(
    "R06-subject",
    WARNING,
    "公开主体写明具体单位",
    "公开主体不应沿用标准目录的通用表述（如“县级人民政府民政部门、乡镇人民政府(街道办事处)”），"
    "应写明本地具体单位并带有地名，如“农安县民政局”“农安镇人民政府”。",
)
def check_subject(context: CatalogContext) -> Iterator[Hit]:
    region = context.region
    markers = _place_markers(region)
    place_names = _place_names(region)
    example = suggested_subject(region)
    for item in context.items:
        subject = (item.subject or "").strip()
        normalized = vocabulary.normalize_text(subject)
        if not normalized:
            continue  # R02
        # Real names may contain template words: 永吉经济开发区特殊乡镇 + 人民政府.
        unplaced = normalized
        for name in place_names:
            unplaced = unplaced.replace(name, "|")
        generic = next(
            (p for p in subject_generic_phrases(item.standard_item) if p in unplaced), None
        )
        if generic is not None:
            yield Hit(
                f"{item_label(item)}：公开主体“{subject}”沿用了标准目录的通用表述，"
                f"应写明具体单位，如“{example}”。",
                item,
                "subject",
                key="generic",
            )
        elif markers and not any(marker in normalized for marker in markers):
            yield Hit(
                f"{item_label(item)}：公开主体“{subject}”未写明所属地区，应写明具体单位，如“{example}”。",
                item,
                "subject",
                key="placeless",
            )
