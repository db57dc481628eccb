"""Campaigns (年度工作) and their milestones and milestone reports."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalogs.models import CatalogStatus, Region, RegionLevel
from catalogs.permissions import visible_region_filter

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
