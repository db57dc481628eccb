"""Disclosure records (公开信息): what a county or township published, when and where.

A catalog is a promise; these rows are the evidence that it was kept. Each record belongs
to an item by the item's stable public identity (``Item.public_id``), which survives
renames and republication, so a record made in 2026 still sits on the item's page after
the catalog is edited and published again. Records are facts, not catalog edits: staff
record them whatever the catalog's review status.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from catalogs.models import Catalog, Region, StandardCatalog
from catalogs.permissions import editable_region_filter, visible_region_filter
from items.models import Item
from records.channels import CHANNEL_CHOICES, OFFLINE_CHANNELS

# ---------------------------------------------------------------------------
# Records and their channels
# ---------------------------------------------------------------------------


class RecordKind(models.TextChoices):
    POLICY = "policy", "政策文件"
    LIST = "list", "名单/名册"
    NOTICE = "notice", "公示"
    GUIDE = "guide", "办事指南"
    ANNOUNCEMENT = "announcement", "通知公告"
    OTHER = "other", "其他"


class DisclosureRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        """Records of the regions the user may read (the one place scoping lives)."""
        return self.filter(visible_region_filter(user, prefix="catalog__region__"))

    def editable_by(self, user):
        return self.filter(editable_region_filter(user, prefix="catalog__region__"))

    def for_item(self, item):
        """Records of an item, given an Item, a PublishedItem or a public_id."""
        public_id = getattr(item, "public_id", item)
        return self.filter(item_id=public_id)

    def for_catalog(self, catalog):
        return self.filter(catalog=catalog)

    def within(self, region: Region):
        return self.filter(catalog__region__path__startswith=region.path)

    def published(self):
        return self.filter(published_on__isnull=False)

    def newest_first(self):
        return self.order_by(F("published_on").desc(nulls_last=True), "-formed_on", "-pk")

    def with_channels(self):
        return self.prefetch_related(
            models.Prefetch("channels", queryset=RecordChannel.objects.order_by("order", "pk"))
        )

    # Timeliness as queries on dates (never a stored state).
    def on_time(self):
        return self.filter(published_on__isnull=False, due_on__isnull=False).filter(
            published_on__lte=F("due_on")
        )

    def late(self):
        return self.filter(published_on__isnull=False, published_on__gt=F("due_on"))

    def overdue(self, today: date):
        return self.filter(published_on__isnull=True, due_on__lt=today)

    def not_yet_due(self, today: date):
        return self.filter(published_on__isnull=True, due_on__gte=today)


class DisclosureRecord(models.Model):
    catalog = models.ForeignKey(
        Catalog,
        verbose_name="目录",
        on_delete=models.CASCADE,
        related_name="disclosure_records",
    )
    # The item by its public identity: the column holds Item.public_id. No database
    # constraint, so that removing an item from the draft keeps the facts recorded for it.
    item = models.ForeignKey(
        Item,
        verbose_name="公开事项",
        to_field="public_id",
        db_column="item_public_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="disclosure_records",
    )
    title = models.CharField("信息标题", max_length=300)
    document_number = models.CharField("文号", max_length=100, blank=True)
    kind = models.CharField(
        "信息类别", max_length=20, choices=RecordKind.choices, default=RecordKind.OTHER
    )
    formed_on = models.DateField("形成日期", help_text="信息形成、获取或变更的日期。")
    published_on = models.DateField("发布日期", null=True, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    # Computed from the item's 公开时限 and formed_on on the working-day calendar.
    due_on = models.DateField("公开期限", null=True, blank=True, editable=False)
    due_estimated = models.BooleanField(
        "期限为预计",
        default=False,
        editable=False,
        help_text="所涉年份尚无节假日安排，按周一至周五估算。",
    )
    deadline_text = models.CharField("所依据的公开时限", max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = DisclosureRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开信息"
        verbose_name_plural = "公开信息"
        ordering = ["catalog", "-published_on", "-pk"]
        indexes = [
            models.Index(fields=["item", "published_on"], name="record_item_published"),
            models.Index(fields=["catalog", "published_on"], name="record_catalog_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RecordKind.values), name="record_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_on__gte=F("formed_on")),
                name="record_published_after_formed",
            ),
            models.CheckConstraint(
                condition=Q(kind=RecordKind.NOTICE)
                | Q(notice_start__isnull=True, notice_end__isnull=True),
                name="record_notice_dates_only_for_notices",
            ),
            models.CheckConstraint(
                condition=Q(notice_start__isnull=True)
                | Q(notice_end__isnull=True)
                | Q(notice_end__gte=F("notice_start")),
                name="record_notice_end_after_start",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="record_version_positive"),
            models.UniqueConstraint(
                fields=["item", "title", "published_on"],
                name="record_unique_title_per_day",
                violation_error_message="该事项已有同一天发布的同名公开信息。",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def item_public_id(self) -> uuid.UUID:
        return self.item_id


def photo_upload_to(instance: RecordChannel, filename: str) -> str:
    # Never the uploader's file name: it may carry a person's name.
    suffix = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"records/photos/{uuid.uuid4().hex}{suffix}"


class RecordChannel(models.Model):
    """One promised channel of a record, with its evidence: a URL or a place (and a photo)."""

    record = models.ForeignKey(
        DisclosureRecord,
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="channels",
    )
    channel = models.CharField("公开渠道", max_length=40, choices=CHANNEL_CHOICES)
    url = models.URLField("网址", max_length=500, blank=True)
    location = models.CharField("位置", max_length=200, blank=True)
    photo = models.ImageField("现场照片", upload_to=photo_upload_to, blank=True, max_length=200)
    photo_taken_on = models.DateField("拍摄日期", null=True, blank=True)
    # A photo of a 公示栏 may show recipients' names and ID numbers: staff only by default.
    photo_public = models.BooleanField("照片向公众展示", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开渠道记录"
        verbose_name_plural = "公开渠道记录"
        ordering = ["record", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "channel"], name="record_channel_unique"),
            models.CheckConstraint(
                condition=Q(channel__in=[value for value, _ in CHANNEL_CHOICES]),
                name="record_channel_in_vocabulary",
            ),
            models.CheckConstraint(
                condition=~Q(channel__in=sorted(OFFLINE_CHANNELS)) | Q(url=""),
                name="record_channel_offline_has_no_url",
            ),
        ]

    def __str__(self):
        return f"{self.record} · {self.channel}"

    @property
    def has_evidence(self) -> bool:
        return bool(self.url or self.location or self.photo)


class RecordsStamp(models.Model):
    """When a catalog's disclosure records last changed: any record created, edited or
    deleted, a photo added, shown or removed, an import, a due date recomputed.

    Records change without a new publication, so the public pages and the API, which are
    otherwise cached by publication, add this time to their cache keys and Last-Modified
    (``select_related("catalog__records_stamp")`` reads it without another query).
    """

    catalog = models.OneToOneField(
        Catalog,
        verbose_name="目录",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="records_stamp",
    )
    changed_at = models.DateTimeField("公开信息最近变化时间")

    class Meta:
        verbose_name = "公开信息变化时间"
        verbose_name_plural = "公开信息变化时间"

    def __str__(self):
        return f"{self.catalog_id} {self.changed_at.isoformat()}"


# ---------------------------------------------------------------------------
# The working-day calendar
# ---------------------------------------------------------------------------


class HolidayKind(models.TextChoices):
    REST = "rest", "休"
    WORK = "work", "班"


class HolidayCalendar(models.Model):
    """One day of the State Council's holiday schedule: a holiday (休) or a make-up working
    day (调休, 班). Days not listed follow the week: Monday to Friday work.

    A year counts as known once it has at least one row.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=4, choices=HolidayKind.choices)
    name = models.CharField("节日", max_length=30, blank=True)
    source = models.CharField("来源", max_length=200)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=HolidayKind.values), name="holiday_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()}"


