"""采用新版 and 关联标准事项: two pages of a derived catalog, mixed into ``CatalogAdmin``.

URLs (each wrapped in ``admin_site.admin_view``)::

    admin:catalogs_catalog_adopt          <pk>/adopt/           three-way comparison, decide, save
    admin:catalogs_catalog_link_standard  <pk>/link-standard/   local items close to a missing
                                                                 standard item, linked in one click

Both read through ``items.adoption`` and write through its services, which check the actor;
a catalog the user may not see is a 404, one she may see but not edit is a 403 on POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime

from catalogs.admin.base import refusal_messages
from catalogs.models import StandardItem
from items.adoption import (
    ADJUST,
    DELETE,
    KEEP_AS_LOCAL,
    KEEP_LOCAL,
    TAKE_STANDARD,
    adoption_plan,
    catalog_adopt_edition,
    display_value,
    item_link_standard,
    link_suggestions,
)

CHOICES = ((TAKE_STANDARD, "采用新版"), (KEEP_LOCAL, "保留本地"), (ADJUST, "调整为"))


class CatalogAdoptionAdminMixin:
    """Adds the 采用新版 and 关联标准事项 pages to the catalog admin."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/adopt/",
                self.admin_site.admin_view(self.adopt_view),
                name="{}_{}_adopt".format(*info),
            ),
            path(
                "<path:object_id>/link-standard/",
                self.admin_site.admin_view(self.link_standard_view),
                name="{}_{}_link_standard".format(*info),
            ),
            *super().get_urls(),
        ]

    def _adoption_catalog(self, request, object_id):
        catalog = self.get_object(request, unquote(object_id))
        if catalog is None or not self.has_view_permission(request, catalog):
            from django.http import Http404

            raise Http404
        if request.method == "POST" and not self.has_change_permission(request, catalog):
            raise PermissionDenied("您无权修改该目录。")
        return catalog

    def _adoption_page(self, request, catalog, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": catalog,
                "change_url": reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
                **context,
            },
        )

    def adopt_view(self, request, object_id):
        catalog = self._adoption_catalog(request, object_id)
        errors, plan = [], None
        try:
            plan = adoption_plan(catalog)
        except ValidationError as error:
            errors = refusal_messages(error)
        if request.method == "POST" and plan is not None:
            decisions = {}
            for merge, element in plan.conflicts:
                name = f"c-{merge.item.pk}-{element.field}"
                decisions[f"{merge.item.pk}:{element.field}"] = (
                    request.POST.get(name, ""),
                    request.POST.get(f"{name}-value", ""),
                )
            removals = {
                item.pk: DELETE if request.POST.get(f"r-{item.pk}") == DELETE else KEEP_AS_LOCAL
                for item in plan.removed
            }
            try:
                done = catalog_adopt_edition(
                    actor=request.user,
                    catalog=catalog,
                    decisions=decisions,
                    removals=removals,
                    expected_changed_at=parse_datetime(request.POST.get("changed_at", "")),
                )
            except (ValidationError, PermissionDenied) as error:
                errors = refusal_messages(error)
            else:
                messages.success(
                    request,
                    f"“{catalog}”已采用第{done.new_edition.version}版标准目录（{done.summary()}）。"
                    "请核对后发布，公众看到的仍是上次发布的版本。",
                )
                return redirect("admin:catalogs_catalog_change", catalog.pk)
        rows = []
        if plan is not None:
            for merge in plan.merged:
                shown = [
                    {
                        "element": element,
                        "old": display_value(element.old),
                        "new": display_value(element.new),
                        "mine": display_value(element.mine),
                        "result": display_value(element.result),
                        "name": f"c-{merge.item.pk}-{element.field}",
                        "chosen": request.POST.get(f"c-{merge.item.pk}-{element.field}", ""),
                        "value": request.POST.get(f"c-{merge.item.pk}-{element.field}-value", ""),
                    }
                    for element in merge.elements
                    if element.province_changed or element.county_changed
                ]
                if shown:
                    rows.append({"merge": merge, "elements": shown})
        return self._adoption_page(
            request,
            catalog,
            "admin/catalogs/catalog/adopt.html",
            title=f"采用新版：{catalog}",
            plan=plan,
            rows=rows,
            choices=CHOICES,
            errors=errors,
            can_change=self.has_change_permission(request, catalog),
            changed_at=catalog.draft_changed_at.isoformat(),
        )

    def link_standard_view(self, request, object_id):
        catalog = self._adoption_catalog(request, object_id)
        errors = []
        if request.method == "POST":
            item = catalog.items.filter(pk=request.POST.get("item") or 0).first()
            standard_item = StandardItem.objects.filter(
                pk=request.POST.get("standard_item") or 0
            ).first()
            if item is None or standard_item is None:
                errors = ["所选事项不存在，请刷新页面后重试。"]
            else:
                try:
                    item_link_standard(actor=request.user, item=item, standard_item=standard_item)
                except (ValidationError, PermissionDenied) as error:
                    errors = refusal_messages(error)
                else:
                    messages.success(
                        request,
                        f"第{item.seq}项已关联标准事项“{standard_item.level1} · "
                        f"{standard_item.level2}”，名称已改为标准名称。",
                    )
                    return redirect("admin:catalogs_catalog_link_standard", catalog.pk)
        return self._adoption_page(
            request,
            catalog,
            "admin/catalogs/catalog/adopt_link.html",
            title=f"关联标准事项：{catalog}",
            suggestions=link_suggestions(catalog),
            errors=errors,
            can_change=self.has_change_permission(request, catalog),
        )
