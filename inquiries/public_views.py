"""The citizen's pages: leave a question or correction on an item, see what was received,
look up the status and answer with the reference.

These pages hold a form with a CSRF token, so they are never cached (``no-store``), unlike
the item page that links to them. The reference is handed from the submission to the
confirmation page in the session, never in a URL (it unlocks a private answer).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from catalogs.web import PUBLIC_CONTENT_SECURITY_POLICY
from inquiries import services
from inquiries.forms import AskForm, LookupForm
from inquiries.models import Inquiry, InquirySettings, Status

SESSION_KEY = "inquiries_received"
LOOKUPS_PER_HOUR = 30


def form_page(view):
    """A citizen page with a form: GET and POST, never cached, the site's CSP."""

    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response.headers.setdefault("Content-Security-Policy", PUBLIC_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return wrapped


def _over_limit(request, group: str, per_hour: int) -> bool:
    """Count this request against the client address (django-ratelimit, not blocking).

    The address is the proxy-aware one of ``RATELIMIT_IP_META_KEY``; the counter lives in
    the shared cache, so every worker counts together. An unreadable address counts as over.
    """
    try:
        return is_ratelimited(
            request, group=group, key="ip", rate=f"{per_hour}/h", method="POST", increment=True
        )
    except ValueError:
        return True


def _client_address(request) -> str | None:
    try:
        return import_string(settings.RATELIMIT_IP_META_KEY)(request)
    except (ImportError, AttributeError):
        return request.META.get("REMOTE_ADDR")


def _item_or_404(public_id):
    item = services.current_item(public_id)
    if item is None:
        raise Http404("事项不存在或尚未公开。")
    return item


@form_page
def ask(request, public_id):
    item = _item_or_404(public_id)
    catalog = item.publication.catalog
    config = InquirySettings.load()
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            over = _over_limit(request, "inquiries.submit", config.hourly_limit)
            try:
                inquiry = services.inquiry_submit(
                    item_public_id=item.public_id,
                    client_address=_client_address(request),
                    over_limit=over,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                request.session[SESSION_KEY] = inquiry.reference
                return redirect("site:inquiries_received", public_id=item.public_id)
    else:
        form = AskForm()
    status = 400 if form.is_bound else 200
    return render(
        request,
        "inquiries/ask.html",
        {
            "item": item,
            "catalog": catalog,
            "region": catalog.region,
            "form": form,
            "config": config,
        },
        status=status,
    )


@form_page
def received(request, public_id):
    reference = request.session.get(SESSION_KEY)
    inquiry = (
        Inquiry.objects.filter(reference=reference, item_public_id=public_id)
        .select_related("region")
        .first()
        if reference
        else None
    )
    if inquiry is None:
        return redirect("site:inquiries_ask", public_id=public_id)
    return render(
        request,
        "inquiries/received.html",
        {"inquiry": inquiry, "held": inquiry.status == Status.HELD},
    )


@form_page
def lookup(request):
    inquiry = None
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if _over_limit(request, "inquiries.lookup", LOOKUPS_PER_HOUR):
            form.is_valid()
            form.add_error(None, "查询过于频繁，请一小时后再试。")
            status = 429
        elif form.is_valid():
            inquiry = (
                Inquiry.objects.filter(reference=form.cleaned_data["reference"])
                .select_related("region")
                .first()
            )
            if inquiry is None:
                form.add_error("reference", "没有找到这个查询码对应的留言，请核对后重新输入。")
                status = 404
        else:
            status = 400
    else:
        form = LookupForm()
    return render(
        request,
        "inquiries/lookup.html",
        {"form": form, "inquiry": inquiry, "today": timezone.localdate()},
        status=status,
    )
