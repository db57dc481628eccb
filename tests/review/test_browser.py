"""The main path of each review role in headless chromium (Debian's, never downloaded)."""

import os

import pytest
from django.test import Client

from catalogs.models import CatalogStatus
from review.models import AcceptanceDecision
from tests.conftest import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture
def login_page(page, live_server):
    """Open pages as a user: a session made by the test client, handed to the browser."""

    def _login(user):
        client = log_in(Client(), user)
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return _login


def test_reviewer_accepts_a_catalog_and_prints_the_report(
    login_page, live_server, users, accepting, campaign
):
    page = login_page(users.reviewer)
    page.goto(f"{live_server.url}/review/")
    assert page.locator("h1").inner_text().startswith("全省总览")
    assert page.locator(".bar").count() > 0
    page.click("text=验收队列")
    page.click("a:has-text('审核')")
    page.check("input[name=decision][value=accept]")
    page.fill("textarea[name=note]", "要素齐全，同意通过验收。")
    page.click("text=作出验收结论并生成报告")
    assert "验收报告" in page.locator("h1").inner_text()
    assert page.locator("text=通过验收").first.is_visible()
    accepting.refresh_from_db()
    assert accepting.status == CatalogStatus.ACCEPTED
    assert AcceptanceDecision.objects.get().note == "要素齐全，同意通过验收。"


def test_coordinator_sees_the_city_and_expands_a_county(
    login_page, live_server, users, all_published, campaign
):
    page = login_page(users.coordinator)
    page.goto(f"{live_server.url}/review/")
    assert "长春市" in page.locator("h1").inner_text()
    township_rows = page.locator("#t-220122 tr.township")
    assert not township_rows.first.is_visible()
    page.click("a[href='#t-220122']")
    assert township_rows.first.is_visible()
    assert "农安镇" in page.locator("#t-220122").inner_text()


# The county's answer to findings is walked, with its click count, by
# tests/browser/test_staff.py::test_the_correction_loop_in_few_actions.
