"""The correction loop on one page each.

``catalog_correct``   the region answers every finding of a catalog on one page, each with
                      its item's current content and, where the finding names an element,
                      that element's new value (saved through the item service)
``catalog_resubmit``  提交复验: one confirmed action that publishes, confirms 复核 and 录入,
                      after saying what will be locked
``catalog_verify``    the reviewer verifies or reopens every answered finding on one page,
                      each with its item as it was when the finding was raised and as now
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from catalogs.models import CatalogStatus
from catalogs.permissions import can_edit_region
from review.forms import CorrectionForm, ResubmitForm, VerdictForm
from review.models import FindingState
from review.permissions import require_reviewer
from review.selectors.worklists import (
    catalog_state,
    correction_rows,
    verification_rows,
)
from review.services import corrections
from review.views.base import error_text, local_today, render_staff
from review.views.catalog import catalog_for

S = CatalogStatus
STEP_TEXT = {
    S.PUBLISHED: "发布目录的当前内容：公众随即看到整改后的目录（以前公开的版本都保留）",
    S.REVIEWED: "确认复核完成",
    S.ENTERED: "确认已录入基层政务公开事项查询系统",
}
CHECK_STEP = "对新发布的内容运行自动检查：已改正的自动检查问题随即关闭"


def _attach_errors(forms_by_pk: dict, error: ValidationError) -> list[str]:
    """Put a service's per-finding refusals on the forms; return those naming no form."""
    loose = []
    for key, texts in getattr(error, "message_dict", {"": error.messages}).items():
        form = forms_by_pk.get(key)
        for text in texts:
            if form is not None:
                form.add_error(None, text)
            else:
                loose.append(text)
    return loose


@login_required
def catalog_correct(request, pk):
    catalog = catalog_for(request, pk)
    user = request.user
    if not can_edit_region(user, catalog.region):
        raise PermissionDenied(f"只有{catalog.region.name}的编辑人员可以答复该目录的问题。")
    rows = correction_rows(catalog)
    editable = catalog.is_editable
    data = request.POST if request.method == "POST" else None
    forms = [CorrectionForm(data, row=row, editable=editable) for row in rows]
    if request.method == "POST":
        results = [form.is_valid() for form in forms]  # every form, for its errors
        valid = all(results)
        answers = [
            corrections.FindingAnswer(
                finding=form.row.finding,
                answer=form.cleaned_data.get("answer", ""),
                values=form.item_values(),
                expected_version=form.cleaned_data.get("version"),
            )
            for form in forms
            if valid and form.has_input
        ]
        if valid and not answers and "resubmit" in request.POST:
            return redirect("review:catalog_resubmit", pk=catalog.pk)
        if valid and not answers:
            messages.error(request, "没有填写任何答复或修改。")
        elif valid:
            try:
                corrections.findings_answer(actor=user, catalog=catalog, answers=answers)
            except ValidationError as error:
                for text in _attach_errors(
                    {str(form.row.finding.pk): form for form in forms}, error
                ):
                    messages.error(request, text)
                messages.error(request, "答复未保存：请按各问题下方的提示修改后重新提交。")
            else:
                messages.success(request, f"已保存{len(answers)}个问题的答复，等待省级核验。")
                if "resubmit" in request.POST:
                    return redirect("review:catalog_resubmit", pk=catalog.pk)
                return redirect("review:catalog_correct", pk=catalog.pk)
        else:
            messages.error(request, "答复未保存：请按各问题下方的提示修改后重新提交。")
    answered = catalog.findings.filter(state=FindingState.ANSWERED).select_related("item")
    return render_staff(
        request,
        "review/correct.html",
        {
            "catalog": catalog,
            "state": catalog_state(user, catalog),
            "today": local_today(),
            "forms": forms,
            "editable": editable,
            "answered": list(answered.order_by("pk")),
            "can_resubmit": bool(corrections.resubmit_moves(catalog)),
        },
    )


@login_required
def catalog_resubmit(request, pk):
    """GET: what 提交复验 will do and lock; POST: do it."""
    catalog = catalog_for(request, pk)
    if not can_edit_region(request.user, catalog.region):
        raise PermissionDenied(f"只有{catalog.region.name}的编辑人员可以提交复验。")
    form = ResubmitForm(
        request.POST if request.method == "POST" else None,
        initial={"from_status": catalog.status},
    )
    if request.method == "POST" and form.is_valid():
        try:
            corrections.catalog_resubmit(
                actor=request.user,
                catalog=catalog,
                note=form.cleaned_data["note"],
                from_status=form.cleaned_data["from_status"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                f"已提交复验：“{catalog}”已发布、复核并录入，目录已锁定，等待省级验收。",
            )
            return redirect("review:catalog", pk=catalog.pk)
    moves = corrections.resubmit_moves(catalog)
    return render_staff(
        request,
        "review/resubmit.html",
        {
            "catalog": catalog,
            "form": form,
            "steps": [STEP_TEXT[status] for status in moves] + [CHECK_STEP] if moves else [],
            "waiting": corrections.waiting_answers(catalog),
            "answered": catalog.findings.filter(state=FindingState.ANSWERED).count(),
            "item_total": catalog.items.count(),
        },
    )


@login_required
def catalog_verify(request, pk):
    catalog = catalog_for(request, pk)
    require_reviewer(request.user)
    rows = verification_rows(catalog)
    data = request.POST if request.method == "POST" else None
    forms = [VerdictForm(data, row=row) for row in rows]
    if request.method == "POST":
        results = [form.is_valid() for form in forms]  # every form, for its errors
        valid = all(results)
        verdicts = [
            corrections.FindingVerdict(
                finding=form.row.finding,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
                due_on=form.cleaned_data["due_on"],
            )
            for form in forms
            if valid and form.cleaned_data.get("verdict")
        ]
        if valid and not verdicts:
            messages.error(request, "请至少对一个问题选择“核销”或“重新打开”。")
        elif valid:
            try:
                corrections.findings_review(actor=request.user, catalog=catalog, verdicts=verdicts)
            except ValidationError as error:
                for text in _attach_errors(
                    {str(form.row.finding.pk): form for form in forms}, error
                ):
                    messages.error(request, text)
                messages.error(request, "核验结果未保存：请按各问题下方的提示修改后重新提交。")
            else:
                verified = sum(1 for v in verdicts if v.verdict == FindingState.VERIFIED)
                messages.success(
                    request,
                    f"已核销{verified}个问题，重新打开{len(verdicts) - verified}个问题。",
                )
                return redirect(reverse("review:catalog", args=[catalog.pk]) + "#findings")
        else:
            messages.error(request, "核验结果未保存：请按各问题下方的提示修改后重新提交。")
    return render_staff(
        request,
        "review/verify.html",
        {
            "catalog": catalog,
            "state": catalog_state(request.user, catalog),
            "today": local_today(),
            "forms": forms,
        },
    )
