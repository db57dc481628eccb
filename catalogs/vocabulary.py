"""Controlled vocabularies of the two standard catalogs and text normalisation.

The official tables print channels as a fixed ■/□ checklist in this order; audience,
method and level are pairs of tick columns. Real files spell several of these
differently, so every reader goes through the alias maps here.
"""

import re
import unicodedata

CHANNELS: tuple[str, ...] = (
    "政府网站",
    "政府公报",
    "两微一端",
    "发布会/听证会",
    "广播电视",
    "纸质媒体",
    "公开查阅点",
    "政务服务中心",
    "便民服务站",
    "入户/现场",
    "社区/企事业单位/村公示栏(电子屏)",
    "精准推送",
    "其他",
)
OTHER_CHANNEL = "其他"

AUDIENCES: tuple[str, ...] = ("全社会", "特定群体")
METHODS: tuple[str, ...] = ("主动", "依申请")
LEVELS: tuple[str, ...] = ("县级", "乡级")
COUNTY_LEVEL, TOWNSHIP_LEVEL = LEVELS
# Village catalogs (村务公开, 吉民发〔2020〕13号 (八)) tick a 村级 column; it is kept as a level
# an item may carry, beside the two official tick columns (LEVELS), which county and township
# catalogs are checked against.
VILLAGE_LEVEL = "村级"
ITEM_LEVELS: tuple[str, ...] = (*LEVELS, VILLAGE_LEVEL)
# The older national wording (Style A) prints the township tick column as “乡、村级”: what a
# township publishes there reaches its villages' 公示栏 too. Catalog rows fold that spelling
# into 乡级 (LEVEL_ALIASES below, unchanged for county and township catalogs); the village
# standard reads it back: an item ticked 乡级 (= 乡、村级) or 村级 is one villages publish.
VILLAGE_REACHING_LEVELS: frozenset[str] = frozenset({TOWNSHIP_LEVEL, VILLAGE_LEVEL})


def reaches_villages(levels) -> bool:
    """Whether an item with these 公开层级 ticks belongs in the village standard."""
    return bool(VILLAGE_REACHING_LEVELS & set(levels or []))


CHANNEL_ALIASES = {
    "政府服务中心": "政务服务中心",
    "社区、企事业单位、村公示栏(电子屏)": "社区/企事业单位/村公示栏(电子屏)",
    "社区/企事业单位/村公示栏": "社区/企事业单位/村公示栏(电子屏)",
    "社区、企事业单位、村公示栏": "社区/企事业单位/村公示栏(电子屏)",
    "入户/现场宣传": "入户/现场",
    "入户、现场": "入户/现场",
    "发布会、听证会": "发布会/听证会",
    "两微一端(微博、微信、客户端)": "两微一端",
    "政务微博、微信、客户端": "两微一端",
    "报刊": "纸质媒体",
    "广播、电视": "广播电视",
}
AUDIENCE_ALIASES = {"特定群众": "特定群体", "全社会公开": "全社会"}
METHOD_ALIASES = {"依申请公开": "依申请", "主动公开": "主动"}
LEVEL_ALIASES = {
    "乡、村级": "乡级",
    "镇、村级": "乡级",
    "乡镇、村级": "乡级",
    "镇村级": "乡级",
    "乡村级": "乡级",
    "镇级": "乡级",
    "乡镇级": "乡级",
    "街道": "乡级",
    "县(市、区)级": "县级",
    "区级": "县级",
}

# Elements of the nine that every item must carry, in table order, with their Chinese labels.
ELEMENT_LABELS: dict[str, str] = {
    "name": "事项名称",
    "content": "公开内容(要素)",
    "basis": "公开依据",
    "deadline": "公开时限",
    "subject": "公开主体",
    "channels": "公开渠道和载体",
    "audience": "公开对象",
    "method": "公开方式",
    "levels": "公开层级",
}

# The element columns of a catalog row, in table order (standard items have no channel_other).
STANDARD_ROW_FIELDS: tuple[str, ...] = (
    "level1",
    "level2",
    "content",
    "basis",
    "deadline",
    "subject",
    "channels",
    "audience",
    "method",
    "levels",
)
ITEM_ELEMENT_FIELDS: tuple[str, ...] = (
    "seq",
    *STANDARD_ROW_FIELDS[:7],
    "channel_other",
    *STANDARD_ROW_FIELDS[7:],
)

# Labels of every column of a catalog row, for messages and comparisons.
FIELD_LABELS: dict[str, str] = {
    "seq": "序号",
    "level1": "一级事项",
    "level2": "二级事项",
    "content": "公开内容(要素)",
    "basis": "公开依据",
    "deadline": "公开时限",
    "subject": "公开主体",
    "channels": "公开渠道和载体",
    "channel_other": "其他渠道说明",
    "audience": "公开对象",
    "method": "公开方式",
    "levels": "公开层级",
}

_SPACE = re.compile(r"\s+")


def normalize_text(value: str) -> str:
    """NFKC-fold (full-width punctuation to ASCII) and drop all white space.

    Use it to compare, never to store: stored text keeps the author's spelling.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", value or ""))


def canonical_term(value: str, vocabulary: tuple[str, ...], aliases: dict[str, str]) -> str | None:
    """The vocabulary term a spelling stands for, or None when it is none of them."""
    key = normalize_text(value)
    for term in vocabulary:
        if normalize_text(term) == key:
            return term
    for alias, term in aliases.items():
        if normalize_text(alias) == key:
            return term
    return None


def canonical_channel(value: str) -> str | None:
    return canonical_term(value, CHANNELS, CHANNEL_ALIASES)


def order_terms(values, vocabulary: tuple[str, ...]) -> list[str]:
    """De-duplicate and sort terms into the vocabulary's official order."""
    present = set(values)
    return [term for term in vocabulary if term in present]


_BULLET = re.compile(r"^\s*(?:[●•·▪■◆\-]|\d+[.、．)）]|[（(]\d+[)）])\s*")


def split_elements(content: str) -> list[str]:
    """Split 公开内容 into its elements: '●a\\n●b', '1.a 2.b' and one-per-line all work."""
    text = (content or "").replace("\r\n", "\n")
    if "●" in text:
        parts = text.split("●")
    else:
        parts = re.split(r"\n|(?<!\d)(?=\d+[.、．](?!\d))", text)
    elements = []
    for part in parts:
        cleaned = _BULLET.sub("", part).strip().strip("；;，,")
        if cleaned:
            elements.append(cleaned)
    return elements


def join_elements(elements: list[str]) -> str:
    return "\n".join(f"●{element}" for element in elements)
