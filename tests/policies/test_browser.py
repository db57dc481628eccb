"""The policies' public pages in chromium: axe-core finds nothing serious; screenshots."""

from datetime import date

import pytest

from catalogs.permissions import SYSTEM
from policies.services import document_repeal
from tests.browser.conftest import (  # noqa: F401 - fixtures
    axe_violations,
    browser_context_args,
    browser_type_launch_args,
    is_serious,
    screenshot,
)
from tests.policies.conftest import make_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_policy_pages(browser, live_server, published, policy, regions, standards):
    old = make_document(
        regions.nongan,
        standards.social,
        title="农安县城乡低保实施办法",
        number="农政发〔2019〕3号",
        issued_on=date(2019, 4, 1),
        items=policy.items,
    )
    document_repeal(actor=SYSTEM, document=old, replaced_by=policy.document)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = {
        "policies-region": "/regions/220122/policies/",
        "policies-detail": f"/regions/220122/policies/{old.pk}/",
        "policies-item": f"/items/{policy.items[0].public_id}/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        serious = [v for v in axe_violations(page) if is_serious(v)]
        assert serious == [], (name, serious)
        screenshot(page, name)
    assert errors == []
    page.close()
