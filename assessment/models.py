"""Mark overrides and the province's scoring scheme.

Marks themselves are never stored: they are computed from what the portal knows
(``assessment.scoring.grid``). What is stored is what people decide: a reviewer's override of
one mark (append-only; the newest row for an item, year and dimension wins) and the scheme
that rolls marks and milestones up to a 100-point score.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalogs.models import Catalog
from catalogs.permissions import visible_region_filter

MAX_MARK = 3


class Dimension(models.TextChoices):
    PUBLIC = "public", "公开"
    COMPLETE = "complete", "完整"
    TIMELY = "timely", "及时"
    CHANNEL = "channel", "渠道"


class MarkOverrideQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="catalog__region__"))


class MarkOverride(models.Model):
    """A reviewer's mark for one item in one year's assessment, with the reason."""

    year = models.PositiveSmallIntegerField("评估年度")
    catalog = models.ForeignKey(
        Catalog, verbose_name="目录", on_delete=models.CASCADE, related_name="mark_overrides"
    )
    # The item's stable public identity, so the override survives republication.
    item_public_id = models.UUIDField("事项公开标识", db_index=True)
    item_label = models.CharField("事项", max_length=300)
    dimension = models.CharField("评分项", max_length=10, choices=Dimension.choices)
    previous_mark = models.PositiveSmallIntegerField("原评分")
    mark = models.PositiveSmallIntegerField("调整后评分")
    reason = models.CharField("调整理由", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("调整时间")

    objects = MarkOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = "评分调整"
        verbose_name_plural = "评分调整"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["year", "catalog"], name="override_year_catalog")]
        constraints = [
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values), name="override_dimension_valid"
            ),
            models.CheckConstraint(
                condition=Q(mark__lte=MAX_MARK) & Q(previous_mark__lte=MAX_MARK),
                name="override_mark_range",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="override_reason_required"),
        ]

    def __str__(self):
        return f"{self.year} {self.item_label} {self.get_dimension_display()} {self.mark}"


class IndicatorKind(models.TextChoices):
    MARKS = "marks", "事项评分平均"
    MILESTONES = "milestones", "工作节点按时完成"


class ScoringSchemeQuerySet(models.QuerySet):
    def active(self) -> "ScoringScheme | None":
        return self.filter(is_active=True).prefetch_related("indicators").first()


class ScoringScheme(models.Model):
    name = models.CharField("方案名称", max_length=120)
    is_active = models.BooleanField("当前使用", default=False)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ScoringSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "评分方案"
        verbose_name_plural = "评分方案"
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="scoring_scheme_one_active",
                violation_error_message="只能有一个当前使用的评分方案。",
            )
        ]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """One line of the scheme: its weight (points out of 100) and what earns them."""

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.CASCADE, related_name="indicators"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    name = models.CharField("指标名称", max_length=60)
    weight = models.PositiveSmallIntegerField("分值")
    kind = models.CharField("计分依据", max_length=12, choices=IndicatorKind.choices)
    dimension = models.CharField(
        "评分项",
        max_length=10,
        choices=Dimension.choices,
        blank=True,
        help_text="计分依据为“事项评分平均”时必填：得分＝分值×该项平均分÷3。",
    )
    milestone_code = models.SlugField(
        "工作节点代码",
        max_length=40,
        blank=True,
        help_text="计分依据为“工作节点”时可填，留空表示该年度全部节点：按时得全分，逾期得一半。",
    )

    class Meta:
        verbose_name = "评分指标"
        verbose_name_plural = "评分指标"
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="indicator_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=IndicatorKind.MILESTONES, dimension="")
                | Q(kind=IndicatorKind.MARKS, dimension__in=Dimension.values),
                name="indicator_dimension_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="indicator_weight_range"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.weight}分）"

    def clean(self):
        if self.kind == IndicatorKind.MARKS and not self.dimension:
            raise ValidationError({"dimension": "按事项评分计分的指标须选择评分项。"})
        if self.kind == IndicatorKind.MILESTONES and self.dimension:
            raise ValidationError({"dimension": "按工作节点计分的指标不选评分项。"})


def weights_error(weights) -> str | None:
    """The scheme's weights must add up to 100; the message says by how much they do not."""
    total = sum(weights)
    return None if total == 100 else f"各指标分值合计应为100分，现为{total}分。"
