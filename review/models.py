"""Campaigns and milestones, findings and their corrections, acceptance decisions, check runs.

A campaign (年度工作) is the year's schedule; how far a region has come is never stored but
derived from what the catalogs app already records (the first lifecycle event reaching a
status) and from milestone reports (a city's roll-up, a region's own confirmation).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogs.models import Catalog, CatalogStatus, Region, RegionLevel
from catalogs.permissions import editable_region_filter, visible_region_filter
from catalogs.vocabulary import ELEMENT_LABELS

# ---------------------------------------------------------------------------
# Campaigns and milestones
# ---------------------------------------------------------------------------


class CampaignQuerySet(models.QuerySet):
    def current(self) -> "Campaign | None":
        """The campaign marked current, else the latest year's."""
        return self.filter(is_current=True).first() or self.order_by("-year").first()


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=120)
    basis_document = models.CharField("依据文件", max_length=200, blank=True)
    # Lifecycle events from this day until the next campaign starts count for its milestones.
    starts_on = models.DateField("开始日期")
    is_current = models.BooleanField("当前年度", default=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name="复制自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "年度工作"
        verbose_name_plural = "年度工作"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="campaign_one_current"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.year and abs(self.starts_on.year - self.year) > 1:
            raise ValidationError({"starts_on": f"开始日期应在{self.year}年前后。"})


class MilestoneCompletion(models.TextChoices):
    """What completes a milestone for one region."""

    PUBLISHED = "published", "目录已发布"
    REVIEWED = "reviewed", "目录已复核"
    ENTERED = "entered", "目录已录入查询系统"
    ACCEPTED = "accepted", "目录已通过验收"
    ROLLUP = "rollup", "市级汇总已报送"
    CONFIRMED = "confirmed", "本级确认完成"


# The catalog status each catalog-based completion requires.
COMPLETION_STATUS = {
    MilestoneCompletion.PUBLISHED: CatalogStatus.PUBLISHED,
    MilestoneCompletion.REVIEWED: CatalogStatus.REVIEWED,
    MilestoneCompletion.ENTERED: CatalogStatus.ENTERED,
    MilestoneCompletion.ACCEPTED: CatalogStatus.ACCEPTED,
}
REPORTED_COMPLETIONS = frozenset({MilestoneCompletion.ROLLUP, MilestoneCompletion.CONFIRMED})


class Milestone(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name="年度工作", on_delete=models.CASCADE, related_name="milestones"
    )
    code = models.SlugField("代码", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)
    title = models.CharField("节点名称", max_length=100)
    description = models.TextField("工作要求", blank=True)
    due_on = models.DateField("截止日期")
    # Which levels of region must reach the milestone (RegionLevel values).
    region_levels = models.JSONField("责任层级", default=list)
    completion = models.CharField("完成标志", max_length=10, choices=MilestoneCompletion.choices)
    # Codes of the standard catalogs (领域) whose catalogs the milestone covers; empty: all.
    # Codes rather than a relation, so the schedule can name them before they are loaded.
    standard_codes = models.JSONField(
        "覆盖领域",
        default=list,
        blank=True,
        help_text="节点只统计所选领域的目录（如2020年省级验收只验收社会救助领域）；不选表示全部领域。",
    )

    class Meta:
        verbose_name = "工作节点"
        verbose_name_plural = "工作节点"
        ordering = ["campaign", "due_on", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="milestone_unique_code"),
            models.CheckConstraint(
                condition=Q(completion__in=MilestoneCompletion.values),
                name="milestone_completion_valid",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.due_on:%Y-%m-%d}前）"

    def clean(self):
        levels = self.region_levels
        if not isinstance(levels, list) or not levels:
            raise ValidationError({"region_levels": "请至少选择一个责任层级。"})
        unknown = [level for level in levels if level not in RegionLevel.values]
        if unknown:
            raise ValidationError(
                {"region_levels": f"无效的区划层级：{'、'.join(map(str, unknown))}"}
            )
        if self.completion in COMPLETION_STATUS and set(levels) - {
            RegionLevel.COUNTY,
            RegionLevel.TOWNSHIP,
        }:
            raise ValidationError(
                {"region_levels": "以目录状态为完成标志的节点只能由县级、乡级区划完成。"}
            )
        if self.completion == MilestoneCompletion.ROLLUP and levels != [RegionLevel.CITY]:
            raise ValidationError({"region_levels": "汇总报送只能由市级区划完成。"})
        codes = self.standard_codes
        if not isinstance(codes, list) or not all(isinstance(code, str) and code for code in codes):
            raise ValidationError({"standard_codes": "覆盖领域应为标准目录代码的列表。"})

    def covers(self, standard_code: str) -> bool:
        """Whether the milestone counts catalogs of this standard (by its code)."""
        return not self.standard_codes or standard_code in self.standard_codes

    @property
    def is_catalog_based(self) -> bool:
        return self.completion in COMPLETION_STATUS

    @property
    def required_status(self) -> str | None:
        return COMPLETION_STATUS.get(self.completion)

    @property
    def level_labels(self) -> str:
        return "、".join(RegionLevel(level).label for level in self.region_levels)

    def applies_to(self, region: Region) -> bool:
        return region.level in self.region_levels


class MilestoneReportQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="region__"))


