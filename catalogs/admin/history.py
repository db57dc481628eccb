"""Read-only history (django-simple-history) within the user's scope, and the diff helpers
that show changed values.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from catalogs.admin.scoping import RegionScopedAdmin


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


# ---------------------------------------------------------------------------
# Comparisons: values and changes as one line of Chinese text
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
