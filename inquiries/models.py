"""Citizens' questions and corrections (留言：咨询、纠错) on published items, and the province's
settings for answering them (回应关切).

An inquiry belongs to the region whose catalog holds the item (``region``): that region's
staff answer it. Citizens' personal data (name, phone, a salted hash of the address the
hourly limit counted) is erased ``retention_days`` after the inquiry is closed
(``purge_inquiry_personal_data``); no history table keeps a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from catalogs.models import Region
from catalogs.permissions import editable_region_filter, visible_region_filter

TEXT_MAX = 1000
ANSWER_MAX = 3000
NAME_MAX = 30
PHONE_MAX = 20
NOTE_MAX = 200


class InquirySettings(models.Model):
    """The province's settings (a single row, pk 1), changed by the province administrator."""

    reply_days = models.PositiveSmallIntegerField(
        "答复时限（工作日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="收到留言后多少个工作日内答复，按法定节假日和调休计算。",
    )
    retention_days = models.PositiveIntegerField(
        "个人信息保存天数",
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text="留言办结后多少天删除留言人的姓名、电话和地址记录。",
    )
    hourly_limit = models.PositiveSmallIntegerField(
        "每小时留言上限",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="同一地址每小时超过此数的留言转人工审核，不自动进入答复流程。",
    )
    version = models.PositiveIntegerField("版本", default=0, editable=False)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "留言答复设置"
        verbose_name_plural = "留言答复设置"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="inquiry_settings_single")]

    def __str__(self):
        return "留言答复设置"

    @classmethod
    def load(cls) -> InquirySettings:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)


class Kind(models.TextChoices):
    QUESTION = "question", "咨询"
    CORRECTION = "correction", "纠错"


class Status(models.TextChoices):
    HELD = "held", "待审核"
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    REJECTED = "rejected", "已驳回"


class Visibility(models.TextChoices):
    PUBLIC = "public", "公开答复（显示在事项页面）"
    PRIVATE = "private", "不公开（仅留言人凭查询码查看）"


# (from, to) pairs the services allow; answering again revises the answer.
TRANSITIONS = {
    (Status.HELD, Status.OPEN),
    (Status.HELD, Status.REJECTED),
    (Status.OPEN, Status.ANSWERED),
    (Status.OPEN, Status.REJECTED),
    (Status.ANSWERED, Status.ANSWERED),
}
OPEN_STATES = (Status.HELD, Status.OPEN)


class InquiryQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(visible_region_filter(user))

    def answerable_by(self, user):
        return self.filter(editable_region_filter(user))

    def public_answers(self):
        return self.filter(status=Status.ANSWERED, visibility=Visibility.PUBLIC)

    def overdue(self, today):
        return self.filter(status__in=OPEN_STATES, due_date__lt=today)


class Inquiry(models.Model):
    reference = models.CharField("查询码", max_length=12, unique=True, editable=False)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    # The item's stable public identity (items.Item.public_id), kept if the item goes away.
    item_public_id = models.UUIDField("事项公开标识", db_index=True, editable=False)
    item_name = models.CharField("事项", max_length=320, editable=False)
    region = models.ForeignKey(
        Region,
        verbose_name="负责答复的区划",
        on_delete=models.PROTECT,
        related_name="inquiries",
        editable=False,
    )
    text = models.TextField("留言内容", max_length=TEXT_MAX)
    name = models.CharField("姓名", max_length=NAME_MAX, blank=True)
    phone = models.CharField("联系电话", max_length=PHONE_MAX, blank=True)
    # HMAC of the client address (never the address itself), for the audit of held ones.
    client_hash = models.CharField("来源地址摘要", max_length=64, blank=True, editable=False)
    held_reason = models.CharField("转人工审核原因", max_length=NOTE_MAX, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, db_index=True)
    received_at = models.DateTimeField("收到时间")
    received_on = models.DateField("收到日期", db_index=True)
    due_date = models.DateField("答复期限")
    answer = models.TextField("答复内容", max_length=ANSWER_MAX, blank=True)
    visibility = models.CharField("答复方式", max_length=10, choices=Visibility.choices, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The local date of the first answer: on time when it is no later than due_date.
    answered_on = models.DateField("首次答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    personal_data_erased_at = models.DateTimeField("个人信息删除时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = "群众留言"
        verbose_name_plural = "群众留言"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["item_public_id", "status"], name="inquiry_item_status"),
            models.Index(fields=["status", "due_date"], name="inquiry_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="inquiry_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="inquiry_kind_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.ANSWERED)
                | (Q(answered_on__isnull=False) & Q(visibility__in=Visibility.values)),
                name="inquiry_answered_has_answer",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference_display(self) -> str:
        return "-".join(self.reference[i : i + 4] for i in range(0, len(self.reference), 4))

    def is_overdue(self, today) -> bool:
        return self.status in OPEN_STATES and self.due_date < today

    def answered_on_time(self) -> bool | None:
        if self.answered_on is None:
            return None
        return self.answered_on <= self.due_date


class InquiryEvent(models.Model):
    """One row per change of state or answer: who, from, to, when; no personal data."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name="留言", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = "留言处理记录"
        verbose_name_plural = "留言处理记录"
        ordering = ["inquiry", "at", "pk"]

    def __str__(self):
        return f"{self.inquiry} {self.from_status or '—'} → {self.to_status}"
