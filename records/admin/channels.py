"""The channels of a record: the inline, with evidence photos, and what the admin does with
its rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from catalogs.admin.base import ChineseMessagesFormMixin, is_staff_member, may_write_catalogs
from records.models import ChannelCheck, DisclosureRecord, RecordChannel
from records.services import (
    can_record,
    channel_photo_attach,
    channel_photo_describe,
    channel_photo_remove,
)


class ChannelForm(ChineseMessagesFormMixin, forms.ModelForm):
    url = forms.URLField(
        label="网址",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 40}),
    )
    upload = forms.FileField(
        label="上传照片",
        required=False,
        help_text="JPEG或PNG，不超过5MB；上传后会去除拍摄位置等EXIF信息。",
    )
    remove_photo = forms.BooleanField(label="删除照片", required=False)

    class Meta:
        model = RecordChannel
        fields = ["channel", "url", "location", "photo_taken_on", "photo_public"]
        widgets = {"location": forms.TextInput(attrs={"size": 30})}

    def validate_unique(self):
        """The service checks the channel (online: a URL; offline: a place) in Chinese."""

    def _post_clean(self):
        # The model's constraints are the service's to check (with Chinese messages).
        pass


class ChannelFormSet(BaseInlineFormSet):
    def validate_unique(self):
        """A channel listed twice is refused by the service, in Chinese."""


class RecordChannelInline(admin.TabularInline):
    model = RecordChannel
    form = ChannelForm
    formset = ChannelFormSet
    extra = 1
    fields = [
        "channel",
        "url",
        "location",
        "photo_link",
        "upload",
        "photo_taken_on",
        "photo_public",
        "remove_photo",
        "last_check",
    ]
    readonly_fields = ["photo_link", "last_check"]
    verbose_name = "公开渠道"
    verbose_name_plural = "公开渠道（线上渠道填写网址，线下渠道填写查阅位置，可附现场照片）"

    @admin.display(description="现场照片")
    def photo_link(self, channel):
        if not channel or not channel.photo:
            return "—"
        taken = f"（{channel.photo_taken_on:%Y-%m-%d}）" if channel.photo_taken_on else ""
        shown = "已向公众展示" if channel.photo_public else "仅工作人员可见"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看照片{}</a><br><small>{}</small>',
            reverse("records:photo", args=[channel.pk]),
            taken,
            shown,
        )

    @admin.display(description="最近检查")
    def last_check(self, channel):
        if not channel or not channel.pk or not channel.url:
            return "—"
        check = ChannelCheck.objects.filter(channel=channel).order_by("-checked_at", "-pk").first()
        if check is None:
            return "尚未检查"
        when = timezone.localtime(check.checked_at).strftime("%Y-%m-%d %H:%M")
        if check.broken:
            return f"{when} 已失效（{check.error}）"
        if not check.ok:
            return f"{when} 访问失败（{check.error}）"
        if check.title_found is False:
            return f"{when} 可访问，但页面上找不到标题或文号"
        return f"{when} 正常"

    def _writable(self, request, obj) -> bool:
        if obj is None:
            return may_write_catalogs(request.user)
        return can_record(request.user, obj.catalog.region)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj)


def _channel_rows(formset) -> tuple[list[dict], list[tuple[str, dict]]]:
    """The channels the inline shows (in order) and, per kept channel, what to do with its
    photo: ``(channel, cleaned data)``."""
    channels, photos = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("channel"):
            continue
        channels.append(
            {
                "channel": data["channel"],
                "url": data.get("url") or "",
                "location": data.get("location") or "",
            }
        )
        photos.append((data["channel"], data))
    return channels, photos


def _apply_photos(actor, record: DisclosureRecord, photos) -> None:
    rows = {row.channel: row for row in record.channels.all()}
    for channel, data in photos:
        row = rows.get(channel)
        if row is None:
            continue
        taken_on, public = data.get("photo_taken_on"), bool(data.get("photo_public"))
        if data.get("upload"):
            channel_photo_attach(
                actor=actor, channel=row, upload=data["upload"], taken_on=taken_on, public=public
            )
        elif data.get("remove_photo") and row.photo:
            channel_photo_remove(actor=actor, channel=row)
        elif row.photo and (row.photo_taken_on, row.photo_public) != (taken_on, public):
            channel_photo_describe(actor=actor, channel=row, taken_on=taken_on, public=public)
        elif not row.photo and public:
            raise ValidationError(f"“{channel}”没有照片，不能设为向公众展示。")
