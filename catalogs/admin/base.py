"""Shared pieces of the staff admin: region scoping, service calls and Chinese form messages.

The ModelAdmins in ``items.admin`` build on them; this module imports nothing above the
catalogs app.

Staff users hold no Django model permissions. Every admin class derives from
``RegionScopedAdmin``, which answers Django's permission questions from the user's role
and region (``catalogs.permissions``), narrows every queryset with ``for_user`` and
turns a URL that names another region's object into a 404.

Admin classes never call ``save()`` themselves: they call services. When a service
refuses (``ValidationError``/``PermissionDenied``) the transaction is rolled back and the
same form is shown again with the service's message in Chinese.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from catalogs import vocabulary
from catalogs.concurrency import EditConflict, values_at_version
from catalogs.models import Region, RegionLevel
from catalogs.permissions import (
    EDITOR_ROLES,
    can_edit_region,
    can_view_region,
    is_province_admin,
    profile_of,
    visible_region_filter,
)

# ---------------------------------------------------------------------------
# Service errors
# ---------------------------------------------------------------------------


class ServiceRefused(Exception):
    """A service refused a write made from an admin form; carries Chinese messages.

    ``data`` holds form values to show instead of the posted ones when the form is shown
    again (after an edit conflict: the new version, the other person's values); a value
    of ``None`` removes the key.
    """

    def __init__(self, messages: list[str], data: dict[str, list[str] | None] | None = None):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.data = data or {}


def refusal_messages(error: Exception, labels: dict[str, str] | None = None) -> list[str]:
    """The Chinese messages of a ValidationError or PermissionDenied, naming fields."""
    labels = labels or {}
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            result = []
            for field, field_errors in error.message_dict.items():
                label = labels.get(field, "")
                for message in field_errors:
                    named = label and label not in message and field != "__all__"
                    result.append(f"{label}：{message}" if named else message)
            return result
        return list(error.messages)
    return [str(error) or "您无权执行此操作。"]


@contextmanager
def calling_service(
    *, prefix: str = "", labels: dict[str, str] | None = None, form: forms.BaseForm | None = None
):
    """Run a service call from a change form; a refusal re-renders the form.

    Pass the ``form`` that sent a version (``VersionedFormMixin``): after an edit conflict
    it is shown again with the user's input, the current version, and the other person's
    values in the fields the user left as they were.
    """
    try:
        yield
    except EditConflict as conflict:
        raise ServiceRefused(*conflict_feedback(conflict, form)) from conflict
    except (ValidationError, PermissionDenied) as error:
        raise ServiceRefused([prefix + m for m in refusal_messages(error, labels)]) from error


# ---------------------------------------------------------------------------
# Edit conflicts: forms carry the version they showed
# ---------------------------------------------------------------------------

VERSION_FIELD = "seen_version"


class VersionField(forms.IntegerField):
    """The version of the row a form showed, sent back with the save (a hidden input).

    Never a change by itself: an item whose form only carries its version is unchanged.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("label", "版本")
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return False


class VersionedFormMixin:
    """A model form over a versioned row: ``seen_version`` carries the version it showed.

    The form declares ``seen_version = VersionField()`` (so that the admin may name it in
    its fieldsets, where it is rendered hidden); this mixin fills it from the instance.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and VERSION_FIELD in self.fields:
            self.fields[VERSION_FIELD].initial = self.instance.version

    @property
    def seen_version(self) -> int | None:
        """The version the user's page showed (``None`` for a new row or an old page)."""
        if self.instance.pk is None:
            return None
        return self.cleaned_data.get(VERSION_FIELD)


def _same_value(a, b) -> bool:
    empty = (None, "", [], ())
    if a in empty and b in empty:
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return list(a) == list(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return a == b


def _post_values(value) -> list[str] | None:
    """A stored value as the POST values of its form field (``None``: an unticked box)."""
    if isinstance(value, bool):
        return ["on"] if value else None
    if isinstance(value, list | tuple):
        return [str(part) for part in value]
    if value is None:
        return [""]
    if hasattr(value, "pk"):
        return [str(value.pk)]
    if hasattr(value, "isoformat"):
        return [value.isoformat()]
    return [str(value)]


def own_changes(form, values: dict) -> dict:
    """``values`` (a form's changes against the stored row) less the fields the user left
    as the page showed them: on a stale page those differ from the stored row only because
    someone else changed them since, and writing them would undo that change."""
    seen = form.seen_version
    instance = form.instance
    if not values or seen is None or instance.pk is None or seen == instance.version:
        return values
    then = values_at_version(instance, seen, values)
    if then is None:
        return values
    return {name: value for name, value in values.items() if not _same_value(then[name], value)}


def conflict_feedback(conflict: EditConflict, form) -> tuple[list[str], dict]:
    """The messages and the form data to show after ``conflict``.

    The user's input stays. Where the user left a field as it was and the other person
    changed it, the form now shows the other person's value; where both changed it, the
    user's input stays and the message says so. The form carries the current version, so
    that saving again (after checking) is accepted.
    """
    lines = [conflict.messages[0]]
    data: dict[str, list[str] | None] = {}
    if form is None or conflict.deleted:
        return lines, data
    cleaned = getattr(form, "cleaned_data", {}) or {}
    taken, kept = [], []
    for change in conflict.changes:
        if change.name not in form.fields or change.name not in cleaned:
            continue
        if _same_value(cleaned[change.name], change.seen):
            data[form.add_prefix(change.name)] = _post_values(change.current)
            taken.append(change.label)
        elif not _same_value(cleaned[change.name], change.current):
            kept.append(change.label)
    if taken:
        lines.append(
            f"您没有改动的“{'”“'.join(taken)}”已在表单中换成{conflict_editor(conflict)}保存的内容。"
        )
    if kept:
        lines.append(
            f"“{'”“'.join(kept)}”您和{conflict_editor(conflict)}都修改了，表单中保留的是您的输入，"
            "请核对后决定是否保存。"
        )
    if conflict.current_version is not None:
        data[form.add_prefix(VERSION_FIELD)] = [str(conflict.current_version)]
    return lines, data


def conflict_editor(conflict: EditConflict) -> str:
    names = list(dict.fromkeys(editor.name for editor in conflict.editors))
    return "、".join(names) if names else "对方"


def report_refusal(request, error: Exception, *, prefix: str = "", labels=None) -> None:
    """Show a service's refusal of an admin action as an error message."""
    for message in refusal_messages(error, labels):
        messages.error(request, prefix + message)


# ---------------------------------------------------------------------------
# Forms with Chinese messages
# ---------------------------------------------------------------------------


def name_field_in_messages(field: forms.Field, label: str) -> None:
    """Make a form field's error messages name the field, e.g. 请填写“公开依据”。"""
    field.error_messages.update(
        {
            "required": f"请填写“{label}”。",
            "invalid_choice": f"“{label}”中的“%(value)s”不是可选的选项。",
            "invalid": f"“{label}”的格式不正确。",
            "max_length": f"“{label}”最多%(limit_value)d个字符（现为%(show_value)d个）。",
            "min_value": f"“{label}”不能小于%(limit_value)s。",
            "max_value": f"“{label}”不能大于%(limit_value)s。",
        }
    )
    if isinstance(field, forms.IntegerField):
        field.error_messages["invalid"] = f"“{label}”应填写整数。"


class MultilineCharField(forms.CharField):
    """Text from a <textarea>: browsers send CRLF line ends; store (and compare) LF."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ChineseMessagesFormMixin:
    """Field errors name their field; a service's refusal shows as a form error.

    Multi-line text keeps LF line ends, so an unchanged textarea is not a change.
    """

    # Set per request by ``RegionScopedAdmin.get_form`` after a service refused the write.
    service_errors: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            name_field_in_messages(field, str(field.label or name))
            if type(field) is forms.CharField and isinstance(field.widget, forms.Textarea):
                field.__class__ = MultilineCharField

    def clean(self):
        cleaned_data = super().clean()
        for message in self.service_errors:
            self.add_error(None, message)
        return cleaned_data


class AdminModelForm(ChineseMessagesFormMixin, forms.ModelForm):
    pass


class TermsField(forms.MultipleChoiceField):
    """A JSON list of vocabulary terms edited as check boxes, in the vocabulary's order.

    Terms a row already holds that are not in the vocabulary (from an old import) are
    shown too, so that saving never drops them silently; the form refuses them until
    they are unticked.
    """

    widget = forms.CheckboxSelectMultiple(attrs={"class": "gk-terms"})

    def __init__(self, *, vocabulary: Iterable[str], **kwargs):
        self.vocabulary = tuple(vocabulary)
        kwargs.setdefault("required", False)
        super().__init__(choices=[(term, term) for term in self.vocabulary], **kwargs)

    def keep_unknown(self, values) -> None:
        unknown = [value for value in values or [] if value not in self.vocabulary]
        if unknown:
            self.choices = [
                *self.choices,
                *((value, f"{value}（非标准选项）") for value in unknown),
            ]

    def clean(self, value):
        values = super().clean(value)
        unknown = [term for term in values if term not in self.vocabulary]
        if unknown:
            raise ValidationError(
                f"“{self.label}”含有非标准选项：{'、'.join(unknown)}，请取消勾选。",
                code="unknown_term",
            )
        return [term for term in self.vocabulary if term in values]

    def has_changed(self, initial, data):
        return list(initial or []) != list(self.to_python(data) or [])


def show_unknown_terms(form: forms.BaseForm) -> None:
    """Let every TermsField of a bound-to-instance form show the instance's unknown terms."""
    for name, field in form.fields.items():
        if isinstance(field, TermsField):
            field.keep_unknown(form.initial.get(name))


def join_terms(values) -> str:
    """A list element as one line: terms joined with 、, “—” when empty."""
    return "、".join(str(value) for value in values or []) or "—"


class TermDisplayMixin:
    """Read-only displays of the four list elements, joined with 、.

    Works for standard items, items and published items alike; an item's channels
    name its “其他” channel (``channel_labels``), a standard item has none.
    """

    @admin.display(description=vocabulary.ELEMENT_LABELS["channels"])
    def channels_display(self, item):
        return join_terms(getattr(item, "channel_labels", item.channels))

    @admin.display(description=vocabulary.ELEMENT_LABELS["audience"])
    def audience_display(self, item):
        return join_terms(item.audience)

    @admin.display(description=vocabulary.ELEMENT_LABELS["method"])
    def method_display(self, item):
        return join_terms(item.method)

    @admin.display(description=vocabulary.ELEMENT_LABELS["levels"])
    def levels_display(self, item):
        return join_terms(item.levels)


# ---------------------------------------------------------------------------
# Region scoping
# ---------------------------------------------------------------------------


def is_staff_member(user) -> bool:
    """A staff user with a role, or a superuser."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or profile_of(user) is not None)
    )


def may_write_catalogs(user) -> bool:
    """Editors and the province administrator write; reviewers and coordinators read."""
    if is_province_admin(user):
        return True
    profile = profile_of(user)
    return bool(profile and profile.role in EDITOR_ROLES)


def can_view_region_cached(request, region: Region) -> bool:
    """``can_view_region``, asked once per region and request (admin asks many times)."""
    cache = request.__dict__.setdefault("_gk_view_region", {})
    if region.pk not in cache:
        cache[region.pk] = can_view_region(request.user, region)
    return cache[region.pk]


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin that writes only through services and shows their refusals in Chinese."""

    form = AdminModelForm

    def get_actions(self, request):
        # Bulk deletion would bypass the services' checks; deletes happen one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        errors = getattr(request, "service_errors", None)
        if errors:
            form = type(form.__name__, (form,), {"service_errors": tuple(errors)})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The first attempt was rolled back; validate again so the form shows why.
            request.service_errors = refused.messages
            if refused.data:
                post = request.POST.copy()
                for key, values in refused.data.items():
                    if values is None:
                        post.pop(key, None)
                    else:
                        post.setlist(key, values)
                request.POST = post
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        raise NotImplementedError(f"{type(self).__name__} must save through a service")

    def save_formset(self, request, form, formset, change):
        raise NotImplementedError(f"{type(self).__name__} must save inlines through a service")

    def delete_model(self, request, obj):
        raise PermissionDenied("不能在管理后台删除该数据。")

    def delete_queryset(self, request, queryset):
        raise PermissionDenied("不能在管理后台删除该数据。")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionScopedAdmin(ServiceAdmin):
    """A ModelAdmin whose data belongs to a region; access follows the user's role.

    ``region_field`` is the lookup from the model to its Region ("" for Region itself).
    """

    region_field = "region"

    @property
    def region_prefix(self) -> str:
        return f"{self.region_field}__" if self.region_field else ""

    def region_of(self, obj) -> Region:
        for part in filter(None, self.region_field.split("__")):
            obj = getattr(obj, part)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "for_user"):
            return queryset.for_user(request.user)
        return queryset.filter(visible_region_filter(request.user, prefix=self.region_prefix))

    def get_object(self, request, object_id, from_field=None):
        """Another region's object (or none at all) is a 404, never a hint that it exists."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"找不到该{self.opts.verbose_name}，或您无权查看。")
        return obj

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_staff_member(request.user):
            return False
        return obj is None or can_view_region_cached(request, self.region_of(obj))

    def can_change_object(self, user, obj) -> bool:
        return can_edit_region(user, self.region_of(obj))

    def has_change_permission(self, request, obj=None):
        user = request.user
        if not (is_staff_member(user) and may_write_catalogs(user)):
            return False
        return obj is None or self.can_change_object(user, obj)


class StaffReadableAdmin(ServiceAdmin):
    """Province-wide data (the standard catalogs): every staff member reads it."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"找不到该{self.opts.verbose_name}。")
        return obj

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return False


class ChineseHistoryContextHelper(HistoricalRecordContextHelper):
    """Changed values as staff write them: lists joined with 、, empty as （空）."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list | tuple):
            return "、".join(map(str, value)) or "（空）"
        return "（空）" if value in (None, "") else value


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's per-object history (who, when, what), for reading only.

    simple_history's revert would write without a service, so it is off; items are
    restored through their own confirmation page (``ItemAdmin.restore_view``), which calls
    ``items.services.item_restore``.
    """

    object_history_list_template = "admin/history/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryContextHelper(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def _require_visible(self, request, object_id) -> None:
        """Another region's object answers 404 like a missing one (no 403 telling it exists)."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("您要查看的记录不存在，或不在您的管辖范围内。")

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        if request.method == "POST":
            raise PermissionDenied("历史版本页面只能查看；恢复请在修改历史中选择“恢复到此版本”。")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedHistoryAdmin(RegionScopedAdmin, ReadOnlyHistoryAdmin):
    pass


class ReadOnlyScopedAdmin(RegionScopedAdmin):
    """Records nobody changes by hand (publications): view only, within the user's scope."""

    def has_change_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------
# List filters
# ---------------------------------------------------------------------------


class CityFilter(admin.SimpleListFilter):
    """The cities (市州) the user can see; choosing one keeps its counties and townships."""

    title = "所属市(州)"
    parameter_name = "city"
    path_lookup = "region__path"

    def lookups(self, request, model_admin):
        cities = Region.objects.for_user(request.user).filter(level=RegionLevel.CITY)
        return [(city.code, city.name) for city in cities.order_by("code")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        city = (
            Region.objects.for_user(request.user)
            .filter(level=RegionLevel.CITY, code=self.value())
            .first()
        )
        if city is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_lookup}__startswith": city.path})


class CatalogHolderLevelFilter(admin.SimpleListFilter):
    """县级 or 乡级 catalogs."""

    title = "目录层级"
    parameter_name = "level"
    level_lookup = "region__level"

    def lookups(self, request, model_admin):
        return [
            (RegionLevel.COUNTY.value, "县级目录"),
            (RegionLevel.TOWNSHIP.value, "乡级目录"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
            return queryset.filter(**{self.level_lookup: self.value()})
        return queryset


# ---------------------------------------------------------------------------
# The admin's own pages: comparisons and the second step of actions
# ---------------------------------------------------------------------------


def show_value(value) -> str:
    """An element value as one line of Chinese text: lists joined with 、."""
    if isinstance(value, list | tuple):
        parts = [
            "：".join(map(str, part)) if isinstance(part, list | tuple) else str(part)
            for part in value
        ]
        return "、".join(parts) or "（空）"
    return "（空）" if value in (None, "") else str(value)


def change_rows(changes) -> list[dict]:
    return [
        {
            "kind": change.kind,
            "kind_label": change.kind_label,
            "name": change.name,
            "fields": [
                (label, show_value(old), show_value(new)) for label, old, new in change.fields
            ],
        }
        for change in changes
    ]


class ActionForm(ChineseMessagesFormMixin, forms.Form):
    """The second step of an admin action that needs more input (标准目录, 调整说明 ...)."""


def action_step(modeladmin, request, *, action, title, intro, objects, form):
    """Render the intermediate page of an action; it posts back to the same action."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "objects": objects,
        "form": form,
        "opts": modeladmin.opts,
        "action": action,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalogs/action_step.html", context)
