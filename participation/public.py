"""What participation adds to public pages (see ``portal.sections``)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.utils import timezone

from catalogs.models import RegionLevel
from catalogs.sections import Section

STATE = "participation"


def region_section(region) -> Section | None:
    """On a county's page: its participation catalog and how many consultations are open
    today (one query; none for other levels)."""
    if region.level != RegionLevel.COUNTY:
        return None
    from participation.models import Consultation, ParticipationPublication

    today = timezone.localdate()
    open_now = (
        Consultation.objects.filter(region=OuterRef("catalog__region"))
        .open_on(today)
        .order_by()
        .values("region")
        .annotate(count=Count("pk"))
        .values("count")
    )
    publication = (
        ParticipationPublication.objects.filter(catalog__region=region, is_current=True)
        .only("pk", "number", "published_at", "matter_count", "title")
        .annotate(open_count=Subquery(open_now, output_field=IntegerField()))
        .first()
    )
    if publication is None:
        return None
    return Section(
        template="participation/_region_section.html",
        context={"publication": publication, "open_count": publication.open_count or 0},
        slot="main",
        order=40,
    )
