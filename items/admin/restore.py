"""Restoring an item to an earlier version: the confirm form and view, and the history rows
that offer it.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from catalogs.admin.base import (
    VERSION_FIELD,
    ActionForm,
    VersionField,
    refusal_messages,
    show_value,
)
from catalogs.concurrency import user_label
from catalogs.models import StandardItem
from items.admin.item_forms import DERIVED_FIELDS, LABELS
from items.models import Item
from items.services import ELEMENT_FIELDS, extras_as_of, item_restore


class RestoreForm(ActionForm):
    seen_version = VersionField()


def restore_rows(item: Item, record) -> list[dict]:
    """The fields a restore would change: label, current value, restored value."""
    rows = [
        {"label": LABELS.get(name, name), "current": show_value(now), "restored": show_value(then)}
        for name in ELEMENT_FIELDS
        if (now := getattr(item, name)) != (then := getattr(record, name))
    ]
    now = list(item.extra_elements.order_by("order", "pk").values_list("name", "value"))
    then = extras_as_of(item, record.history_date)
    if now != then:
        rows.append(
            {"label": "本地增加要素", "current": show_value(now), "restored": show_value(then)}
        )
    return rows


class ItemRestoreAdminMixin:
    """Restoring an item to one of its history rows (恢复到…), for ``ItemAdmin``: the
    confirm page, and the history page's restore links and first-change delta."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request, object_id, history_id):
        """Confirm, then put the item back as one of its history rows shows it.

        Another region's item is a 404; an item the user may see but not change (a
        reader, or a catalog locked for review) is a 403. The write is ``item_restore``.
        """
        item = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, item):
            raise PermissionDenied("您无权修改该事项，不能恢复其历史版本。")
        record = (
            Item.history.select_related("history_user")
            .filter(id=item.pk, history_id=history_id)
            .exclude(history_type="-")
            .first()
        )
        if record is None:
            raise Http404("找不到该历史版本。")
        form = RestoreForm(request.POST or None, initial={VERSION_FIELD: item.version})
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                item_restore(
                    actor=request.user,
                    item=item,
                    record=record,
                    expected_version=form.cleaned_data[VERSION_FIELD],
                )
            except (ValidationError, PermissionDenied) as error:
                errors = refusal_messages(error)
                item = self.get_object(request, unquote(object_id))
                form = RestoreForm(initial={VERSION_FIELD: item.version})
            else:
                messages.success(
                    request,
                    f"已将“{item}”恢复到{timezone.localtime(record.history_date):%Y-%m-%d %H:%M:%S}"
                    f"的版本（第{record.version}版）；恢复本身也记入了修改历史，可以再次恢复。",
                )
                return redirect("admin:items_item_change", item.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "record": record,
            "editor": user_label(record.history_user) if record.history_user else "系统",
            "title": f"恢复历史版本：{item}",
            "rows": restore_rows(item, record),
            "form": form,
            "errors": errors,
            "change_url": reverse("admin:items_item_change", args=[item.pk]),
            "history_url": reverse("admin:items_item_history", args=[item.pk]),
        }
        return TemplateResponse(request, "admin/items/item/restore.html", context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Also show what the first recorded change changed, and offer 恢复到此版本.

        Derivation creates items in bulk without history rows, so the oldest row of a
        derived item has nothing to be compared with; compare it with the standard item
        it was derived from, which is what the item held until then.
        """
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if not records:
            return
        item = Item.objects.select_related("catalog__region").filter(pk=records[0].id).first()
        newest = (
            Item.history.filter(id=records[0].id)
            .order_by("-history_date", "-history_id")
            .values_list("history_id", flat=True)
            .first()
        )
        may_restore = item is not None and self.has_change_permission(request, item)
        for record in records:
            record.is_current = item is not None and record.history_id == newest
            if may_restore and not record.is_current and record.history_type != "-":
                record.restore_url = reverse(
                    "admin:items_item_restore", args=[item.pk, record.history_id]
                )
        oldest = records[-1]
        if (
            oldest.history_type != "~"
            or getattr(oldest, "history_delta_changes", None)
            or oldest.standard_item_id is None
            or oldest.prev_record is not None
        ):
            return
        standard = StandardItem.objects.filter(pk=oldest.standard_item_id).first()
        if standard is None:
            return
        oldest.history_delta_changes = [
            {
                "field": LABELS.get(name, name),
                "old": show_value(getattr(standard, name)),
                "new": show_value(getattr(oldest, name)),
            }
            for name in DERIVED_FIELDS
            if getattr(standard, name) != getattr(oldest, name)
        ]
