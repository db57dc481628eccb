"""Staff views of the guides app (mounted at /guides/, strict CSP, no-store)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from guides.models import ServiceGuide
from items.models import Item


@require_safe
@staff_member_required
def edit_for_item(request, item_id: int):
    """“编辑办事指南” of an item: its guide's admin page, or a new guide for it."""
    item = Item.objects.for_user(request.user).filter(pk=item_id).first()
    if item is None:
        raise Http404("找不到该公开事项，或您无权查看。")
    guide_id = ServiceGuide.objects.filter(item=item).values_list("pk", flat=True).first()
    if guide_id is not None:
        return redirect(reverse("admin:guides_serviceguide_change", args=[guide_id]))
    return redirect(f"{reverse('admin:guides_serviceguide_add')}?item={item.pk}")
