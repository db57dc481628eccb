"""Regions, staff roles, the province's standard catalogs and the header of derived catalogs.

A derived catalog's items live in the ``items`` app; this app knows only the catalog
itself (which region, which standard, which edition, which lifecycle state).
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogs import vocabulary

# ---------------------------------------------------------------------------
# Regions (行政区划)
# ---------------------------------------------------------------------------


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"
    VILLAGE = "village", "村级"


class RegionQuerySet(models.QuerySet):
    def descendants_of(self, region: "Region", *, include_self: bool = True):
        qs = self.filter(path__startswith=region.path)
        return qs if include_self else qs.exclude(pk=region.pk)

    def catalog_holders(self):
        """Regions that compile catalogs: counties and townships the province has not
        exempted (farms, forestry units, zones... whose catalog another body publishes)."""
        return self.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP], compiles_catalogs=True
        )

    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix=""))


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64, db_index=True)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Codes of every ancestor and itself, each followed by '/': "22/2201/220122/".
    # Descendants are one indexed prefix query, whatever the depth.
    path = models.CharField("路径", max_length=80, unique=True, editable=False)
    is_division = models.BooleanField(
        "属于统计区划",
        default=True,
        help_text="长白山管委会等参照市级管理但不属于统计用区划的单位为否。",
    )
    # Whether the region compiles its own catalogs; the province decides (load_divisions
    # presets it from official names, and never overrides a value the province set).
    compiles_catalogs = models.BooleanField(
        "编制目录",
        default=True,
        help_text="农场、林场、园区等不单独编制目录的单位为否，由所在县（市、区）代为公开。",
    )
    compile_note = models.CharField(
        "不编制目录的说明", max_length=200, blank=True, help_text="例如：由所在县代为公开"
    )
    compile_set_by_province = models.BooleanField("由省级设定", default=False, editable=False)
    # Who answers for the region's disclosure work (city roll-up, item pages).
    office_name = models.CharField("民政部门名称", max_length=100, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    contact_email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    # Moved on by one by every contact change; see catalogs.concurrency.
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = RegionQuerySet.as_manager()
    # Contact changes with old and new values, who and when (bulk loads write no rows).
    history = HistoricalRecords(excluded_fields=["path"])

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=RegionLevel.values), name="region_level_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def catalog_level(self) -> str | None:
        """公开层级 of the items this region publishes: 县级, 乡级 or 村级."""
        return {
            RegionLevel.COUNTY: vocabulary.COUNTY_LEVEL,
            RegionLevel.TOWNSHIP: vocabulary.TOWNSHIP_LEVEL,
            # Villages hold a catalog only when their township derived one for them.
            RegionLevel.VILLAGE: vocabulary.VILLAGE_LEVEL,
        }.get(self.level)

    @property
    def full_name(self) -> str:
        """The name with its city and county, without the province: 长春市农安县农安镇.

        One query; for many regions use ``catalogs.selectors.full_names``, and with the
        ancestors already loaded ``full_name_from``.
        """
        codes = self.ancestor_codes()[:-1]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return self.full_name_from(names)

    def full_name_from(self, names_by_code: Mapping[str, str]) -> str:
        """``full_name`` from the ancestors' names by code (the region's own name is known).

        The one place the rule lives: the province is named only for the province itself.
        """
        names = {**names_by_code, self.code: self.name}
        codes = self.ancestor_codes()
        if self.level != RegionLevel.PROVINCE:
            codes = codes[1:]
        return "".join(names.get(code, "") for code in codes)

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code]

    def ancestors(self, *, include_self: bool = False) -> list["Region"]:
        codes = self.ancestor_codes()
        if not include_self:
            codes = codes[:-1]
        by_code = {region.code: region for region in Region.objects.filter(code__in=codes)}
        return [by_code[code] for code in codes if code in by_code]

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)


# ---------------------------------------------------------------------------
# Staff roles
# ---------------------------------------------------------------------------


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", "省级管理员"
    PROVINCE_REVIEWER = "province_reviewer", "省级审核员"
    CITY_COORDINATOR = "city_coordinator", "市级协调员"
    COUNTY_EDITOR = "county_editor", "县级编辑"
    TOWNSHIP_EDITOR = "township_editor", "乡级编辑"


ROLE_REGION_LEVEL = {
    Role.PROVINCE_ADMIN: RegionLevel.PROVINCE,
    Role.PROVINCE_REVIEWER: RegionLevel.PROVINCE,
    Role.CITY_COORDINATOR: RegionLevel.CITY,
    Role.COUNTY_EDITOR: RegionLevel.COUNTY,
    Role.TOWNSHIP_EDITOR: RegionLevel.TOWNSHIP,
}


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT)
    office = models.CharField("工作单位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)

    class Meta:
        verbose_name = "工作人员角色"
        verbose_name_plural = "工作人员角色"
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="staff_profile_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.region}"

    def clean(self):
        from django.core.exceptions import ValidationError

        expected = ROLE_REGION_LEVEL.get(self.role)
        if expected and self.region_id and self.region.level != expected:
            raise ValidationError(
                {
                    "region": f"{self.get_role_display()}只能属于{RegionLevel(expected).label}区划，"
                    f"而“{self.region}”是{self.region.get_level_display()}区划。"
                }
            )


# ---------------------------------------------------------------------------
# Standard catalogs (标准目录) and their editions
# ---------------------------------------------------------------------------


class StandardCatalogQuerySet(models.QuerySet):
    def for_counties_and_townships(self):
        return self.filter(for_villages=False)

    def for_villages_only(self):
        return self.filter(for_villages=True)


class StandardCatalog(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    title = models.CharField("名称", max_length=100)
    field = models.CharField("领域", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=0)
    # The village standard (村（居）务公开) is derived by townships for their villages and
    # residents' committees; counties and townships never derive it for themselves.
    for_villages = models.BooleanField(
        "村（居）务目录",
        default=False,
        help_text="是：由乡镇（街道）为所辖村（居）民委员会生成目录，县级和乡级不编制。",
    )

    objects = StandardCatalogQuerySet.as_manager()

    class Meta:
        verbose_name = "标准目录"
        verbose_name_plural = "标准目录"
        ordering = ["order", "code"]

    def __str__(self):
        return self.title

    @property
    def current_edition(self) -> "StandardEdition | None":
        return self.editions.published().order_by("-version").first()


class EditionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class StandardEditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EditionStatus.PUBLISHED)


class StandardEdition(models.Model):
    """One version of a standard catalog. Published editions are never edited again."""

    standard = models.ForeignKey(
        StandardCatalog, verbose_name="标准目录", on_delete=models.PROTECT, related_name="editions"
    )
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("版本名称", max_length=120)
    basis_document = models.CharField("依据文件", max_length=200, blank=True)
    note = models.TextField("调整说明", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    source = models.CharField("来源", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = StandardEditionQuerySet.as_manager()

    class Meta:
        verbose_name = "标准目录版本"
        verbose_name_plural = "标准目录版本"
        ordering = ["standard", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="edition_unique_version"),
            models.CheckConstraint(
                condition=Q(status__in=EditionStatus.values), name="edition_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.standard.title} 第{self.version}版"

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.PUBLISHED


class StandardItem(models.Model):
    edition = models.ForeignKey(
        StandardEdition, verbose_name="版本", on_delete=models.CASCADE, related_name="items"
    )
    # Stays the same for "the same item" across editions; comparisons match on it.
    key = models.CharField("事项标识", max_length=40)
    seq = models.PositiveIntegerField("序号")
    level1 = models.CharField("一级事项", max_length=100)
    level2 = models.CharField("二级事项", max_length=200)
    content = models.TextField("公开内容(要素)", blank=True)
    basis = models.TextField("公开依据", blank=True)
    deadline = models.CharField("公开时限", max_length=200, blank=True)
    subject = models.CharField("公开主体", max_length=200, blank=True)
    channels = models.JSONField("公开渠道和载体", default=list, blank=True)
    audience = models.JSONField("公开对象", default=list, blank=True)
    method = models.JSONField("公开方式", default=list, blank=True)
    levels = models.JSONField("公开层级", default=list, blank=True)
    provenance = models.JSONField("字段来源", default=dict, blank=True)
    # How the row was reconstructed from published copies (the researchers' record, quoted
    # as written): data provenance, shown read-only, never a note for staff to act on.
    provenance_note = models.TextField("来源考证记录", blank=True, editable=False)
    style_a_variant = models.JSONField("另一种常见表述", default=dict, blank=True)
    needs_verification = models.BooleanField(
        "待核对", default=False, help_text="部分字段源自推测，须对照正式文件核对。"
    )
    unverified_fields = models.JSONField("待核对字段", default=list, blank=True)
    notes = models.TextField("备注", blank=True)
    # Moved on by one by every save; see catalogs.concurrency.
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "标准事项"
        verbose_name_plural = "标准事项"
        ordering = ["edition", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "seq"], name="standard_item_unique_seq"),
            models.UniqueConstraint(fields=["edition", "key"], name="standard_item_unique_key"),
        ]

    def __str__(self):
        return f"{self.seq}. {self.level1} · {self.level2}"

    @property
    def elements(self) -> list[str]:
        return vocabulary.split_elements(self.content)

    def applies_to(self, region: Region) -> bool:
        return region.catalog_level in self.levels


# ---------------------------------------------------------------------------
# Derived catalogs (the header; items live in the items app)
# ---------------------------------------------------------------------------


class CatalogStatus(models.TextChoices):
    DRAFTING = "drafting", "编制中"
    PUBLISHED = "published", "已发布"
    REVIEWED = "reviewed", "已复核"
    ENTERED = "entered", "已录入"
    ACCEPTING = "accepting", "验收中"
    ACCEPTED = "accepted", "已验收"
    RETURNED = "returned", "退回整改"


# States in which staff may change the draft. 已录入 and 验收中 are locked for review; after
# 已验收 a county keeps its catalog current (content updates are published without a
# reopening; adding or removing items sends the catalog back to review when published).
EDITABLE_STATUSES = frozenset(
    {
        CatalogStatus.DRAFTING,
        CatalogStatus.PUBLISHED,
        CatalogStatus.REVIEWED,
        CatalogStatus.RETURNED,
        CatalogStatus.ACCEPTED,
    }
)


class CatalogQuerySet(models.QuerySet):
    def for_user(self, user):
        from catalogs.permissions import visible_region_filter

        return self.filter(visible_region_filter(user, prefix="region__"))

    def editable_by(self, user):
        from catalogs.permissions import editable_region_filter

        return self.filter(editable_region_filter(user, prefix="region__"))

    def published(self):
        return self.filter(last_published_at__isnull=False)

    def within(self, region: Region):
        return self.filter(region__path__startswith=region.path)

    def of_governments(self):
        """County and township catalogs: what the city rolls up, the province accepts and the
        assessment scores. Village catalogs (村务/居务) are their townships' to guide."""
        return self.exclude(region__level=RegionLevel.VILLAGE)


