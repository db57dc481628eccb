"""One citizen's path in chromium: county page → participation catalog → consultation →
comment form → sent; axe finds no serious violation on any of them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation.models import Comment
from tests.browser.conftest import (  # noqa: F401 - fixtures
    axe_violations,
    browser_context_args,
    browser_type_launch_args,
    console_errors,
    is_serious,
    screenshot,
)
from tests.factories import consultation as make_consultation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_comments_on_an_open_consultation(live_server, page, matter, console_errors):  # noqa: F811
    today = timezone.localdate()
    consultation = make_consultation(
        matter,
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=20),
        title="关于《农安县最低生活保障标准调整方案（征求意见稿）》公开征求意见",
    )
    page.goto(f"{live_server.url}/regions/220122/")
    page.get_by_role("link", name="农安县民政领域公众参与事项目录").click()
    page.wait_for_url("**/regions/220122/participation/")
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    screenshot(page, "participation-catalog")
    page.get_by_role("link", name=consultation.title).click()
    page.get_by_role("link", name="发表意见").click()
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    page.get_by_label("意见内容").fill("建议公开低保标准的测算依据。")
    page.get_by_label("姓名（选填）").fill("张三")
    screenshot(page, "participation-comment-form")
    page.get_by_role("button", name="提交意见").click()
    page.get_by_role("heading", name="感谢您的意见").wait_for()
    assert Comment.objects.get().text == "建议公开低保标准的测算依据。"
    page.get_by_role("link", name="返回意见征集页面").click()
    page.get_by_text("建议公开低保标准的测算依据。").wait_for()
    assert "张三" not in page.content()
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    screenshot(page, "participation-consultation")
    assert console_errors == []
