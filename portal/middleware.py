"""Request hygiene before any view runs, and the headers of staff pages.

``RequestSanityMiddleware`` answers, before a view or the database sees them:

- a NUL byte in the path, a cookie, or any query-string or form key or value: 400.
  PostgreSQL cannot store or compare text holding NUL and raises (a 500) where SQLite would
  find nothing;
- a number beyond a 64-bit id in the path (``/catalogs/99999999999999999999/``): 404, and
  as the value of a query parameter (``?campaign=…``, ``?catalog__id__exact=…``; free-text
  parameters such as ``q`` excepted, and the API's, which it checks itself): 400. SQLite
  raises OverflowError on such numbers.

Under ``/api/`` the answer is the API's JSON error; elsewhere the Chinese error page.

``StaffPageHeadersMiddleware`` gives every response under the staff prefixes (``/admin/``,
``/review/``; ``STAFF_PATH_PREFIXES``) a strict Content-Security-Policy
(``STAFF_CONTENT_SECURITY_POLICY``) and ``Cache-Control: no-store``, downloads included:
a shared computer or a proxy must not keep drafts, findings or staff lists.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from portal.errors import API_PREFIX, error_response

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")
# Query parameters of free text (searched, never compared with an integer column).
FREE_TEXT_PARAMETERS = frozenset({"q", "place", "next"})

# Staff pages run scripts from our own static files only: no inline script or handler (the
# print button and the year select are wired up by static/review/js/staff.js).
DEFAULT_STAFF_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Bars whose width is data (style="width:35%"), and a few third-party admin templates;
        # a style attribute cannot run script.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


def _out_of_range(text: str) -> bool:
    return bool(_DIGITS.fullmatch(text)) and (len(text) > 19 or int(text) > MAX_ID)


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            status, message = refusal
            return error_response(request, status, message)
        return self.get_response(request)

    @staticmethod
    def refusal(request) -> tuple[int, str] | None:
        if "\x00" in request.path_info:
            return 400, "请求地址中含有不允许的字符（NUL），无法处理。"
        if _has_nul(request.GET):
            return 400, "查询参数中含有不允许的字符（NUL），无法处理。"
        if any("\x00" in value for value in request.COOKIES.values()):
            return 400, "Cookie 中含有不允许的字符（NUL），请清除本站 Cookie 后重试。"
        if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.POST):
            return 400, "提交的表单中含有不允许的字符（NUL），无法处理。"
        if any(_out_of_range(part) for part in request.path_info.split("/")):
            return 404, "您要找的页面不存在。"
        if request.path_info.startswith(API_PREFIX):
            return None  # the API checks its own parameters, naming each one in its JSON
        for key, values in request.GET.lists():
            if key not in FREE_TEXT_PARAMETERS and any(_out_of_range(v.strip()) for v in values):
                return 400, f"参数“{key}”的数值超出范围。"
        return None


class StaffPageHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "STAFF_PATH_PREFIXES", ("/admin/", "/review/")))
        self.policy = getattr(settings, "STAFF_CONTENT_SECURITY_POLICY", DEFAULT_STAFF_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes):
            if self.policy and "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = self.policy
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
