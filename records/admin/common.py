"""What the records admin modules share: field labels, the upload size limit, the
catalogs a user may record for.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied

from catalogs.admin.base import refusal_messages
from catalogs.models import Catalog
from records.excel import MAX_UPLOAD_BYTES

LABELS = {
    "item": "公开事项",
    "title": "信息标题",
    "document_number": "文号",
    "kind": "信息类别",
    "formed_on": "形成日期",
    "published_on": "发布日期",
    "notice_start": "公示开始",
    "notice_end": "公示结束",
    "photo_taken_on": "拍摄日期",
    "url": "网址",
    "date": "日期",
}
SALT = "records.admin.import"


def max_upload_bytes() -> int:
    """The largest sheet that still fits back into the confirm form as base64."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_UPLOAD_BYTES
    return min(MAX_UPLOAD_BYTES, int(limit * 0.7))


def _raise_as_permission(error: Exception) -> None:
    raise PermissionDenied("；".join(refusal_messages(error))) from error


def editable_catalogs(user):
    """The catalogs ``user`` may record for, whatever their review status."""
    return Catalog.objects.editable_by(user).select_related("region", "standard")


def catalog_label(catalog: Catalog) -> str:
    return f"{catalog.region.name} · {catalog.standard.field}（{catalog.region.code}）"


class CatalogChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return catalog_label(obj)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"第{obj.seq}项 {obj.name}（公开时限：{obj.deadline or '未填写'}）"
