"""R10 / R11: 公开时限 reads as a rule and is no looser than the standard item's."""

from __future__ import annotations

from collections.abc import Iterator

from items.deadlines import PERIODIC, STANDING, WITHIN, DeadlineRule, Period, parse_deadline
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext
from review.checks.text import item_label


@rule(
    "R10-deadline-format",
    WARNING,
    "公开时限可识别",
    "公开时限应能读成明确的规则，如“制定或获取信息之日起10个工作日内”“…之日起20日内”"
    "“每季度结束后10日内”“每年3月31日前”“实时更新”“长期公开”。",
)
def check_deadline_readable(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        deadline = (item.deadline or "").strip()
        if deadline and parse_deadline(deadline) is None:
            yield Hit(
                f"{item_label(item)}：公开时限“{deadline}”无法识别为明确的时限规则，"
                "请写成如“制定或获取信息之日起10个工作日内”“每季度结束后10日内”“实时更新”。",
                item,
                "deadline",
            )


def _publicity(rule: DeadlineRule) -> dict[str, Period]:
    return {period.label: period for period in rule.extra_periods if "公示" in period.label}


@rule(
    "R11-deadline-looser",
    WARNING,
    "公开时限不宽于标准目录",
    "事项的公开时限不应长于所对应标准事项的时限（工作日按每周5个折算比较），"
    "标准事项要求公示期的，也应写明不短于它的公示期。",
)
def check_deadline_standard(context: CatalogContext) -> Iterator[Hit]:
    for item in context.items:
        standard_item = item.standard_item
        if standard_item is None:
            continue
        rule = parse_deadline((item.deadline or "").strip())
        standard = parse_deadline((standard_item.deadline or "").strip())
        if rule is None or standard is None or standard.kind != WITHIN:
            continue
        wording = f"标准目录规定的“{standard.text}”"
        if rule.kind == WITHIN and rule.period.approx_days > standard.period.approx_days:
            yield Hit(
                f"{item_label(item)}：公开时限“{rule.text}”长于{wording}。",
                item,
                "deadline",
                key="longer",
            )
        elif rule.kind in (PERIODIC, STANDING):
            yield Hit(
                f"{item_label(item)}：公开时限“{rule.text}”不能保证在{wording}内公开。",
                item,
                "deadline",
                key="no-limit",
            )
        required, written = _publicity(standard), _publicity(rule)
        for label, period in required.items():
            actual = written.get(label) or next(iter(written.values()), None)
            if actual is None:
                message = f"未写明{label}期，{wording}要求{period}"
            elif actual.approx_days < period.approx_days:
                message = f"{actual}短于{wording}要求的{period}"
            else:
                continue
            yield Hit(
                f"{item_label(item)}：公开时限{message}。",
                item,
                "deadline",
                key=f"publicity:{label}",
            )
