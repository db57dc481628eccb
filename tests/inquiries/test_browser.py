"""The one browser test of the inquiries pages: a citizen on a phone asks a question."""

import pytest
from django.urls import reverse

from inquiries.models import Inquiry, Status
from tests.browser.conftest import (  # noqa: F401 - fixtures used by name
    PHONE,
    axe_violations,
    browser_context_args,
    browser_type_launch_args,
    console_errors,
    horizontal_overflow,
    is_serious,
    screenshot,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ask_on_a_phone(live_server, page, items, console_errors):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("site:item", args=[items.county.public_id]))
    page.get_by_role("link", name="我要留言/纠错").click()
    page.wait_for_url("**/ask/")
    assert horizontal_overflow(page) == 0
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    page.get_by_label("纠错").check()
    page.get_by_label("留言内容").fill("公开依据引用的文件已修订，请更新。<script>x</script>")
    page.get_by_label("联系电话（选填）").fill("13912345678")
    screenshot(page, "inquiries-ask-phone")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/ask/received/")
    inquiry = Inquiry.objects.get()
    assert (inquiry.kind, inquiry.status) == ("correction", Status.OPEN)
    assert page.locator(".reference").inner_text() == inquiry.reference_display
    assert "<script>x</script>" in page.locator(".facts").inner_text()  # shown as text
    assert horizontal_overflow(page) == 0
    assert [v for v in axe_violations(page) if is_serious(v)] == []
    screenshot(page, "inquiries-received-phone")
    assert console_errors == []
