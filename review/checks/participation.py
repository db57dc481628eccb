"""R23: consultations and their 采纳情况 (participation app).

A county's consultations (意见征集) are not items of a derived catalog, so a hit is
attached to one of the county's catalogs in the run: the catalog of the consultation's
field (社会救助 / 养老服务), or else the county's first catalog in the run (region code
order). ``load_consultations`` loads every consultation of the run's regions, the fields of
the standards and the working-day calendar in three queries however many catalogs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from catalogs.models import StandardCatalog
from items.deadlines.workdays import WORKDAY, format_amount
from participation.models import Consultation
from participation.selectors import consultations_of_regions, feedback_due, feedback_workdays
from records.calendar import TableCalendar, load_calendar
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext

DATA_KEY = "participation"


def current_date() -> date:
    """Today in the portal's time zone (tests pin it)."""
    return timezone.localdate()


@dataclass
class ParticipationData:
    """The consultations whose hits belong to one catalog of the run."""

    today: date
    calendar: TableCalendar
    consultations: list[Consultation] = field(default_factory=list)


def load_consultations(contexts: list[CatalogContext]) -> None:
    """Hand each context the consultations its hits belong to (three queries in all)."""
    if any(DATA_KEY in context.data for context in contexts):
        return
    today = current_date()
    calendar = load_calendar()
    fields = dict(StandardCatalog.objects.values_list("pk", "field"))
    by_region: dict[int, list[CatalogContext]] = defaultdict(list)
    for context in contexts:
        by_region[context.catalog.region_id].append(context)
        context.data[DATA_KEY] = ParticipationData(today=today, calendar=calendar)
    for consultation in consultations_of_regions(list(by_region)):
        candidates = by_region[consultation.region_id]
        holder = next(
            (c for c in candidates if fields.get(c.catalog.standard_id) == consultation.field),
            candidates[0],
        )
        holder.data[DATA_KEY].consultations.append(consultation)


@rule(
    "R23-participation",
    WARNING,
    "意见征集按期公布采纳情况",
    "意见征集结束后，应在规定的工作日内公布意见采纳情况（采纳了什么、未采纳的理由）；"
    "截止日期已过仍未公布的列出。期限按省级设定的工作日数从征集截止日起计算，含调休。",
    prepare=load_consultations,
)
def check_participation_feedback(context: CatalogContext):
    if DATA_KEY not in context.data:
        load_consultations([context])
    data: ParticipationData = context.data[DATA_KEY]
    for consultation in data.consultations:
        if consultation.feedback_published_at is not None:
            continue
        if data.today <= consultation.closes_on:
            continue
        due = feedback_due(consultation.closes_on, calendar=data.calendar)
        if data.today <= due:
            continue
        yield Hit(
            f"意见征集“{consultation.title}”已于{consultation.closes_on:%Y年%m月%d日}结束，"
            f"采纳情况应在截止后{format_amount(feedback_workdays(), WORKDAY)}内"
            f"（{due:%Y年%m月%d日}前）公布，至今未公布。",
            key=f"consultation:{consultation.pk}",
        )
