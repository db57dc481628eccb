"""The 政务服务事项库 (implementation lists), item links, 监督举报 channels and search synonyms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogs.models import Region
from items.models import Item

# ---------------------------------------------------------------------------
# 监督举报: a region's complaint channels
# ---------------------------------------------------------------------------


class ChannelKind(models.TextChoices):
    PHONE = "phone", "投诉举报电话"
    EMAIL = "email", "电子信箱"
    ADDRESS = "address", "信访通讯地址"
    ONLINE = "online", "网上投诉"


class ComplaintChannelQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user))


class ComplaintChannel(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name="区划",
        on_delete=models.CASCADE,
        related_name="complaint_channels",
    )
    kind = models.CharField("方式", max_length=10, choices=ChannelKind.choices)
    value = models.CharField("号码、地址或链接", max_length=300)
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如：工作日 8:30—17:00")
    order = models.PositiveSmallIntegerField("排序", default=0)
    version = models.PositiveIntegerField("版本", default=0, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ComplaintChannelQuerySet.as_manager()

    class Meta:
        verbose_name = "监督举报方式"
        verbose_name_plural = "监督举报方式"
        ordering = ["region__code", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChannelKind.values), name="complaint_channel_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.value}"

    @property
    def label(self) -> str:
        return self.get_kind_display()

    @property
    def url(self) -> str:
        """A link citizens can follow (tel:, mailto:, the online page), or ''."""
        if self.kind == ChannelKind.PHONE:
            digits = "".join(ch for ch in self.value if ch.isdigit() or ch in "+-")
            return f"tel:{digits}" if digits else ""
        if self.kind == ChannelKind.EMAIL:
            return f"mailto:{self.value}"
        if self.kind == ChannelKind.ONLINE and self.value.startswith(("https://", "http://")):
            return self.value
        return ""


# ---------------------------------------------------------------------------
# 政务服务事项库: entries of the 实施清单
# ---------------------------------------------------------------------------


class ServiceMatterQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user))

    def at_or_above(self, region: Region):
        """Entries of ``region`` and of the regions above it (by the codes in its path)."""
        return self.filter(region__code__in=region.ancestor_codes())


class ServiceMatter(models.Model):
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="service_matters"
    )
    code = models.CharField("事项编码", max_length=64)
    name = models.CharField("事项名称", max_length=200)
    implementer = models.CharField("实施主体", max_length=200, blank=True)
    department = models.CharField("所属部门", max_length=100, blank=True, help_text="例如：民政")
    handling_items = models.JSONField("办理项", default=list, blank=True)
    online_url = models.URLField("网上办理链接", max_length=500, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ServiceMatterQuerySet.as_manager()

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项库"
        ordering = ["region__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="service_matter_unique_code"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ItemMatterLink(models.Model):
    """A draft item's entry in the 政务服务事项库; ``public_id`` is the item's, copied so that
    public pages (which read published copies) find the link without the draft."""

    item = models.OneToOneField(
        Item, verbose_name="公开事项", on_delete=models.CASCADE, related_name="matter_link"
    )
    public_id = models.UUIDField("公开标识", unique=True)
    matter = models.ForeignKey(
        ServiceMatter, verbose_name="政务服务事项", on_delete=models.CASCADE, related_name="links"
    )
    score = models.FloatField("名称相似度", null=True, blank=True)
    linked_at = models.DateTimeField("关联时间")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关联人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "事项关联"
        verbose_name_plural = "事项关联"

    def __str__(self):
        return f"{self.item} → {self.matter}"


# ---------------------------------------------------------------------------
# Search synonyms
# ---------------------------------------------------------------------------


class SearchSynonym(models.Model):
    """A group of equivalent search terms: searching one finds items holding any of them."""

    terms = models.JSONField("同义词", default=list)
    note = models.CharField("说明", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "搜索同义词"
        verbose_name_plural = "搜索同义词"
        ordering = ["pk"]

    def __str__(self):
        return " ↔ ".join(self.terms)