# ---------------------------------------------------------------------------
# 专栏 and link checks
# ---------------------------------------------------------------------------


class SpecialColumn(models.Model):
    """A region's 基层政务公开专栏 for one field (社会救助 or 养老服务) on its own website."""

    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.CASCADE, related_name="special_columns"
    )
    standard = models.ForeignKey(
        StandardCatalog, verbose_name="领域", on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField("专栏网址", max_length=500)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "基层政务公开专栏"
        verbose_name_plural = "基层政务公开专栏"
        ordering = ["region__code", "standard__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "standard"], name="special_column_one_per_field"
            )
        ]

    def __str__(self):
        return f"{self.region} · {self.standard.field} · {self.url}"


class ChannelCheckQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(
            visible_region_filter(user, prefix="channel__record__catalog__region__")
            | visible_region_filter(user, prefix="special_column__region__")
        )


class ChannelCheck(models.Model):
    """One fetch of a recorded URL or a 专栏 by ``verify_channels``."""

    channel = models.ForeignKey(
        RecordChannel,
        verbose_name="公开渠道记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checks",
    )
    special_column = models.ForeignKey(
        SpecialColumn,
        verbose_name="专栏",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checks",
    )
    url = models.URLField("网址", max_length=500)
    status = models.PositiveSmallIntegerField("HTTP状态码", null=True, blank=True)
    ok = models.BooleanField("可访问", default=False)
    final_url = models.URLField("最终网址", max_length=500, blank=True)
    # Whether the record's title or 文号 appears on the page; None for a 专栏.
    title_found = models.BooleanField("页面含标题或文号", null=True, blank=True)
    # Whether a 专栏 links to the portal's catalog page; None for a record's URL.
    links_to_catalog = models.BooleanField("链接到目录页面", null=True, blank=True)
    took_ms = models.PositiveIntegerField("耗时(毫秒)", default=0)
    checked_at = models.DateTimeField("检查时间", db_index=True)
    error = models.CharField("错误", max_length=300, blank=True)
    # Failed now and at the check before: broken (失效).
    broken = models.BooleanField("已失效", default=False)

    objects = ChannelCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "链接检查"
        verbose_name_plural = "链接检查"
        ordering = ["-checked_at", "-pk"]
        indexes = [
            models.Index(fields=["channel", "checked_at"], name="check_channel_time"),
            models.Index(fields=["special_column", "checked_at"], name="check_column_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__isnull=False, special_column__isnull=True)
                | Q(channel__isnull=True, special_column__isnull=False),
                name="check_one_target",
            ),
            models.CheckConstraint(condition=~Q(broken=True, ok=True), name="check_broken_fails"),
        ]

    def __str__(self):
        return f"{self.url} {self.status or self.error}"
