"""Error pages in Chinese (400, 403, CSRF failure, 404, 500), and JSON under /api/.

``portal.urls`` names these as Django's ``handler400``… and ``CSRF_FAILURE_VIEW`` points at
``csrf_failure``. Django still shows its technical pages for 404 and 500 while DEBUG is on;
400 from ``portal.middleware``, 403 and the CSRF page are these in debug too.
Under ``/api/`` every error is the open-data API's JSON:
``{"error": {"status": 404, "code": "not_found", "message": "…"}}``.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template import loader

API_PREFIX = "/api/"

_DEFAULTS = {
    400: ("bad_request", "请求有误，无法处理。", "400.html"),
    403: ("forbidden", "您无权访问此页面。", "403.html"),
    404: ("not_found", "您要找的页面不存在。", "404.html"),
    500: ("server_error", "服务器内部错误，请稍后再试。", "500.html"),
}


def _is_api(request) -> bool:
    return request is not None and request.path_info.startswith(API_PREFIX)


def json_error(status: int, message: str, code: str | None = None) -> HttpResponse:
    code = code or _DEFAULTS.get(status, ("error",))[0]
    body = json.dumps(
        {"error": {"status": status, "code": code, "message": message}},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(request, status: int, message: str | None = None, *, template=None):
    """The error ``status`` for ``request``: JSON under /api/, else the Chinese page."""
    code, default_message, default_template = _DEFAULTS[status]
    message = message or default_message
    if _is_api(request):
        return json_error(status, message, code)
    content = loader.render_to_string(
        template or default_template, {"message": message, "status": status}, request
    )
    return HttpResponse(content, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    # A PermissionDenied raised with a Chinese reason shows it; Django's own carry none.
    reason = str(exception) if exception is not None and str(exception) else None
    return error_response(request, 403, reason)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    if _is_api(request):
        return json_error(500, _DEFAULTS[500][1])
    # No request context: the failure may be in a context processor or the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request, reason=""):
    return error_response(
        request,
        403,
        "页面已过期或请求来源无法验证，表单没有提交。请返回上一页刷新后再提交。",
        template="403_csrf.html",
    )
