"""Acceptance decisions (验收结论), immutable once made."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalogs.models import Catalog
from catalogs.permissions import visible_region_filter
from review.models.campaigns import (
    Campaign,
)

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