class MilestoneReport(models.Model):
    """A region reports a milestone done: a city's roll-up, or a confirmation."""

    milestone = models.ForeignKey(
        Milestone, verbose_name="工作节点", on_delete=models.CASCADE, related_name="reports"
    )
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.CASCADE, related_name="milestone_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField("报送时间")
    note = models.TextField("说明", blank=True)

    objects = MilestoneReportQuerySet.as_manager()

    class Meta:
        verbose_name = "节点完成报送"
        verbose_name_plural = "节点完成报送"
        ordering = ["milestone", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "region"], name="report_unique_region")
        ]

    def __str__(self):
        return f"{self.region} · {self.milestone.title}"


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

    def is_overdue(self, today) -> bool:
        return bool(self.is_unresolved and self.due_on and self.due_on < today)


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


# ---------------------------------------------------------------------------
# Acceptance (验收)
# ---------------------------------------------------------------------------


class Decision(models.TextChoices):
    ACCEPT = "accept", "通过验收"
    RETURN = "return", "退回整改"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("验收结论一经作出不能修改。")

    def delete(self):
        raise ValidationError("验收结论一经作出不能删除。")

    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="catalog__region__"))


class AcceptanceDecision(models.Model):
    """A reviewer's verdict on a catalog, with a frozen copy of the catalog as it was judged."""

    catalog = models.ForeignKey(
        Catalog,
        verbose_name="目录",
        on_delete=models.PROTECT,
        related_name="acceptance_decisions",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="年度工作",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decision = models.CharField("验收结论", max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("验收时间")
    note = models.TextField("验收意见")
    item_count = models.PositiveIntegerField("事项数")
    # {"catalog": {...}, "items": [{public_id, seq, level1, ..., extras: [[name, value]]}]}
    snapshot = models.JSONField("目录快照")
    # Every finding of the catalog and its state at decision time.
    findings = models.JSONField("问题清单", default=list, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "验收结论"
        verbose_name_plural = "验收结论"
        ordering = ["-decided_at", "-pk"]
        get_latest_by = "decided_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="decision_value_valid"
            )
        ]

    def __str__(self):
        return f"{self.catalog} · {self.get_decision_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("验收结论一经作出不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("验收结论一经作出不能删除。")


# ---------------------------------------------------------------------------
# Check runs and reminders
# ---------------------------------------------------------------------------


class CheckSource(models.TextChoices):
    """What a check run read: what citizens see, or (a preview only) the draft."""

    PUBLICATION = "publication", "公开版本（从未发布的目录检查草稿）"
    DRAFT = "draft", "草稿"


class CheckRunQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="region__"))

    def covering(self, catalog: Catalog):
        """Stored runs over the publications whose scope includes ``catalog``: the catalog
        itself, or its region or any region above it."""
        return self.filter(stored=True, source=CheckSource.PUBLICATION).filter(
            Q(catalog=catalog)
            | Q(catalog__isnull=True, region__code__in=catalog.region.ancestor_codes())
        )


