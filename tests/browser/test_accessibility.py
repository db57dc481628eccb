"""axe-core on every public page, in normal and elderly mode, at desktop and phone width.

Zero serious or critical violations is the bar (issue 3, point 6). Each run also writes
tests/browser/screenshots/axe-<mode>-<width>.json with every violation axe found, of any
impact, so that a developer can see the moderate and minor ones too.
"""

import json

import pytest

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    axe_violations,
    horizontal_overflow,
    is_serious,
    screenshot,
    set_mode,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def public_pages(site) -> dict[str, str]:
    social = site.catalogs.nongan_social
    return {
        "home": "/",
        "home-chosen": "/?city=2201&county=220122",
        "home-place": "/?place=%E5%AE%89",
        "city": "/regions/2201/",
        "county": "/regions/220122/",
        "township-empty": "/regions/220122101/",
        "catalog": f"/catalogs/{social.pk}/",
        "item": f"/items/{site.first_item.public_id}/",
        "item-local": f"/items/{site.local_item.public_id}/",
        "search": "/search/",
        "search-results": "/search/?q=%E6%95%91%E5%8A%A9&region=2201",
        "search-errors": "/search/?region=999&audience=x",
        "accessibility": "/accessibility/",
        "about": "/about/",
        "not-found": "/no-such-page/",
    }


@pytest.mark.parametrize(
    ("mode", "width", "viewport"),
    [
        ("normal", "desktop", DESKTOP),
        ("elderly", "desktop", DESKTOP),
        ("elderly-xl-contrast", "desktop", DESKTOP),
        ("normal", "phone", PHONE),
        ("elderly", "phone", PHONE),
    ],
)
def test_every_public_page_has_no_serious_axe_violations(browser, site, mode, width, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    set_mode(context, mode)
    page = context.new_page()
    report, failures = {}, {}
    for name, path in public_pages(site).items():
        response = page.goto(site.url + path)
        assert response.status < 500, name
        violations = axe_violations(page)
        report[name] = {"status": response.status, "violations": violations}
        serious = [violation for violation in violations if is_serious(violation)]
        if serious:
            failures[name] = serious
        overflow = horizontal_overflow(page)
        if overflow > 0:
            failures[f"{name} (sideways scrolling)"] = overflow
        screenshot(page, f"axe-{width}-{mode}-{name}")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"axe-{mode}-{width}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
    context.close()
    assert failures == {}
