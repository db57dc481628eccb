"""Reads of the participation app: current publications, consultations, 采纳情况 deadlines."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from items.deadlines.workdays import UNKNOWN_YEARS_WEEKDAYS, add_workdays
from participation.models import (
    Comment,
    CommentStatus,
    Consultation,
    ParticipationPublication,
    PublishedMatter,
)

# 采纳情况 is due this many working days after a consultation's close date; the province
# sets PARTICIPATION_FEEDBACK_WORKDAYS in its settings (environment) to change it.
DEFAULT_FEEDBACK_WORKDAYS = 15


def feedback_workdays() -> int:
    return int(getattr(settings, "PARTICIPATION_FEEDBACK_WORKDAYS", DEFAULT_FEEDBACK_WORKDAYS))


def feedback_due(closes_on: date, *, calendar=None) -> date:
    """The last day to publish the 采纳情况: N statutory working days after ``closes_on``
    (调休 included; ``calendar`` is ``records.calendar.load_calendar()`` when given)."""
    return add_workdays(
        closes_on, feedback_workdays(), calendar=calendar, unknown_years=UNKNOWN_YEARS_WEEKDAYS
    )


def feedback_overdue(consultation: Consultation, *, today: date, calendar=None) -> bool:
    """Closed, no 采纳情况, and the deadline has passed."""
    if consultation.feedback_published_at is not None or today <= consultation.closes_on:
        return False
    return today > feedback_due(consultation.closes_on, calendar=calendar)


def last_overdue_close(today: date, *, calendar=None) -> date:
    """The latest close date whose 采纳情况 deadline has passed by ``today``: consultations
    closed on or before it without a 采纳情况 are overdue (the deadline grows with the close
    date, so one date splits them)."""
    day = today - timedelta(days=1)
    while feedback_due(day, calendar=calendar) >= today:
        day -= timedelta(days=1)
    return day


def overdue_consultations(queryset, *, today: date, calendar=None):
    return queryset.without_feedback().filter(
        closes_on__lte=last_overdue_close(today, calendar=calendar)
    )


def current_publication(region) -> ParticipationPublication | None:
    """The region's current participation publication with its rows (two queries)."""
    return (
        ParticipationPublication.objects.filter(catalog__region=region, is_current=True)
        .prefetch_related(
            Prefetch("matters", queryset=PublishedMatter.objects.order_by("seq", "pk"))
        )
        .first()
    )


def numbered_publication(region, number: int) -> ParticipationPublication | None:
    return (
        ParticipationPublication.objects.filter(catalog__region=region, number=number)
        .prefetch_related(
            Prefetch("matters", queryset=PublishedMatter.objects.order_by("seq", "pk"))
        )
        .first()
    )


def publication_history(publication: ParticipationPublication) -> list[ParticipationPublication]:
    return list(
        ParticipationPublication.objects.filter(catalog_id=publication.catalog_id)
        .only("pk", "number", "published_at", "matter_count", "note", "is_current", "catalog_id")
        .order_by("number")
    )


def region_consultations(region) -> list[Consultation]:
    """A region's consultations, newest first, with their published comment counts."""
    return list(
        Consultation.objects.filter(region=region)
        .select_related("matter")
        .annotate(
            published_comments=Count("comments", filter=Q(comments__status=CommentStatus.PUBLISHED))
        )
        .order_by("-opens_on", "-pk")
    )


def attach_public_matters(consultations) -> None:
    """Give each consultation ``public_matter``: its matter as the current publication shows
    it (one query), never the draft row a staff edit may have changed since. A matter
    added to the draft after the last publication has no published row: its draft is
    shown, since staff made it public by opening a consultation on it."""
    consultations = list(consultations)
    if not consultations:
        return
    published = {
        row.matter_id: row
        for row in PublishedMatter.objects.filter(
            publication__is_current=True,
            matter_id__in={consultation.matter_id for consultation in consultations},
        ).only("pk", "matter_id", "name", "office")
    }
    for consultation in consultations:
        consultation.public_matter = published.get(consultation.matter_id) or consultation.matter


def published_comments(consultation: Consultation) -> list[Comment]:
    return list(
        consultation.comments.published()
        .only("pk", "text", "submitted_at", "adoption", "adoption_reason", "consultation_id")
        .order_by("submitted_at", "pk")
    )


def consultations_of_regions(region_ids) -> list[Consultation]:
    """Every consultation of the regions (one query), for the rules."""
    return list(
        Consultation.objects.filter(region_id__in=region_ids)
        .only(
            "pk",
            "region_id",
            "field",
            "title",
            "opens_on",
            "closes_on",
            "feedback_published_at",
        )
        .order_by("region_id", "closes_on", "pk")
    )
