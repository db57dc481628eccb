"""The staff pages work under their Content-Security-Policy: chromium reports no violation.

Debian's chromium (never ``playwright install``), as in tests/browser.
"""

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    }


def _session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def test_staff_pages_raise_no_csp_violation(live_server, page, users, accepting, regions):
    catalog = accepting
    page.context.add_cookies([_session_cookie(live_server, users.admin)])
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    item = catalog.items.order_by("seq").first()
    paths = [
        reverse("admin:index"),
        reverse("admin:catalogs_catalog_changelist"),
        reverse("admin:catalogs_catalog_change", args=[catalog.pk]),
        reverse("admin:items_item_change", args=[item.pk]),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("review:dashboard"),
        reverse("review:city", args=[regions.changchun.code]),
        reverse("review:catalog", args=[catalog.pk]),
    ]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        page.wait_for_load_state("load")
    assert violations == []
    # The year select submits its form from the static script, with no inline handler.
    # (A browser test's database is emptied between tests: make sure a campaign exists.)
    from review.services import ensure_default_campaign

    ensure_default_campaign()
    page.goto(live_server.url + reverse("review:city", args=[regions.changchun.code]))
    page.locator("#campaign-choice").evaluate(
        "select => select.dispatchEvent(new Event('change', {bubbles: true}))"
    )
    page.wait_for_url("**campaign=*")
    assert violations == []
