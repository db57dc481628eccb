"""What every citizen-facing page shares, for the portal and the apps above items.

It lives in the lowest app so that guides, policies, inquiries and participation (which may
not import portal) serve their public pages with the same headers as the portal's own.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.views.decorators.http import conditional_page, require_safe

# The site loads nothing from elsewhere; scripts and styles are files under /static/.
PUBLIC_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def public_headers(response):
    """Cacheable by browsers and a CDN for ``PUBLIC_CACHE_SECONDS``, with the site's CSP."""
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    response.headers.setdefault("Content-Security-Policy", PUBLIC_CONTENT_SECURITY_POLICY)
    return response


def public_page(view):
    """GET/HEAD only; ETag and conditional GET; ``public_headers``."""

    @require_safe
    @conditional_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return public_headers(view(request, *args, **kwargs))

    return wrapped
