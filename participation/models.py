"""公众参与: each county's participation catalog, its publications, and consultations on it.

Work plan (六): 基层民政部门要……细化公众参与事项的范围和方式，并录入基层政务公开事项查询系统向社会
公开. A county keeps a draft catalog of matters (``ParticipationMatter``); publishing copies
the rows into an immutable, numbered ``ParticipationPublication``. Consultations (意见征集)
run on a matter; their status follows from their dates (``Consultation.status_on``), and
the 采纳情况 is due a number of working days after the close date (``selectors``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogs.models import Region

# Bounds of what staff and citizens may enter (checked by the services before parsing).
NAME_MAX = 200
TEXT_MAX = 2000
DRAFT_TEXT_MAX = 50_000
FEEDBACK_MAX = 20_000
COMMENT_MAX = 1000
COMMENTER_NAME_MAX = 50
COMMENTER_PHONE_MAX = 30


class Method(models.TextChoices):
    """参与方式."""

    CONSULTATION = "consultation", "征求意见"
    HEARING = "hearing", "听证"
    SYMPOSIUM = "symposium", "座谈"
    SURVEY = "survey", "网上调查"
    OTHER = "other", "其他"


class Field(models.TextChoices):
    """The two fields of the standard catalogs (``StandardCatalog.field``)."""

    SOCIAL = "社会救助", "社会救助"
    ELDERLY = "养老服务", "养老服务"


class ParticipationCatalogQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="region__"))


class ParticipationCatalog(models.Model):
    """A county's 公众参与事项目录 (the draft; publications hold what citizens see)."""

    region = models.OneToOneField(
        Region,
        verbose_name="区划",
        on_delete=models.PROTECT,
        related_name="participation_catalog",
    )
    title = models.CharField("目录名称", max_length=NAME_MAX)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    draft_changed_at = models.DateTimeField("草稿修改时间", auto_now_add=True)
    last_published_at = models.DateTimeField("最近公开时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = ParticipationCatalogQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["draft_changed_at", "last_published_at"])

    class Meta:
        verbose_name = "公众参与事项目录"
        verbose_name_plural = "公众参与事项目录"
        ordering = ["region__code"]

    def __str__(self):
        return self.title

    @property
    def has_unpublished_changes(self) -> bool:
        return self.last_published_at is None or self.draft_changed_at > self.last_published_at


class MatterQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="catalog__region__"))


class MatterFields(models.Model):
    """The columns of a participation catalog row, shared by draft and published rows."""

    seq = models.PositiveIntegerField("序号")
    name = models.CharField("公众参与事项", max_length=NAME_MAX)
    scope = models.TextField("参与范围和内容", max_length=TEXT_MAX, blank=True)
    methods = models.JSONField("参与方式", default=list)
    other_method = models.CharField(
        "其他方式", max_length=100, blank=True, help_text="参与方式选“其他”时填写，例如：实地走访"
    )
    timing = models.CharField(
        "参与时间", max_length=NAME_MAX, help_text="例如：政策文件起草阶段，征求意见不少于30日"
    )
    feedback_channel = models.CharField(
        "意见反馈渠道", max_length=NAME_MAX, help_text="例如：县民政局网站、电话0431-xxxxxxx"
    )
    office = models.CharField("责任单位", max_length=100)

    class Meta:
        abstract = True

    def method_labels(self) -> list[str]:
        labels = dict(Method.choices)
        shown = []
        for value in self.methods or []:
            if value == Method.OTHER and self.other_method:
                shown.append(self.other_method)
            else:
                shown.append(labels.get(value, str(value)))
        return shown


class ParticipationMatter(MatterFields):
    """One row (事项) of a county's draft participation catalog."""

    catalog = models.ForeignKey(
        ParticipationCatalog,
        verbose_name="目录",
        on_delete=models.CASCADE,
        related_name="matters",
    )
    version = models.PositiveIntegerField("版本", default=0, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = MatterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公众参与事项"
        verbose_name_plural = "公众参与事项"
        ordering = ["catalog", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "seq"], name="participation_matter_seq"),
        ]

    def __str__(self):
        return f"{self.seq}. {self.name}"


