"""The scoring scheme (edited by the province administrator) and the overrides (read only)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from assessment.models import Indicator, MarkOverride, ScoringScheme, weights_error
from catalogs.admin.base import is_staff_member
from catalogs.permissions import is_province_admin, is_province_reviewer


class IndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            form.cleaned_data.get("weight") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        error = weights_error(weights)
        if error:
            raise ValidationError(error)


class ProvinceEditsMixin:
    def has_module_permission(self, request):
        return is_province_reviewer(request.user) and is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_province_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_province_admin(request.user)


class IndicatorInline(ProvinceEditsMixin, admin.TabularInline):
    model = Indicator
    formset = IndicatorFormSet
    extra = 0
    fields = ["order", "name", "weight", "kind", "dimension", "milestone_code"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ProvinceEditsMixin, admin.ModelAdmin):
    list_display = ["name", "is_active", "updated_at"]
    inlines = [IndicatorInline]


@admin.register(MarkOverride)
class MarkOverrideAdmin(ProvinceEditsMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "item_label",
        "dimension",
        "previous_mark",
        "mark",
        "reason",
        "created_by",
        "created_at",
    ]
    list_filter = ["year", "dimension"]
    search_fields = ["item_label", "reason"]

    # Overrides are a record of decisions: made on the item grid, never edited here.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
