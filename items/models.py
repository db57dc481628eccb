"""Disclosure items (公开事项) of derived catalogs, their local extras, and publications.

Staff edit ``Item`` rows (the draft). Publishing a catalog copies its items into a new
``Publication`` with ``PublishedItem`` rows; citizens only ever read those, so a draft
edit can never leak to the public site.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogs import vocabulary
from catalogs.models import Catalog, StandardItem
from catalogs.permissions import editable_region_filter, visible_region_filter


class ElementFields(models.Model):
    """The nine elements, shared by draft and published items."""

    seq = models.PositiveIntegerField("序号")
    level1 = models.CharField("一级事项", max_length=100)
    level2 = models.CharField("二级事项", max_length=200, blank=True)
    content = models.TextField("公开内容(要素)", blank=True)
    basis = models.TextField("公开依据", blank=True)
    deadline = models.CharField("公开时限", max_length=200, blank=True)
    subject = models.CharField("公开主体", max_length=200, blank=True)
    channels = models.JSONField("公开渠道和载体", default=list, blank=True)
    # The original wording of channels outside the vocabulary, kept under 其他.
    channel_other = models.CharField("其他渠道说明", max_length=200, blank=True)
    audience = models.JSONField("公开对象", default=list, blank=True)
    method = models.JSONField("公开方式", default=list, blank=True)
    levels = models.JSONField("公开层级", default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return f"{self.level1} · {self.level2}" if self.level2 else self.level1

    @property
    def elements(self) -> list[str]:
        return vocabulary.split_elements(self.content)

    @property
    def channel_labels(self) -> list[str]:
        return [
            f"其他({self.channel_other})"
            if channel == vocabulary.OTHER_CHANNEL and self.channel_other
            else channel
            for channel in self.channels
        ]


class ItemQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user, prefix="catalog__region__"))

    def editable_by(self, user):
        return self.filter(editable_region_filter(user, prefix="catalog__region__"))


class Item(ElementFields):
    catalog = models.ForeignKey(
        Catalog, verbose_name="目录", on_delete=models.CASCADE, related_name="items"
    )
    standard_item = models.ForeignKey(
        StandardItem,
        verbose_name="对应标准事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_items",
        help_text="为空表示本地新增事项。",
    )
    # Stable public identity: the item's citizen URL survives renames and republication.
    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # Moved on by one by every service that saves the item; forms send the version they
    # showed, and a save based on an older one is refused (catalogs.concurrency).
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开事项"
        verbose_name_plural = "公开事项"
        ordering = ["catalog", "seq", "pk"]
        indexes = [models.Index(fields=["catalog", "seq"])]

    def __str__(self):
        return f"{self.seq}. {self.name}"

    @property
    def is_local(self) -> bool:
        return self.standard_item_id is None


class ItemExtraElement(models.Model):
    """An element a region adds to an item beyond the nine (可结合当地实际增加要素)."""

    item = models.ForeignKey(
        Item, verbose_name="公开事项", on_delete=models.CASCADE, related_name="extra_elements"
    )
    name = models.CharField("要素名称", max_length=50)
    value = models.TextField("要素内容")
    order = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "本地增加要素"
        verbose_name_plural = "本地增加要素"
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="extra_element_unique_name")
        ]

    def __str__(self):
        return f"{self.name}: {self.value}"


class PublicationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Publication(models.Model):
    """A published version of a catalog; every one is kept."""

    catalog = models.ForeignKey(
        Catalog, verbose_name="目录", on_delete=models.CASCADE, related_name="publications"
    )
    number = models.PositiveIntegerField("公开版本号")
    is_current = models.BooleanField("当前版本", default=True)
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    item_count = models.PositiveIntegerField("事项数", default=0)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "目录公开版本"
        verbose_name_plural = "目录公开版本"
        ordering = ["catalog", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "number"], name="publication_unique_number"),
            models.UniqueConstraint(
                fields=["catalog"], condition=Q(is_current=True), name="publication_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.catalog} 第{self.number}次公开"


class PublishedItemQuerySet(models.QuerySet):
    def visible_to_public(self):
        return self.filter(publication__is_current=True)


class PublishedItem(ElementFields):
    publication = models.ForeignKey(
        Publication, verbose_name="公开版本", on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        Item, verbose_name="草稿事项", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_id = models.UUIDField("公开标识", db_index=True)
    standard_item = models.ForeignKey(
        StandardItem,
        verbose_name="对应标准事项",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # [[name, value], ...] in display order.
    extra_elements = models.JSONField("本地增加要素", default=list, blank=True)
    # The public search index (items.search), set when published and cleared once a newer
    # publication supersedes this one: only current items carry them.
    search_key = models.CharField(
        "检索排序键", max_length=200, null=True, blank=True, editable=False
    )
    search_bigrams = SearchVectorField("检索二元组", blank=True, default="", editable=False)

    objects = PublishedItemQuerySet.as_manager()

    class Meta:
        verbose_name = "已公开事项"
        verbose_name_plural = "已公开事项"
        ordering = ["publication", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "public_id"], name="published_item_unique_public_id"
            )
        ]
        indexes = [
            # Search results in region, standard and 序号 order, walked from the start.
            models.Index(fields=["search_key", "id"], name="published_item_search_key"),
        ]

    def __str__(self):
        return f"{self.seq}. {self.name}"
