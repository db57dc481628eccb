"""Service guides (办事指南): a structured guide per service item, and its published copies.

Staff edit ``ServiceGuide`` (the draft, one per draft ``items.Item``) with its materials,
steps and questions. Publishing the item's catalog copies each guide into a
``PublishedGuide`` of the new publication (``guides.publishing``); citizens and the API
only ever read those, and a published copy never changes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from items.models import Item, Publication

# What a standard row of a 办事指南 is called (the standard's level2, kept by derived items
# as “办事指南” or refined as “办事指南（农安县）”).
GUIDE_MARK = "办事指南"
DEFAULT_FEE = "不收费"
# Working days: a statutory limit longer than a year is a typing error.
MAX_DAYS = 365


def is_guide_row(level1: str, level2: str) -> bool:
    """A standard (or derived) row whose kind is a service guide."""
    return GUIDE_MARK in (level2 or "") or GUIDE_MARK in (level1 or "")


def guide_title(level1: str, level2: str) -> str:
    """The service a guide item is about: 最低生活保障 for “最低生活保障 · 办事指南”."""
    if GUIDE_MARK in (level2 or ""):
        return level1
    return (level2 or level1 or "").replace(GUIDE_MARK, "").strip(" ·-（）()") or level1


class GuideFields(models.Model):
    """The scalar parts of a guide, shared by the draft and its published copies."""

    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    legal_days = models.PositiveSmallIntegerField(
        "法定时限（工作日）",
        null=True,
        blank=True,
        help_text="法律法规规定的办结时限，单位：工作日。",
    )
    promised_days = models.PositiveSmallIntegerField(
        "承诺时限（工作日）",
        null=True,
        blank=True,
        help_text="本地承诺的办结时限，单位：工作日，不得超过法定时限。",
    )
    fee = models.CharField("收费", max_length=200, default=DEFAULT_FEE)
    location = models.CharField("办理地点", max_length=300, blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=100, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=100, blank=True)
    online_url = models.URLField(
        "网上办理", max_length=500, blank=True, help_text="吉事办或吉林省政务服务网的办理入口。"
    )
    progress_url = models.URLField("网办进度查询", max_length=500, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        for name in ("legal_days", "promised_days"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= MAX_DAYS:
                label = self._meta.get_field(name).verbose_name
                raise ValidationError({name: f"“{label}”应为1至{MAX_DAYS}之间的整数。"})
        if (
            self.legal_days is not None
            and self.promised_days is not None
            and self.promised_days > self.legal_days
        ):
            raise ValidationError(
                {
                    "promised_days": (
                        f"“承诺时限”（{self.promised_days}个工作日）不能长于"
                        f"“法定时限”（{self.legal_days}个工作日）。"
                    )
                }
            )


class ServiceGuideQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(item__in=Item.objects.for_user(user))

    def editable_by(self, user):
        return self.filter(item__in=Item.objects.editable_by(user))


class ServiceGuide(GuideFields):
    """The draft guide of one service item; creating one marks a local item as a guide."""

    item = models.OneToOneField(
        Item, verbose_name="公开事项", on_delete=models.CASCADE, related_name="service_guide"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Moved on by every save (catalogs.concurrency): a save based on an older one is refused.
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = ServiceGuideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["item__catalog", "item__seq"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__isnull=True)
                | Q(legal_days__isnull=True)
                | Q(promised_days__lte=F("legal_days")),
                name="service_guide_promise_within_law",
            )
        ]

    def __str__(self):
        return f"{self.title}办事指南"

    @property
    def title(self) -> str:
        return guide_title(self.item.level1, self.item.level2)


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    BOTH = "both", "原件和复印件"


class GuideMaterial(models.Model):
    """申请材料: one document the applicant brings, with an optional form or sample file."""

    guide = models.ForeignKey(
        ServiceGuide, verbose_name="办事指南", on_delete=models.CASCADE, related_name="materials"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    name = models.CharField("材料名称", max_length=200)
    form = models.CharField(
        "原件/复印件", max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    # Stored under a generated name (guides.uploads): a new upload is a new file, so a
    # published copy's file is never overwritten; files are never deleted.
    file = models.FileField("表格或样表", max_length=200, blank=True, upload_to="guides/forms/")
    file_label = models.CharField("文件名", max_length=120, blank=True)
    file_type = models.CharField("文件类型", max_length=100, blank=True)
    file_size = models.PositiveIntegerField("文件大小（字节）", default=0)
    exempt_when_shared = models.BooleanField(
        "数据共享可免提交", default=False, help_text="可通过部门间数据共享获取时，申请人无需提交。"
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["guide", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=MaterialForm.values), name="guide_material_form_valid"
            ),
            models.CheckConstraint(
                condition=Q(copies__gte=1) & Q(copies__lte=99), name="guide_material_copies_range"
            ),
        ]

    def __str__(self):
        return self.name


class GuideStep(models.Model):
    """办理流程: one step, numbered 1, 2, 3 … without gaps."""

    guide = models.ForeignKey(
        ServiceGuide, verbose_name="办事指南", on_delete=models.CASCADE, related_name="steps"
    )
    seq = models.PositiveSmallIntegerField("步骤序号")
    name = models.CharField("步骤名称", max_length=100)
    office = models.CharField("承办机构", max_length=200, blank=True)
    time_limit = models.CharField("办理时限", max_length=100, blank=True)
    description = models.TextField("办理说明", blank=True)

    class Meta:
        verbose_name = "办理流程"
        verbose_name_plural = "办理流程"
        ordering = ["guide", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "seq"], name="guide_step_unique_seq")
        ]

    def __str__(self):
        return f"{self.seq}. {self.name}"


class GuideQuestion(models.Model):
    """常见问题."""

    guide = models.ForeignKey(
        ServiceGuide, verbose_name="办事指南", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")

    class Meta:
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
        ordering = ["guide", "order", "pk"]

    def __str__(self):
        return self.question


class PublishedGuide(GuideFields):
    """A guide as one publication of its catalog shows it; never changed after creation.

    ``materials``/``steps``/``questions`` are lists of dicts (``guides.snapshot``); a
    material's ``file`` is the storage name of its form, served by ``guides_file``.
    """

    publication = models.ForeignKey(
        Publication, verbose_name="公开版本", on_delete=models.CASCADE, related_name="guides"
    )
    public_id = models.UUIDField("事项公开标识", db_index=True)
    item = models.ForeignKey(
        Item, verbose_name="草稿事项", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("办理事项", max_length=200)
    matter_code = models.CharField("事项编码", max_length=100, blank=True)
    matter_name = models.CharField("事项名称（政务服务事项库）", max_length=200, blank=True)
    materials = models.JSONField("申请材料", default=list, blank=True)
    steps = models.JSONField("办理流程", default=list, blank=True)
    questions = models.JSONField("常见问题", default=list, blank=True)
    guide_version = models.PositiveIntegerField("指南版本", default=0)

    class Meta:
        verbose_name = "已公开办事指南"
        verbose_name_plural = "已公开办事指南"
        ordering = ["publication", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "public_id"], name="published_guide_unique_public_id"
            )
        ]

    def __str__(self):
        return f"{self.name}办事指南"

    @property
    def name(self) -> str:
        """事项名称: the 政务服务事项库's when linked, else the item's service."""
        return self.matter_name or self.title
