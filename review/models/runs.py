"""Check runs, reminders sent, and the province's rule settings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogs.models import Catalog, Region
from catalogs.permissions import visible_region_filter
from review.models.findings import (
    Severity,
)

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