class Catalog(models.Model):
    """A county's, a township's or a village's own catalog derived from one standard edition."""

    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="catalogs"
    )
    standard = models.ForeignKey(
        StandardCatalog, verbose_name="标准目录", on_delete=models.PROTECT, related_name="catalogs"
    )
    edition = models.ForeignKey(
        StandardEdition, verbose_name="依据版本", on_delete=models.PROTECT, related_name="catalogs"
    )
    title = models.CharField("目录名称", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=CatalogStatus.choices, default=CatalogStatus.DRAFTING
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Bumped by every item service; "unpublished changes" compares it with the publication.
    draft_changed_at = models.DateTimeField("草稿修改时间", auto_now_add=True)
    # Set by the items app when it publishes (items.Publication holds the content).
    last_published_at = models.DateTimeField("最近公开时间", null=True, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)

    objects = CatalogQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["draft_changed_at", "last_published_at"])

    class Meta:
        verbose_name = "公开事项目录"
        verbose_name_plural = "公开事项目录"
        ordering = ["region__code", "standard__order"]
        constraints = [
            models.UniqueConstraint(fields=["region", "standard"], name="catalog_unique_region"),
            models.CheckConstraint(
                condition=Q(status__in=CatalogStatus.values), name="catalog_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def has_unpublished_changes(self) -> bool:
        return self.last_published_at is None or self.draft_changed_at > self.last_published_at


class CatalogEvent(models.Model):
    """One move of a catalog through its lifecycle: who, when, from, to, why."""

    catalog = models.ForeignKey(
        Catalog, verbose_name="目录", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=10, choices=CatalogStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=CatalogStatus.choices)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "目录状态记录"
        verbose_name_plural = "目录状态记录"
        ordering = ["catalog", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=CatalogStatus.values),
                name="catalog_event_from_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=CatalogStatus.values),
                name="catalog_event_to_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.catalog}: {self.get_from_status_display()} → {self.get_to_status_display()}"
