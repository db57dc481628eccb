"""The assessment dashboards in headless chromium: charts drawn from static files under the
staff CSP, each with its table, axe-clean; screenshots in tests/browser/screenshots/."""

import pytest
from django.test import Client

from items.models import Item
from tests.assessment.conftest import YEAR, record
from tests.browser.conftest import (  # noqa: F401  (fixtures for chromium)
    DESKTOP,
    axe_violations,
    browser_context_args,
    browser_type_launch_args,
    screenshot,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def open_as(browser, live_server, user):
    client = log_in(Client(), user)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_the_dashboards_draw_their_charts_and_pass_axe(browser, live_server, county, users):
    for position, item in enumerate(Item.objects.filter(catalog=county).order_by("seq")[:12]):
        record(item, skip=position % 2)
    context = open_as(browser, live_server, users.reviewer)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    found = {}
    for name, path in {
        "province": f"/assessment/regions/22/?year={YEAR}",
        "city": f"/assessment/regions/2201/?year={YEAR}",
        "grid": f"/assessment/regions/220122/items/?year={YEAR}",
    }.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        page.wait_for_load_state("networkidle")
        canvases = page.locator("canvas[data-chart]")
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".filter(c => window.Chart && window.Chart.getChart(c)).length"
        )
        assert drawn == canvases.count(), name
        if canvases.count():
            # Every chart has its numbers in a table beside it.
            assert page.locator(".chart-pair table").count() == canvases.count()
        found[name] = axe_violations(page)
        screenshot(page, f"assessment-{name}")
    page.emulate_media(media="print")
    page.goto(live_server.url + f"/assessment/regions/2201/?year={YEAR}")
    page.wait_for_load_state("networkidle")
    screenshot(page, "assessment-city-print")
    assert not page.locator("header.top").is_visible()
    context.close()
    assert found == {"province": [], "city": [], "grid": []}
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []
