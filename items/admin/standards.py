"""The province's standard catalogs: editions (dynamic adjustment) and their items.

Every staff member reads them; only the province administrator changes them, and only
in a draft edition. Items whose text was not found in any source are 待核对 and shown
as such in lists, filters and a banner naming each unverified field and its provenance.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalogs import vocabulary
from catalogs.admin.base import (
    VERSION_FIELD,
    ActionForm,
    AdminModelForm,
    ReadOnlyHistoryAdmin,
    StaffReadableAdmin,
    TermDisplayMixin,
    TermsField,
    VersionedFormMixin,
    VersionField,
    action_step,
    calling_service,
    change_rows,
    is_staff_member,
    refusal_messages,
    report_refusal,
    show_unknown_terms,
    show_value,
)
from catalogs.models import (
    EditionStatus,
    StandardCatalog,
    StandardEdition,
    StandardItem,
)
from catalogs.permissions import is_province_admin
from catalogs.selectors import COMPARED_FIELDS, edition_changes
from catalogs.services import (
    edition_create_draft,
    edition_publish,
    standard_item_delete,
    standard_item_save,
)
from items.admin.excel import StandardEditionExcelAdminMixin

PROVENANCE_LABELS = {
    "verbatim": "见于原文",
    "reconstructed": "据其他版本重建",
    "partial": "仅见部分原文",
    "missing": "未见原文，暂用推测值",
}


@admin.register(StandardCatalog)
class StandardCatalogAdmin(StaffReadableAdmin):
    list_display = ("title", "field", "code", "current_edition_display", "editions_link")
    fields = ("title", "field", "code", "current_edition_display", "editions_link")
    readonly_fields = fields

    @admin.display(description="现行版本")
    def current_edition_display(self, standard):
        edition = standard.current_edition
        return f"第{edition.version}版" if edition else "尚无已发布版本"

    @admin.display(description="全部版本")
    def editions_link(self, standard):
        url = reverse("admin:catalogs_standardedition_changelist")
        return format_html('<a href="{}?standard__id__exact={}">查看全部版本</a>', url, standard.pk)


class AdjustmentForm(ActionForm):
    title = forms.CharField(
        label="版本名称",
        max_length=120,
        required=False,
        help_text="留空则自动命名为“……第N版”。",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    note = forms.CharField(
        label="调整说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="例如依据的文件、调整的原因。",
    )


@admin.register(StandardEdition)
class StandardEditionAdmin(StandardEditionExcelAdminMixin, StaffReadableAdmin):
    change_form_template = "admin/catalogs/standardedition/change_form.html"
    list_display = (
        "__str__",
        "status",
        "published_at",
        "item_count",
        "unverified_count",
        "catalog_count",
    )
    list_filter = ("standard", "status")
    list_select_related = ("standard",)
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("standard", "version"),
                    "title",
                    ("status", "published_at", "published_by"),
                ]
            },
        ),
        ("来源与说明", {"fields": ["basis_document", "source", "note", "created_at"]}),
    ]
    readonly_fields = (
        "standard",
        "version",
        "title",
        "status",
        "published_at",
        "published_by",
        "basis_document",
        "source",
        "note",
        "created_at",
    )
    actions = ["create_adjustment", "publish_editions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                items_total=Count("items", distinct=True),
                unverified_total=Count(
                    "items", filter=Q(items__needs_verification=True), distinct=True
                ),
                catalogs_total=Count("catalogs", distinct=True),
            )
        )

    def has_manage_permission(self, request):
        return is_staff_member(request.user) and is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        # A draft's items are edited (or imported) by the province administrator.
        if not self.has_manage_permission(request):
            return False
        return obj is None or obj.status == EditionStatus.DRAFT

    def save_model(self, request, obj, form, change):
        """The edition's own fields are set when it is created; nothing to save here."""

    def save_formset(self, request, form, formset, change):
        """No inlines: items are edited on their own pages."""

    @admin.display(description="事项数", ordering="items_total")
    def item_count(self, edition):
        return edition.items_total

    @admin.display(description="待核对事项", ordering="unverified_total")
    def unverified_count(self, edition):
        if not edition.unverified_total:
            return "0"
        return format_html('<strong class="gk-warn">{} 项待核对</strong>', edition.unverified_total)

    @admin.display(description="派生目录数", ordering="catalogs_total")
    def catalog_count(self, edition):
        return edition.catalogs_total

    def previous_edition(self, edition):
        return (
            edition.standard.editions.published()
            .filter(version__lt=edition.version)
            .order_by("-version")
            .first()
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            items = list(obj.items.order_by("seq"))
            context.update(
                {
                    "show_save": False,
                    "show_save_and_continue": False,
                    "show_save_and_add_another": False,
                    "show_delete_link": False,
                    "edition_items": [
                        {
                            "item": item,
                            "levels": "、".join(item.levels),
                            "url": reverse("admin:catalogs_standarditem_change", args=[item.pk]),
                            "unverified": unverified_fields(item),
                        }
                        for item in items
                    ],
                    "unverified_items": [item for item in items if item.needs_verification],
                    "previous_edition": self.previous_edition(obj),
                    "compare_url": reverse("admin:catalogs_standardedition_compare", args=[obj.pk]),
                    "is_draft": obj.status == EditionStatus.DRAFT,
                    "can_manage": self.has_manage_permission(request),
                    "add_item_url": reverse("admin:catalogs_standarditem_add")
                    + f"?edition={obj.pk}",
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, object_id):
        edition = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        previous = self.previous_edition(edition)
        rows = change_rows(edition_changes(previous, edition)) if previous else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": edition,
            "title": f"{edition} 与上一版本比较",
            "intro": (
                f"与第{previous.version}版相比，第{edition.version}版的变化（按事项标识对应）。"
                if previous
                else "这是第一个版本，没有可比较的上一版本。"
            ),
            "rows": rows,
            "has_base": previous is not None,
            "back_url": reverse("admin:catalogs_standardedition_change", args=[edition.pk]),
        }
        return TemplateResponse(request, "admin/catalogs/changes.html", context)

    @admin.action(description="新建调整版本", permissions=["manage"])
    def create_adjustment(self, request, queryset):
        standards = list(
            StandardCatalog.objects.filter(editions__in=queryset).distinct().order_by("order")
        )
        form = AdjustmentForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            created = []
            for standard in standards:
                try:
                    created.append(
                        edition_create_draft(
                            actor=request.user,
                            standard=standard,
                            title=form.cleaned_data["title"] if len(standards) == 1 else "",
                            note=form.cleaned_data["note"],
                        )
                    )
                except (ValidationError, PermissionDenied) as error:
                    report_refusal(request, error)
            for edition in created:
                messages.success(
                    request,
                    f"已新建“{edition}”（草稿），内容复制自现行版本。修改事项或导入正式Excel文件后，"
                    "执行“发布版本”。",
                )
            if len(created) == 1:
                return redirect("admin:catalogs_standardedition_change", created[0].pk)
            return None
        return action_step(
            self,
            request,
            action="create_adjustment",
            title="新建调整版本",
            intro="为所选标准目录新建一个草稿版本（动态调整）。草稿复制现行版本的全部事项；"
            "已派生的目录仍保留原来依据的版本。",
            objects=standards,
            form=form,
        )

    @admin.action(description="发布版本", permissions=["manage"])
    def publish_editions(self, request, queryset):
        for edition in queryset:
            try:
                edition_publish(actor=request.user, edition=edition)
            except (ValidationError, PermissionDenied) as error:
                report_refusal(request, error, prefix=f"“{edition}”未发布：")
            else:
                messages.success(
                    request,
                    f"已发布“{edition}”。已派生的目录仍保留原版本，可在目录页面“与新版标准比较”。",
                )


def unverified_fields(item: StandardItem) -> list[dict]:
    """The fields of a standard item still to be checked, with where their text came from."""
    return [
        {
            "field": field,
            "label": COMPARED_FIELDS.get(field, field),
            "provenance": PROVENANCE_LABELS.get(item.provenance.get(field), "来源不明"),
            "value": show_value(getattr(item, field, "")),
        }
        for field in item.unverified_fields
    ]


class StandardItemForm(VersionedFormMixin, AdminModelForm):
    seen_version = VersionField()
    channels = TermsField(vocabulary=vocabulary.CHANNELS, label="公开渠道和载体")
    audience = TermsField(vocabulary=vocabulary.AUDIENCES, label="公开对象")
    method = TermsField(vocabulary=vocabulary.METHODS, label="公开方式")
    levels = TermsField(vocabulary=vocabulary.ITEM_LEVELS, label="公开层级")
    unverified_fields = forms.MultipleChoiceField(
        label="待核对字段",
        choices=list(COMPARED_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "gk-terms"}),
        required=False,
        help_text="已对照正式文件核对的字段请取消勾选；全部取消后，该事项不再标记为待核对。",
    )

    class Meta:
        model = StandardItem
        fields = [
            "edition",
            "key",
            "seq",
            "level1",
            "level2",
            "content",
            "basis",
            "deadline",
            "subject",
            "channels",
            "audience",
            "method",
            "levels",
            "unverified_fields",
            "notes",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 5, "cols": 60}),
            "basis": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "notes": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_unknown_terms(self)
        if "edition" in self.fields:
            self.fields["edition"].queryset = StandardEdition.objects.filter(
                status=EditionStatus.DRAFT
            ).select_related("standard")
            self.fields[
                "edition"
            ].help_text = (
                "只能向草稿版本添加事项；没有草稿时，请先在“标准目录版本”中执行“新建调整版本”。"
            )
        if "key" in self.fields:
            self.fields["key"].required = False
            self.fields[
                "key"
            ].help_text = "留空则自动生成。同一事项在各版本中标识相同，用于版本比较。"


