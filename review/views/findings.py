"""One finding: its page, the region's answer, the reviewer's verification or reopening."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalogs.concurrency import EditConflict
from review import services
from review.forms import AnswerForm, ReopenForm, VerifyForm
from review.models import Finding, FindingState
from review.permissions import can_answer_finding
from review.views.base import (
    error_text,
    form_error_text,
    local_today,
    redirect_back,
    render_staff,
)


def finding_for(request, pk) -> Finding:
    """A finding on a catalog the user may see (404 otherwise)."""
    return get_object_or_404(
        Finding.objects.for_user(request.user).select_related(
            "catalog__region", "catalog__standard", "item", "created_by"
        ),
        pk=pk,
    )


@login_required
def finding_detail(request, pk):
    return _detail_page(request, finding_for(request, pk))


def _detail_page(request, finding, bound=None):
    """The finding's page; ``bound`` is a posted form shown again with the user's input."""
    moves = services.finding_allowed_moves(request.user, finding)
    seen = {"seen_event": services.latest_event_id(finding)}
    forms = {}
    for name, state, form_class in (
        ("answer_form", FindingState.ANSWERED, AnswerForm),
        ("verify_form", FindingState.VERIFIED, VerifyForm),
        ("reopen_form", FindingState.REOPENED, ReopenForm),
    ):
        if isinstance(bound, form_class) and state in moves:
            forms[name] = bound
        elif state in moves:
            forms[name] = form_class(initial=seen)
        else:
            forms[name] = None
    return render_staff(
        request,
        "review/finding.html",
        {
            "finding": finding,
            "today": local_today(),
            "events": finding.events.select_related("actor"),
            **forms,
            "can_answer": can_answer_finding(request.user, finding),
        },
    )


def _finding_action(request, pk, form_class, move, success: str):
    """Validate ``form_class`` and apply ``move`` (a finding service whose keyword arguments
    are the form's fields) to the finding."""
    finding = finding_for(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("review:finding", pk=finding.pk)
    try:
        move(actor=request.user, finding=finding, **form.cleaned_data)
    except EditConflict as conflict:
        # Someone moved the finding since the page was shown: show it as it is now, with
        # the user's input kept and the newest event as the form's version.
        messages.error(request, error_text(conflict))
        finding = finding_for(request, pk)
        typed = "；".join(
            str(value)
            for name, value in form.cleaned_data.items()
            if name != "seen_event" and value
        )
        if typed:
            messages.info(request, f"您填写的内容（尚未保存）：{typed}")
        data = request.POST.copy()
        data["seen_event"] = str(services.latest_event_id(finding))
        return _detail_page(request, finding, bound=form_class(data))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)
    return redirect_back(request, reverse("review:finding", args=[finding.pk]))


@login_required
@require_POST
def finding_answer(request, pk):
    return _finding_action(
        request, pk, AnswerForm, services.finding_answer, "已提交整改情况，等待审核人员核验。"
    )


@login_required
@require_POST
def finding_verify(request, pk):
    return _finding_action(request, pk, VerifyForm, services.finding_verify, "问题已核销。")


@login_required
@require_POST
def finding_reopen(request, pk):
    return _finding_action(request, pk, ReopenForm, services.finding_reopen, "问题已重新打开。")