class ParticipationPublication(models.Model):
    """An immutable, numbered publication of a participation catalog (第N次公开)."""

    catalog = models.ForeignKey(
        ParticipationCatalog,
        verbose_name="目录",
        on_delete=models.PROTECT,
        related_name="publications",
    )
    number = models.PositiveIntegerField("公开次序")
    is_current = models.BooleanField("现行版本", default=True)
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField("目录名称", max_length=NAME_MAX)
    matter_count = models.PositiveIntegerField("事项数")
    note = models.CharField("发布说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "公众参与目录公开版本"
        verbose_name_plural = "公众参与目录公开版本"
        ordering = ["catalog", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalog", "number"], name="participation_publication_number"
            ),
            models.UniqueConstraint(
                fields=["catalog"],
                condition=Q(is_current=True),
                name="participation_publication_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.title}（第{self.number}次公开）"


class PublishedMatter(MatterFields):
    """A row as a publication froze it."""

    publication = models.ForeignKey(
        ParticipationPublication,
        verbose_name="公开版本",
        on_delete=models.CASCADE,
        related_name="matters",
    )
    matter = models.ForeignKey(
        ParticipationMatter,
        verbose_name="草稿事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published",
    )

    class Meta:
        verbose_name = "已公开的公众参与事项"
        verbose_name_plural = "已公开的公众参与事项"
        ordering = ["publication", "seq", "pk"]

    def __str__(self):
        return f"{self.seq}. {self.name}"


class ConsultationStatus(models.TextChoices):
    """Derived from the dates (never stored): see ``Consultation.status_on``."""

    UPCOMING = "upcoming", "未开始"
    OPEN = "open", "征求中"
    CLOSED = "closed", "已结束"


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="region__"))

    def open_on(self, today: date):
        return self.filter(opens_on__lte=today, closes_on__gte=today)

    def closed_on(self, today: date):
        return self.filter(closes_on__lt=today)

    def without_feedback(self):
        return self.filter(feedback_published_at__isnull=True)


class Consultation(models.Model):
    """意见征集 on one matter of a participation catalog."""

    # The matter's catalog's region, kept here for scoping without joins.
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="consultations"
    )
    matter = models.ForeignKey(
        ParticipationMatter,
        verbose_name="公众参与事项",
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    field = models.CharField("领域", max_length=10, choices=Field.choices)
    title = models.CharField("征集标题", max_length=NAME_MAX)
    draft_text = models.TextField("征求意见稿", max_length=DRAFT_TEXT_MAX, blank=True)
    draft_url = models.URLField("征求意见稿链接", max_length=500, blank=True)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    feedback = models.TextField("采纳情况", max_length=FEEDBACK_MAX, blank=True)
    feedback_published_at = models.DateTimeField("采纳情况公开时间", null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="采纳情况发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = ConsultationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="consultation_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(field__in=Field.values), name="consultation_field_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def status_on(self, today: date) -> str:
        if today < self.opens_on:
            return ConsultationStatus.UPCOMING
        if today <= self.closes_on:
            return ConsultationStatus.OPEN
        return ConsultationStatus.CLOSED

    def status_label(self, today: date) -> str:
        return ConsultationStatus(self.status_on(today)).label


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "已公开"
    HELD = "held", "待审核"
    REJECTED = "rejected", "不予公开"


class HeldReason(models.TextChoices):
    NONE = "", "—"
    LINK = "link", "含有链接"
    RATE = "rate", "同一地址提交过多"
    STAFF = "staff", "工作人员暂缓"


class Adoption(models.TextChoices):
    """采纳情况 of one comment."""

    UNDECIDED = "", "未答复"
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


# Moderation: which status each action leads to, and from which statuses it may start.
MODERATION = {
    "publish": (CommentStatus.PUBLISHED, {CommentStatus.HELD, CommentStatus.REJECTED}),
    "hold": (CommentStatus.HELD, {CommentStatus.PUBLISHED, CommentStatus.REJECTED}),
    "reject": (CommentStatus.REJECTED, {CommentStatus.PUBLISHED, CommentStatus.HELD}),
}


class CommentQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="consultation__region__"))

    def published(self):
        return self.filter(status=CommentStatus.PUBLISHED)


class Comment(models.Model):
    """A citizen's comment on a consultation. Name and phone are never shown publicly."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="意见征集", on_delete=models.CASCADE, related_name="comments"
    )
    text = models.TextField("意见内容", max_length=COMMENT_MAX)
    name = models.CharField("姓名", max_length=COMMENTER_NAME_MAX, blank=True)
    phone = models.CharField("联系电话", max_length=COMMENTER_PHONE_MAX, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    held_reason = models.CharField(
        "暂缓原因", max_length=10, choices=HeldReason.choices, blank=True, default=""
    )
    adoption = models.CharField(
        "采纳情况", max_length=12, choices=Adoption.choices, blank=True, default=""
    )
    adoption_reason = models.TextField("采纳或不采纳的理由", max_length=TEXT_MAX, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = CommentQuerySet.as_manager()
    # Personal data (name, phone) stays out of the history.
    history = HistoricalRecords(excluded_fields=["name", "phone"])

    class Meta:
        verbose_name = "公众意见"
        verbose_name_plural = "公众意见"
        ordering = ["consultation", "submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values), name="comment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(held_reason__in=HeldReason.values), name="comment_held_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(adoption__in=Adoption.values), name="comment_adoption_valid"
            ),
        ]

    def __str__(self):
        return f"{self.consultation}：意见{self.pk}"
