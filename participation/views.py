"""Public pages of the participation app: a county's 公众参与事项目录, its consultations, and
the comment form.

The catalog and consultation pages are the same for everyone: they are cached until the
participation data changes (``catalogs.states``) or the day turns (a consultation's status
follows from its dates). The comment form is never cached and carries a CSRF token.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from catalogs import states
from catalogs.models import Region, RegionLevel
from catalogs.web import PUBLIC_CONTENT_SECURITY_POLICY, public_headers
from participation import selectors, services
from participation.forms import CommentForm
from participation.models import Consultation, ConsultationStatus, Method
from participation.public import STATE

CACHE_SECONDS = 3600
# Comments one address may send per hour before the next ones are held for staff.
DEFAULT_COMMENT_RATE = "5/h"


def comment_rate() -> str:
    return getattr(settings, "PARTICIPATION_COMMENT_RATE", DEFAULT_COMMENT_RATE)


_public = public_headers


def _cached(request, name: str, parts: tuple, render_page) -> HttpResponse:
    """``render_page()`` kept until participation data changes or the day turns."""
    today = timezone.localdate()
    raw = repr((request.get_host(), states.state(STATE), today.isoformat(), *parts))
    key = f"participation:{name}:{hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()}"
    content = cache.get(key)
    if content is None:
        response = render_page(today)
        if response.status_code != 200:
            return _public(response)
        content = response.content
        cache.set(key, content, CACHE_SECONDS)
    return _public(HttpResponse(content))


def _county(code: str) -> Region:
    return get_object_or_404(Region, code=code, level=RegionLevel.COUNTY)


def _ancestors(region: Region) -> list[Region]:
    return region.ancestors()


@require_safe
def catalog_page(request, code: str, number: int | None = None):
    """A county's participation catalog: the current publication (or the numbered one),
    its history, and its consultations."""

    def render_page(today):
        region = _county(code)
        if number is None:
            publication = selectors.current_publication(region)
        else:
            publication = selectors.numbered_publication(region, number)
            if publication is None:
                raise Http404("找不到该公开版本。")
        history = selectors.publication_history(publication) if publication else []
        consultations = selectors.region_consultations(region)
        selectors.attach_public_matters(consultations)
        for consultation in consultations:
            consultation.status = consultation.status_on(today)
            consultation.status_text = ConsultationStatus(consultation.status).label
        return render(
            request,
            "participation/catalog.html",
            {
                "region": region,
                "ancestors": _ancestors(region),
                "publication": publication,
                "matters": list(publication.matters.all()) if publication else [],
                "history": history,
                "consultations": consultations,
                "methods": Method,
                "today": today,
                "OPEN": ConsultationStatus.OPEN,
            },
        )

    return _cached(request, "catalog", (code, number), render_page)


@require_safe
def consultation_page(request, pk: int):
    def render_page(today):
        consultation = get_object_or_404(
            Consultation.objects.select_related("region", "matter"), pk=pk
        )
        status = consultation.status_on(today)
        selectors.attach_public_matters([consultation])
        return render(
            request,
            "participation/consultation.html",
            {
                "consultation": consultation,
                "region": consultation.region,
                "ancestors": _ancestors(consultation.region),
                "status": status,
                "status_label": ConsultationStatus(status).label,
                "is_open": status == ConsultationStatus.OPEN,
                "comments": selectors.published_comments(consultation),
                "feedback_due": selectors.feedback_due(consultation.closes_on),
                "today": today,
            },
        )

    return _cached(request, "consultation", (pk,), render_page)


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def comment_page(request, pk: int):
    """The comment form of an open consultation; a closed one answers 410 in Chinese."""
    consultation = get_object_or_404(Consultation.objects.select_related("region"), pk=pk)
    today = timezone.localdate()
    context = {
        "consultation": consultation,
        "region": consultation.region,
        "ancestors": _ancestors(consultation.region),
    }
    status = consultation.status_on(today)
    if status != ConsultationStatus.OPEN:
        context["status_label"] = ConsultationStatus(status).label
        response = render(request, "participation/comment_closed.html", context, status=410)
        response.headers["Content-Security-Policy"] = PUBLIC_CONTENT_SECURITY_POLICY
        return response
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        over_limit = is_ratelimited(
            request,
            group="participation:comment",
            key="ip",
            rate=comment_rate(),
            method="POST",
            increment=True,
        )
        try:
            comment = services.comment_submit(
                consultation=consultation,
                today=today,
                over_limit=over_limit,
                **form.cleaned_data,
            )
        except PermissionDenied as refused:  # closed between loading and sending
            context["status_label"] = str(refused)
            return render(request, "participation/comment_closed.html", context, status=410)
        except ValidationError as error:
            by_field = (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            )
            for field, messages in by_field.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            context["comment"] = comment
            response = render(request, "participation/comment_sent.html", context)
            response.headers["Content-Security-Policy"] = PUBLIC_CONTENT_SECURITY_POLICY
            return response
    context["form"] = form
    response = render(
        request,
        "participation/comment_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
    response.headers["Content-Security-Policy"] = PUBLIC_CONTENT_SECURITY_POLICY
    return response
