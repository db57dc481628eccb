"""Policy documents (政策文件) a region issues or relays, and their interpretations (政策解读).

The work plan (吉民发〔2020〕13号, task 七) asks that "解读材料与政策文件同步组织、同步审签、同步
部署": every document a county or township issues itself gets its 解读, published with it.
A document belongs to one region (the one that issues or relays it) and one field (the
standard catalog: 社会救助 or 养老服务), and is linked to the catalog items it concerns by
the items' ``public_id``, which stays the same across publications: the public item page
finds its documents with one query on the link table, without touching the draft items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from catalogs.models import Region, StandardCatalog
from items.models import Item

TITLE_MAX = 200
NUMBER_MAX = 100
ISSUER_MAX = 100
URL_MAX = 500
TEXT_MAX = 50_000  # characters of a document's or an interpretation's full text
ITEMS_MAX = 100  # catalog items one document may be linked to


class DocumentStatus(models.TextChoices):
    VALID = "valid", "有效"
    MODIFIED = "modified", "已修改"
    REPEALED = "repealed", "已废止"


class DocumentRelation(models.TextChoices):
    ISSUED = "issued", "本级制发"
    RELAYED = "relayed", "转发"


class InterpretationForm(models.TextChoices):
    TEXT = "text", "文字"
    GRAPHIC = "graphic", "图解"
    VIDEO = "video", "视频"
    QA = "qa", "问答"


# Which status may follow which (one service per move: policies.services).
STATUS_TRANSITIONS = {
    DocumentStatus.VALID: {DocumentStatus.MODIFIED, DocumentStatus.REPEALED},
    DocumentStatus.MODIFIED: {DocumentStatus.REPEALED},
    DocumentStatus.REPEALED: set(),
}


class PolicyDocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="region__"))

    def editable_by(self, user):
        from catalogs.permissions import editable_region_filter

        return self.filter(editable_region_filter(user, prefix="region__"))

    def for_item(self, public_id):
        """The documents linked to the item with this public id (draft or published)."""
        return self.filter(item_links__item_id=public_id)

    def public_order(self):
        """Valid documents first, then the newest."""
        rank = models.Case(
            models.When(status=DocumentStatus.VALID, then=0),
            models.When(status=DocumentStatus.MODIFIED, then=1),
            default=2,
        )
        return self.order_by(rank, "-issued_on", "-pk")


class PolicyDocument(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name="制发或转发区划",
        on_delete=models.PROTECT,
        related_name="policy_documents",
    )
    standard = models.ForeignKey(
        StandardCatalog,
        verbose_name="领域",
        on_delete=models.PROTECT,
        related_name="policy_documents",
    )
    title = models.CharField("文件标题", max_length=TITLE_MAX)
    number = models.CharField("文号", max_length=NUMBER_MAX, blank=True)
    issuer = models.CharField("发文机关", max_length=ISSUER_MAX)
    issued_on = models.DateField("发布日期")
    relation = models.CharField(
        "制发方式",
        max_length=10,
        choices=DocumentRelation.choices,
        default=DocumentRelation.ISSUED,
    )
    status = models.CharField(
        "效力状态", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="修改或废止它的文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    status_changed_on = models.DateField("效力变化日期", null=True, blank=True)
    url = models.URLField("原文链接", max_length=URL_MAX, blank=True)
    text = models.TextField("文件全文", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # Moved on by one by every save; see catalogs.concurrency.
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = PolicyDocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = ["region__code", "-issued_on", "-pk"]
        indexes = [models.Index(fields=["region", "standard", "issued_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="policy_document_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(relation__in=DocumentRelation.values),
                name="policy_document_relation_valid",
            ),
            # 有效: nothing replaced it; 已修改/已废止: the document that did is named.
            models.CheckConstraint(
                condition=(
                    Q(status=DocumentStatus.VALID, replaced_by__isnull=True)
                    | (~Q(status=DocumentStatus.VALID) & Q(replaced_by__isnull=False))
                ),
                name="policy_document_replaced_by_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=F("pk")), name="policy_document_not_replaced_by_itself"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """《title》文号, as messages name a document."""
        return f"《{self.title}》{self.number}"

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.VALID


class PolicyItemLink(models.Model):
    """A document concerns a catalog item: by the item's public id, the same in every
    publication (no database constraint: a deleted draft item keeps its published pages)."""

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="item_links"
    )
    item = models.ForeignKey(
        Item,
        verbose_name="公开事项",
        to_field="public_id",
        db_column="item_public_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="policy_links",
    )

    class Meta:
        verbose_name = "政策文件关联事项"
        verbose_name_plural = "政策文件关联事项"
        constraints = [
            models.UniqueConstraint(fields=["document", "item"], name="policy_item_link_unique"),
        ]
        indexes = [models.Index(fields=["item"], name="policy_link_item_idx")]

    def __str__(self):
        return f"{self.document} → {self.item_id}"


class Interpretation(models.Model):
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name="政策文件",
        on_delete=models.CASCADE,
        related_name="interpretations",
    )
    title = models.CharField("解读标题", max_length=TITLE_MAX)
    form = models.CharField(
        "解读形式",
        max_length=10,
        choices=InterpretationForm.choices,
        default=InterpretationForm.TEXT,
    )
    published_on = models.DateField("发布日期")
    url = models.URLField("链接", max_length=URL_MAX, blank=True)
    text = models.TextField("解读内容", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"
        ordering = ["document", "published_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=InterpretationForm.values),
                name="interpretation_form_valid",
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(text=""), name="interpretation_has_link_or_text"
            ),
        ]

    def __str__(self):
        return f"{self.get_form_display()}解读：{self.title}"


class PolicyDocumentEvent(models.Model):
    """One change of a document's status: who, when, from, to, which document replaced it."""

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=10, choices=DocumentStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=DocumentStatus.choices)
    replaced_by = models.ForeignKey(
        PolicyDocument,
        verbose_name="修改或废止它的文件",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "政策文件效力变化"
        verbose_name_plural = "政策文件效力变化"
        ordering = ["document", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=DocumentStatus.values),
                name="policy_event_from_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=DocumentStatus.values),
                name="policy_event_to_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.document}: {self.get_from_status_display()} → {self.get_to_status_display()}"
