"""Which regions compile catalogs, and the province's changes to that."""

from django.conf import settings
from django.db import models

from catalogs.models import Region


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
