"""Staff pages of the records app: the reviewers' evidence screen and evidence photos.

Photos are served through ``photo`` (never from a public media URL): a photo of a 公示栏
may show recipients' names and ID numbers, so only staff who may read the region see it,
unless staff marked it public.
"""

import mimetypes

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalogs.models import Catalog
from catalogs.permissions import is_province_reviewer, profile_of
from records.calendar import load_calendar
from records.models import RecordChannel
from records.selectors import Cell, evidence_grid, evidence_summaries, photo_visible_to


@require_safe
def photo(request, pk: int):
    channel = get_object_or_404(RecordChannel.objects.select_related("record"), pk=pk)
    if not photo_visible_to(channel, request.user):
        raise Http404("照片不存在或无权查看。")
    content_type = mimetypes.guess_type(channel.photo.name)[0] or "application/octet-stream"
    response = FileResponse(channel.photo.open("rb"), content_type=content_type)
    # Public photos may be cached like the public pages; staff-only ones never.
    response["Cache-Control"] = (
        "public, max-age=300" if channel.photo_public else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@never_cache
@staff_member_required
def evidence(request, catalog_id: int):
    """Items × promised channels of one catalog: on time / late / missing / no evidence /
    broken, with links and photos (reachable from the acceptance page)."""
    catalog = get_object_or_404(
        Catalog.objects.for_user(request.user).select_related("region", "standard"),
        pk=catalog_id,
    )
    today = timezone.localdate()
    rows = evidence_grid(catalog, today=today, calendar=load_calendar())
    counts = dict.fromkeys(Cell.LABELS, 0)
    for row in rows:
        for cell in row.cells:
            counts[cell.state] += 1
    return render(
        request,
        "records/evidence.html",
        {
            "catalog": catalog,
            "rows": rows,
            "today": today,
            "legend": [(state, label, counts[state]) for state, label in Cell.LABELS.items()],
            "summary": evidence_summaries([catalog.pk])[catalog.pk],
            "is_reviewer": is_province_reviewer(request.user),
            "staff_profile": profile_of(request.user),
        },
    )