class CheckRun(models.Model):
    """One run of the automated checks over a scope: a catalog, a region, or everything."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name="范围区划", null=True, blank=True, on_delete=models.SET_NULL
    )
    catalog = models.ForeignKey(
        Catalog, verbose_name="范围目录", null=True, blank=True, on_delete=models.SET_NULL
    )
    scope_label = models.CharField("检查范围", max_length=200)
    source = models.CharField(
        "检查对象", max_length=12, choices=CheckSource.choices, default=CheckSource.PUBLICATION
    )
    started_at = models.DateTimeField("开始时间")
    seconds = models.FloatField("耗时(秒)", default=0)
    stored = models.BooleanField("保存问题", default=True)
    catalog_count = models.PositiveIntegerField("目录数", default=0)
    result_count = models.PositiveIntegerField("检查结果数", default=0)
    created_count = models.PositiveIntegerField("新增问题", default=0)
    updated_count = models.PositiveIntegerField("更新问题", default=0)
    resolved_count = models.PositiveIntegerField("复查通过", default=0)
    reopened_count = models.PositiveIntegerField("重新打开", default=0)
    by_rule = models.JSONField("按规则统计", default=dict, blank=True)

    objects = CheckRunQuerySet.as_manager()

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=CheckSource.values), name="check_run_source_valid"
            ),
        ]

    def __str__(self):
        return f"{self.scope_label} · {self.started_at:%Y-%m-%d %H:%M}"


class ReminderLog(models.Model):
    """One reminder sent; the unique key makes the daily command safe to run again."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField("提醒事由", max_length=120)
    day = models.DateField("相关日期")
    sent_at = models.DateTimeField("发送时间")
    subject = models.CharField("邮件主题", max_length=200)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reason", "day"], name="reminder_once_per_reason_day"
            )
        ]

    def __str__(self):
        return f"{self.recipient} · {self.reason} · {self.day}"


# ---------------------------------------------------------------------------
# The province's settings: rule severities, which regions compile catalogs
# ---------------------------------------------------------------------------


class RuleSetting(models.Model):
    """The province's adjustment of one automated rule: another severity, or switched off.

    Rules without a row run at their default severity. Every change is kept in the history
    (who, when, old and new values).
    """

    rule_code = models.CharField("检查规则", max_length=40, unique=True)
    # Blank: the rule's default severity.
    severity = models.CharField(
        "严重程度",
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text="留空表示采用规则默认的严重程度。",
    )
    enabled = models.BooleanField("启用", default=True, help_text="停用的规则不再运行。")
    note = models.TextField("调整理由", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_by", "updated_at"])

    class Meta:
        verbose_name = "检查规则设置"
        verbose_name_plural = "检查规则设置"
        ordering = ["rule_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["", *Severity.values]),
                name="rule_setting_severity_valid",
            ),
        ]

    def __str__(self):
        from review.checks import RULES_BY_CODE

        rule = RULES_BY_CODE.get(self.rule_code)
        return rule.title if rule else self.rule_code


class CompilingRegion(Region):
    """Counties and townships seen as the province sets who compiles catalogs (admin only)."""

    class Meta:
        proxy = True
        verbose_name = "编制目录的区划"
        verbose_name_plural = "编制目录的区划"


class RegionCompileEvent(models.Model):
    """One change of whether a region compiles catalogs, made by the province."""

    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.CASCADE, related_name="compile_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    compiled_before = models.BooleanField("原为编制目录")
    compiles_after = models.BooleanField("改为编制目录")
    note_before = models.CharField("原说明", max_length=200, blank=True)
    note_after = models.CharField("新说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "编制目录设置记录"
        verbose_name_plural = "编制目录设置记录"
        ordering = ["region", "-at", "-pk"]

    def __str__(self):
        after = "编制目录" if self.compiles_after else "不编制目录"
        return f"{self.region} · {after}"
