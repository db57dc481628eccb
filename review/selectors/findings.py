"""The acceptance queue and findings summarised per rule."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from catalogs.models import Catalog, CatalogStatus
from review.checks import RULES
from review.models import SEVERITY_ORDER, UNRESOLVED, FindingSource, Severity

REVIEW_QUEUE_STATUSES = (CatalogStatus.ENTERED, CatalogStatus.ACCEPTING)


def review_queue(user):
    """Catalogs waiting for the province: entered or under acceptance, with open findings."""
    return (
        Catalog.objects.for_user(user)
        .filter(status__in=REVIEW_QUEUE_STATUSES)
        .select_related("region", "standard")
        .annotate(
            unresolved_findings=Count("findings", filter=Q(findings__state__in=UNRESOLVED)),
            error_findings=Count(
                "findings",
                filter=Q(findings__state__in=UNRESOLVED, findings__severity=Severity.ERROR),
            ),
        )
        .order_by("-status", "status_changed_at", "region__code")
    )


@dataclass(frozen=True)
class RuleCount:
    rule_code: str
    title: str
    severity: str
    count: int
    percent: float


def rule_titles() -> dict[str, str]:
    """Rule code -> title, for every registered rule."""
    return {rule.code: rule.title for rule in RULES}


def findings_by_rule(findings) -> list[RuleCount]:
    """Unresolved findings counted per rule (reviewers' own findings as one group)."""
    titles = rule_titles()
    rows = (
        findings.unresolved()
        .values("source", "rule_code", "severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: Counter = Counter()
    severities: dict[str, str] = {}
    for row in rows:
        key = row["rule_code"] if row["source"] == FindingSource.RULE else ""
        counts[key] += row["count"]
        current = severities.get(key)
        if current is None or SEVERITY_ORDER[row["severity"]] < SEVERITY_ORDER[current]:
            severities[key] = row["severity"]
    top = max(counts.values(), default=0)
    return [
        RuleCount(
            rule_code=code or "人工",
            title=titles.get(code, "审核人员提出") if code else "审核人员提出",
            severity=severities[code],
            count=count,
            percent=round(100 * count / top, 1) if top else 0,
        )
        for code, count in counts.most_common()
    ]
