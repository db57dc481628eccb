"""Reading 公开时限 phrases into DeadlineRule objects (the grammar is in the package docstring)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from items.deadlines.rules import (
    DeadlineRule,
    Period,
)
from items.deadlines.workdays import (
    DAY,
    MONTH,
    NOTICE,
    PERIODIC,
    PROGRESS,
    REALTIME,
    STANDING,
    UNSTATED_PERIOD,
    UNSTATED_PERIOD_NOTE,
    WEEK,
    WITHIN,
    WORKDAY,
)

# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# Only numerals followed by something that counts are numbers: 十个工作日, 二十日, 三月底, 一次.
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=个|工作日|自然日|日|天|月|周|次|号|季)")


def chinese_numeral_to_int(text: str) -> int:
    """十 → 10, 二十 → 20, 十五 → 15, 一百零五 → 105, 二〇二〇 → 2020."""
    if all(char in _CN_DIGITS for char in text):
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    total = current = 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        else:
            total += (current or 1) * (100 if char == "百" else 10)
            current = 0
    return total + current


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return _CN_NUMBER.sub(lambda match: str(chinese_numeral_to_int(match.group())), text)


_UNIT = r"(?P<unit>个工作日|工作日|个自然日|自然日|日|天|个月|周|个星期|星期)"
_UNIT_NAMES = {
    "个工作日": WORKDAY,
    "工作日": WORKDAY,
    "个自然日": DAY,
    "自然日": DAY,
    "日": DAY,
    "天": DAY,
    "个月": MONTH,
}
_WEEK_UNITS = {"周", "个星期", "星期"}
_VERB = r"(?:予以公开|公开|发布|公布|更新|完成|办结)?"
_TRIGGER = r"(?:自|从|于)?(?P<trigger>.*?(?:之日起|之日|起|以后|之后|后))?"
_WITHIN = re.compile(_TRIGGER + r"(?P<amount>\d+)" + _UNIT + r"(?:内|以内|之内)" + _VERB)
_PUBLICITY = (
    r"(?P<label>张榜公示|公示|公告)(?:期|时间|期限)?(?:为|不少于|不得少于|不低于)?"
    r"(?P<amount>\d+)" + _UNIT
)
_EXTRA = re.compile(r"(?:并|且|同时|其中)?" + _PUBLICITY)
# 审核后公示7天: a 公示 after a trigger, with no limit on when it starts.
_NOTICE = re.compile(_TRIGGER + r"(?:在\S{0,12}?)?" + _PUBLICITY)
_REALTIME = re.compile(_TRIGGER + r"(?:实时|及时|即时|动态)(?:更新|公开|发布|公布|调整)?")
_STANDING = re.compile(r"(?:并|且)?(?:长期|常年|持续|常态化)(?:公开|公示|有效|更新)?")
_PROGRESS = re.compile(
    r"(?:根据|按照|依据|依照|按|随)(?:工作)?(?:进度|进展)(?:情况)?(?:及时)?(?:公开|更新|发布|公布)?"
)
_EVERY = r"(?:每|按)(?P<every>年度|年|半年|季度|季|月|周|星期)(?:度)?"
_PERIODIC_AFTER = re.compile(
    _EVERY
    + r"(?:结束|终了|届满)?(?:后|之后|以后)(?P<amount>\d+)"
    + _UNIT
    + r"(?:内|以内|之内)"
    + _VERB
)
_PERIODIC_BY = re.compile(
    _EVERY
    + r"(?:(?P<yearend>年底|年末)|(?:(?P<month>\d+)月)?(?:(?P<day>\d+)[日号]|(?P<monthend>底|末)))"
    + r"(?:前|之前|以前)"
    + _VERB
)
_PERIODIC_PLAIN = re.compile(_EVERY + r"(?:末)?" + _VERB + r"(?:1次)?")
_PERIODIC_UNSTATED = re.compile(r"定期(?:公开|更新|发布|公布)?")
_REMARK = re.compile(r"\(([^()]*)\)")
# 法律法规另有规定的，从其规定: a reservation, not a rule; kept as a note wherever it stands.
_RESERVATION = re.compile(
    r"[,;。]?(?P<text>(?:但|如|若)?(?:法律|法规|规章|国家|上级|有关|、|和|及|或)*"
    r"另有规定的?[,;]?(?:的)?(?:从其|按其|依其|按照其|依照其)规定(?:执行|办理)?)"
)
_CLAUSE_SEPARATORS = re.compile(r"[,;。]+")
_EVERY_NAMES = {"年度": "年", "季": "季度", "星期": WEEK}


def _unit_and_amount(unit: str, amount: str) -> tuple[str, int]:
    if unit in _WEEK_UNITS:
        return DAY, int(amount) * 7
    return _UNIT_NAMES[unit], int(amount)


def _every(match: re.Match) -> str:
    return _EVERY_NAMES.get(match["every"], match["every"])


def _main_clause(clause: str) -> dict | None:
    """The fields of a clause that states when to publish, or None."""
    if match := _PERIODIC_AFTER.fullmatch(clause):
        unit, amount = _unit_and_amount(match["unit"], match["amount"])
        return {"kind": PERIODIC, "every": _every(match), "amount": amount, "unit": unit}
    if match := _PERIODIC_BY.fullmatch(clause):
        every = _every(match)
        month = 12 if match["yearend"] else (int(match["month"]) if match["month"] else None)
        day = int(match["day"]) if match["day"] else None
        if every == "年" and month is None:
            return None
        if every not in ("年", "月") or (month is not None and every != "年"):
            return None
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            return None
        return {"kind": PERIODIC, "every": every, "by_month": month, "by_day": day}
    if match := _PERIODIC_PLAIN.fullmatch(clause):
        return {"kind": PERIODIC, "every": _every(match)}
    if _PERIODIC_UNSTATED.fullmatch(clause):
        return {"kind": PERIODIC, "every": UNSTATED_PERIOD, "note": UNSTATED_PERIOD_NOTE}
    if match := _WITHIN.fullmatch(clause):
        unit, amount = _unit_and_amount(match["unit"], match["amount"])
        if amount <= 0:
            return None
        return {"kind": WITHIN, "trigger": match["trigger"] or "", "amount": amount, "unit": unit}
    if match := _REALTIME.fullmatch(clause):
        return {"kind": REALTIME, "trigger": match["trigger"] or ""}
    if _STANDING.fullmatch(clause):
        return {"kind": STANDING}
    if _PROGRESS.fullmatch(clause):
        return {"kind": PROGRESS}
    return None


def _publicity(match: re.Match) -> Period:
    unit, amount = _unit_and_amount(match["unit"], match["amount"])
    return Period(amount, unit, match["label"])


@lru_cache(maxsize=4096)
def parse_deadline(text: str) -> DeadlineRule | None:
    """Read a 公开时限 text as a rule; None when it is empty or states no readable rule."""
    normalised = _normalise(text)
    remarks = _REMARK.findall(normalised)
    normalised = _REMARK.sub("", normalised)
    remarks += [match["text"] for match in _RESERVATION.finditer(normalised)]
    normalised = _RESERVATION.sub("", normalised)
    clauses = [clause for clause in _CLAUSE_SEPARATORS.split(normalised) if clause]
    if not clauses:
        return None
    main: dict | None = None
    extras: list[Period] = []
    notice_trigger = ""
    standing = False
    for clause in clauses:
        if match := _EXTRA.fullmatch(clause):
            extras.append(_publicity(match))
            continue
        fields = _main_clause(clause)
        if fields is None:
            match = _NOTICE.fullmatch(clause)
            if match is None or not match["trigger"]:
                return None
            extras.append(_publicity(match))
            notice_trigger = notice_trigger or match["trigger"]
            continue
        if fields["kind"] == STANDING:
            standing = True
        elif main is None:
            main = fields
        elif fields["kind"] == WITHIN:
            # A second deadline (公示期满后5个工作日内) is kept as an extra period named by its trigger.
            extras.append(Period(fields["amount"], fields["unit"], fields["trigger"]))
        else:
            return None
    if main is None:
        if standing:
            main = {"kind": STANDING}
        elif any(period.is_publicity for period in extras):
            # Only how long a 公示 lasts: readable, but it sets no date to publish by.
            main = {"kind": NOTICE, "trigger": notice_trigger}
        else:
            return None
    if note := main.pop("note", ""):
        remarks.append(note)
    return DeadlineRule(
        text=text,
        **main,
        extra_periods=tuple(extras),
        standing=standing,
        note="；".join(remarks),
    )
