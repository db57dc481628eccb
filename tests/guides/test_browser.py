"""The guide page in chromium: no serious axe violation, no CSP error, a one-page print view."""

import re

import pytest

from catalogs.permissions import SYSTEM
from guides.services import guide_save
from items.services import catalog_publish
from tests.browser.conftest import (
    PHONE,
    axe_violations,
    horizontal_overflow,
    is_serious,
    screenshot,
)
from tests.guides.conftest import guide_item


@pytest.mark.browser
def test_guide_page_on_a_phone_and_printed(browser, live_server, catalogs, console_errors):
    from tests.factories import localise

    catalog = localise(catalogs.nongan_social)
    item = guide_item(catalog)
    # The demo's 低保 guide: the longest of the three (four materials, four steps).
    from guides.demo import GUIDES, guide_input

    guide_save(actor=SYSTEM, item=item, data=guide_input(GUIDES["最低生活保障"], item, None))
    catalog_publish(actor=SYSTEM, catalog=catalog)
    url = f"{live_server.url}/items/{item.public_id}/guide/"

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    assert page.locator("h1").inner_text().startswith("最低生活保障办事指南")
    assert page.get_by_role("button", name="打印一次性告知单").is_visible()
    assert horizontal_overflow(page) == 0
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    screenshot(page, "guide-phone")

    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    assert page.locator("h1").inner_text() == "最低生活保障办事指南 一次性告知单"
    assert not page.get_by_role("button", name="打印一次性告知单").is_visible()
    assert page.locator("svg.guide-qr-code").is_visible()
    screenshot(page, "guide-print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (screenshot.__globals__["SCREENSHOTS"] / "guide-print.pdf").write_bytes(pdf)
    # The 一次性告知单 fits on one sheet.
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    assert console_errors == []
    context.close()
