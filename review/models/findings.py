"""Findings (问题) on catalogs and items, their states and events."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogs.models import Catalog, Region
from catalogs.permissions import editable_region_filter, visible_region_filter
from catalogs.vocabulary import ELEMENT_LABELS

# ---------------------------------------------------------------------------
# Findings (问题) and their corrections
# ---------------------------------------------------------------------------


class Severity(models.TextChoices):
    ERROR = "error", "严重"
    WARNING = "warning", "一般"
    INFO = "info", "提示"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class FindingSource(models.TextChoices):
    RULE = "rule", "自动检查"
    REVIEWER = "reviewer", "人工审核"


class FindingState(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已答复待核验"
    REOPENED = "reopened", "重新打开"
    VERIFIED = "verified", "已核销"
    RESOLVED = "resolved", "复查已通过"
    # A rule result of severity 提示: advice, shown but never waiting for anyone.
    ADVISORY = "advisory", "提示（无需整改）"


# Waiting for the region's staff, and waiting for anyone (staff or reviewer).
AWAITING_STAFF = frozenset({FindingState.OPEN, FindingState.REOPENED})
UNRESOLVED = frozenset({FindingState.OPEN, FindingState.REOPENED, FindingState.ANSWERED})

ELEMENT_CHOICES = list(ELEMENT_LABELS.items())


class FindingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="catalog__region__"))

    def answerable_by(self, user):
        return self.filter(editable_region_filter(user, prefix="catalog__region__"))

    def unresolved(self):
        return self.filter(state__in=UNRESOLVED)

    def awaiting_staff(self):
        return self.filter(state__in=AWAITING_STAFF)

    def due_before(self, day):
        return self.unresolved().filter(due_on__lt=day)

    def overdue(self, today):
        """Unresolved findings whose due date has passed: a query on dates, not a state."""
        return self.due_before(today)

    def within(self, region: Region):
        return self.filter(catalog__region__path__startswith=region.path)

    def by_urgency(self):
        """Soonest due first (none last), then the most severe, then by region."""
        rank = models.Case(
            *(models.When(severity=value, then=order) for value, order in SEVERITY_ORDER.items()),
            default=len(SEVERITY_ORDER),
        )
        return self.alias(severity_rank=rank).order_by(
            models.F("due_on").asc(nulls_last=True),
            "severity_rank",
            "catalog__region__code",
            "pk",
        )


class Finding(models.Model):
    """A problem in a catalog, anchored to an item and an element where it can be."""

    catalog = models.ForeignKey(
        Catalog, verbose_name="目录", on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        "items.Item",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    # The item's name when the finding was raised, kept if the item is deleted later.
    item_label = models.CharField("事项", max_length=300, blank=True)
    # The item's elements and local extras when the finding was raised, so that the reviewer
    # verifying the answer sees what changed ({seq, level1, ..., extras: [[name, value]]}).
    item_snapshot = models.JSONField("提出时的事项内容", default=dict, blank=True, editable=False)
    element = models.CharField("要素", max_length=20, choices=ELEMENT_CHOICES, blank=True)
    source = models.CharField("来源", max_length=10, choices=FindingSource.choices)
    rule_code = models.CharField("规则代码", max_length=40, blank=True, db_index=True)
    # Rule findings are matched on (catalog, fingerprint) when checks run again.
    fingerprint = models.CharField("规则指纹", max_length=120, blank=True)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    description = models.TextField("问题描述")
    required_fix = models.TextField("整改要求", blank=True)
    due_on = models.DateField("整改期限", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提出时间")
    state_changed_at = models.DateTimeField("状态变更时间")

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["catalog", "state", "pk"]
        indexes = [models.Index(fields=["catalog", "state"]), models.Index(fields=["due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=FindingState.values), name="finding_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="finding_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=FindingSource.values), name="finding_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(element__in=["", *ELEMENT_LABELS]), name="finding_element_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=FindingSource.REVIEWER)
                | (~Q(rule_code="") & ~Q(fingerprint="")),
                name="finding_rule_has_code",
            ),
            models.UniqueConstraint(
                fields=["catalog", "fingerprint"],
                condition=Q(source=FindingSource.RULE),
                name="finding_rule_unique_fingerprint",
            ),
        ]

    def __str__(self):
        return f"{self.catalog.region} · {self.description[:30]}"

    @property
    def element_label(self) -> str:
        return ELEMENT_LABELS.get(self.element, "")

    @property
    def anchor(self) -> str:
        parts = [self.item_label or "整个目录"]
        if self.element:
            parts.append(self.element_label)
        return " · ".join(parts)

    @property
    def is_unresolved(self) -> bool:
        return self.state in UNRESOLVED

    @property
    def awaits_staff(self) -> bool:
        return self.state in AWAITING_STAFF


class FindingEventKind(models.TextChoices):
    CREATED = "created", "提出"
    ANSWERED = "answered", "答复"
    VERIFIED = "verified", "核销"
    REOPENED = "reopened", "重新打开"
    RESOLVED = "resolved", "复查通过"
    UPDATED = "updated", "检查结果更新"


class FindingEvent(models.Model):
    finding = models.ForeignKey(
        Finding, verbose_name="问题", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("操作", max_length=10, choices=FindingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField("原状态", max_length=10, choices=FindingState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=10, choices=FindingState.choices)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "问题处理记录"
        verbose_name_plural = "问题处理记录"
        ordering = ["finding", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FindingEventKind.values), name="finding_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(from_state__in=["", *FindingState.values]),
                name="finding_event_from_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_state__in=FindingState.values),
                name="finding_event_to_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.finding_id}"
