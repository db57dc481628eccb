"""The 公示栏 poster in chromium: screen and A4 print view, axe-clean, QR code visible."""

import re

import pytest

from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from items.services import catalog_publish
from items.villages import township_village_catalogs_derive
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures (Debian's chromium)
    SCREENSHOTS,
    axe_violations,
    browser_context_args,
    browser_type_launch_args,
    is_serious,
    screenshot,
)
from tests.factories import localise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_poster_prints_on_one_a4_page(live_server, page, regions, villages, village_edition):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    east = Catalog.objects.get(region=villages.east)
    localise(east)
    catalog_publish(actor=SYSTEM, catalog=east)

    page.goto(f"{live_server.url}/catalogs/{east.pk}/poster/")
    assert page.locator("h1").inner_text() == "东村村民委员会"
    assert page.locator(".poster-call").inner_text() == "扫码查看本村公开事项"
    qr = page.locator(".poster-qr svg").bounding_box()
    assert qr["width"] > 300 and abs(qr["width"] - qr["height"]) < 2
    assert page.locator(".print-button").is_visible()  # the script ran under the CSP
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    screenshot(page, "village-poster-screen")

    page.emulate_media(media="print")
    assert not page.locator(".poster-tools").is_visible()
    screenshot(page, "village-poster-print")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "village-poster.pdf"), prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
