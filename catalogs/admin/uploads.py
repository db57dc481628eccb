"""Upload → preview → confirm for the admin's spreadsheet imports, storing nothing in between.

The preview signs the uploaded bytes (base64 under ``django.core.signing.TimestampSigner``)
and a small state (what the previewed plan was made from) into two hidden fields of the
confirm form: ``payload`` and a state field. The confirm checks both signatures (salted by
the caller, valid for ``PAYLOAD_MAX_AGE`` seconds), then applies the plan to the same bytes,
read again. Any app's admin may use it (catalogs imports no other app).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import PurePath

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse

PAYLOAD_MAX_AGE = 3600
STALE_UPLOAD = "导入数据已失效或被改动，请重新上传文件。"


def check_xlsx_upload(upload, max_bytes: int):
    """``upload`` if it is an .xlsx/.xlsm file of at most ``max_bytes``; otherwise a
    ValidationError in Chinese (for a form's ``clean_file``)."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix == ".xls":
        raise ValidationError("不支持旧版 .xls 格式，请在Excel或WPS中“另存为”.xlsx后再上传。")
    if suffix not in (".xlsx", ".xlsm"):
        raise ValidationError(f"请上传 .xlsx 格式的Excel文件（当前文件为“{upload.name}”）。")
    if upload.size > max_bytes:
        raise ValidationError(
            f"文件过大（{upload.size // 1024} KB），请上传不超过{max_bytes // 1024} KB 的文件。"
        )
    return upload


def sign_upload(data: bytes, salt: str) -> str:
    # Sign the base64 text as it is: signing.dumps would JSON-encode and base64 it again,
    # making the confirm form 1.8 times the file instead of 1.34.
    return signing.TimestampSigner(salt=salt).sign(base64.b64encode(data).decode("ascii"))


def unsign_upload(payload: str, salt: str) -> bytes:
    try:
        signer = signing.TimestampSigner(salt=salt)
        return base64.b64decode(signer.unsign(payload, max_age=PAYLOAD_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ValidationError(STALE_UPLOAD) from exc


def sign_state(state: dict, salt: str) -> str:
    return signing.dumps(state, salt=f"{salt}.plan")


def unsign_state(token: str, salt: str) -> dict:
    try:
        state = signing.loads(token, salt=f"{salt}.plan", max_age=PAYLOAD_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValidationError(STALE_UPLOAD) from exc
    if not isinstance(state, dict):
        raise ValidationError(STALE_UPLOAD)
    return state


def upload_preview_confirm(
    request,
    *,
    salt: str,
    context: dict,
    make_form: Callable[..., forms.Form],
    preview: Callable[[bytes, forms.Form], tuple[dict, dict]],
    apply: Callable[[bytes, dict], HttpResponse],
    refusals: tuple[type[Exception], ...],
    messages_of: Callable[[Exception], list[str]],
    templates: tuple[str, str],
    state_field: str = "plan",
    state_key: str = "plan_token",
    allowed: bool = True,
) -> HttpResponse:
    """The whole import page.

    ``make_form()`` is the empty upload form, ``make_form(request.POST, request.FILES)`` the
    posted one. ``preview(content, form)`` plans the upload without writing and returns the
    preview page's context and the state to sign; ``apply(content, state)`` applies it and
    returns the response (a redirect). A ``refusals`` exception from either is shown on the
    page as ``messages_of(exc)``. ``templates`` is (upload page, preview page); the signed
    state travels as ``state_field`` in the form and ``state_key`` in the preview's context.
    Nothing is posted when ``allowed`` is false (a locked target).
    """
    page, preview_page = templates
    form = make_form()
    errors: list[str] = []
    if request.method == "POST" and allowed:
        if "confirm" in request.POST:
            try:
                content = unsign_upload(request.POST.get("payload", ""), salt)
                state = unsign_state(request.POST.get(state_field, ""), salt)
            except ValidationError:
                errors = [STALE_UPLOAD]
            else:
                try:
                    return apply(content, state)
                except refusals as exc:
                    errors = messages_of(exc)
        else:
            form = make_form(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                try:
                    extra, state = preview(content, form)
                except refusals as exc:
                    errors = messages_of(exc)
                else:
                    context.update(
                        extra,
                        file_name=upload.name,
                        payload=sign_upload(content, salt),
                        **{state_key: sign_state(state, salt)},
                    )
                    return TemplateResponse(request, preview_page, context)
    context.update(form=form, errors=errors)
    return TemplateResponse(request, page, context)