class VerificationFilter(admin.SimpleListFilter):
    title = "待核对"
    parameter_name = "unverified"

    def lookups(self, request, model_admin):
        return [("yes", "待核对"), ("no", "已核对")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_verification=True)
        if self.value() == "no":
            return queryset.filter(needs_verification=False)
        return queryset


@admin.register(StandardItem)
class StandardItemAdmin(TermDisplayMixin, StaffReadableAdmin, ReadOnlyHistoryAdmin):
    form = StandardItemForm
    change_form_template = "admin/catalogs/standarditem/change_form.html"
    list_display = ("seq", "level1", "level2", "edition_display", "levels_display", "verification")
    list_display_links = ("seq", "level1")
    list_select_related = ("edition__standard",)
    list_filter = (VerificationFilter, "edition__standard", "edition__status", "edition")
    search_fields = ("level1", "level2", "key")
    search_help_text = "按一级事项、二级事项或事项标识搜索"
    readonly_fields = ("provenance_display", "provenance_note_display", "style_a_display")

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        head = ["edition", "key"] if obj is None else [("edition", "key")]
        if obj is not None and editable:
            head.append(VERSION_FIELD)
        fieldsets = [
            (None, {"fields": [*head, ("seq", "level1", "level2")]}),
            (
                "要素",
                {
                    "fields": [
                        "content",
                        "basis",
                        ("deadline", "subject"),
                        "channels",
                        ("audience", "method", "levels"),
                    ]
                },
            ),
            ("核对", {"fields": ["unverified_fields", "notes"]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "来源",
                    {
                        "fields": [
                            "provenance_display",
                            "provenance_note_display",
                            "style_a_display",
                        ],
                        "classes": ["collapse"],
                    },
                )
            )
        if not editable:
            fieldsets[1][1]["fields"][3:] = [
                "channels_display",
                ("audience_display", "method_display", "levels_display"),
            ]
            fieldsets[2][1]["fields"] = ["verification", "notes"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly += ["edition", "key"]
            if not self.has_change_permission(request, obj):
                readonly += [
                    "channels_display",
                    "audience_display",
                    "method_display",
                    "levels_display",
                    "verification",
                ]
        return readonly

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("unverified_fields", [])
        return initial

    def has_change_permission(self, request, obj=None):
        if not (is_staff_member(request.user) and is_province_admin(request.user)):
            return False
        return obj is None or obj.edition.status == EditionStatus.DRAFT

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.needs_verification = bool(obj.unverified_fields)
        with calling_service(labels=COMPARED_FIELDS, form=form):
            standard_item_save(actor=request.user, item=obj, expected_version=form.seen_version)

    def delete_model(self, request, obj):
        try:
            standard_item_delete(actor=request.user, item=obj)
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied("；".join(refusal_messages(error))) from error

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["unverified"] = unverified_fields(obj)
            context["edition_is_draft"] = obj.edition.status == EditionStatus.DRAFT
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="版本", ordering="edition__version")
    def edition_display(self, item):
        return f"{item.edition.standard.field} 第{item.edition.version}版（{item.edition.get_status_display()}）"

    @admin.display(description="待核对", ordering="-needs_verification")
    def verification(self, item):
        if not item.needs_verification:
            return "—"
        labels = "、".join(COMPARED_FIELDS.get(field, field) for field in item.unverified_fields)
        return format_html('<strong class="gk-warn">待核对：{}</strong>', labels)

    @admin.display(description="字段来源")
    def provenance_display(self, item):
        rows = [
            (COMPARED_FIELDS.get(field, field), PROVENANCE_LABELS.get(source, source))
            for field, source in item.provenance.items()
            if field in COMPARED_FIELDS
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}</li>", rows))

    @admin.display(description="来源考证记录")
    def provenance_note_display(self, item):
        """The researchers' record of how the row was rebuilt, quoted as written (in English,
        naming the published copies by their short source keys)."""
        if not item.provenance_note:
            return "—"
        return format_html(
            '<p class="gk-hint">整理标准目录时的考证记录（原文为英文，按原样保留）：</p>'
            '<p class="gk-provenance-note" lang="en">{}</p>',
            item.provenance_note,
        )

    @admin.display(description="另一种常见表述")
    def style_a_display(self, item):
        rows = [(COMPARED_FIELDS.get(f, f), show_value(v)) for f, v in item.style_a_variant.items()]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}</li>", rows))
