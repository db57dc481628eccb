"""The citizen's side: the ask form, bad input, spam held, the confirmation, the lookup and
the item page's answers (never the name or phone)."""

import re

import pytest
from django.urls import reverse

from catalogs.permissions import SYSTEM
from inquiries import services
from inquiries.models import Inquiry, InquirySettings, Status, Visibility

pytestmark = pytest.mark.django_db


def ask_url(item):
    return reverse("site:inquiries_ask", args=[item.public_id])


def post(client, item, **data):
    payload = {"kind": "question", "text": "请问申请需要哪些材料？", "name": "", "phone": ""}
    payload.update(data)
    return client.post(ask_url(item), payload)


def test_form_page_has_csrf_token_and_is_never_cached(client, items, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(ask_url(items.county))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "5个工作日内答复" in html
    assert "农安县民政局" in html


def test_csrf_is_enforced(items):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(ask_url(items.county), {"text": "问题"})
    assert response.status_code == 403
    assert not Inquiry.objects.exists()


def test_unknown_or_unpublished_item_is_404(client, catalogs, published):
    import uuid

    assert client.get(reverse("site:inquiries_ask", args=[uuid.uuid4()])).status_code == 404
    draft = catalogs.yongji_social.items.first()  # never published
    assert client.get(reverse("site:inquiries_ask", args=[draft.public_id])).status_code == 404


def test_valid_question_goes_to_the_items_region_with_a_reference(client, items):
    response = post(client, items.town, text="高龄津贴怎么申请？", name="张三", phone="13912345678")
    assert response.status_code == 302
    assert response["Location"] == reverse("site:inquiries_received", args=[items.town.public_id])
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Status.OPEN
    assert inquiry.region.code == "220122100"
    assert (inquiry.name, inquiry.phone) == ("张三", "13912345678")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", inquiry.reference)
    assert inquiry.client_hash and "127.0.0.1" not in inquiry.client_hash
    assert inquiry.reference not in response["Location"]

    page = client.get(response["Location"])
    html = page.content.decode()
    assert inquiry.reference_display in html
    assert "农安镇人民政府" in html or "农安镇" in html
    assert f"{inquiry.due_date.year}年{inquiry.due_date.month}月{inquiry.due_date.day}日" in html
    assert "no-store" in page["Cache-Control"]


def test_received_page_without_a_submission_goes_back_to_the_form(client, items):
    response = client.get(reverse("site:inquiries_received", args=[items.county.public_id]))
    assert response.status_code == 302
    assert response["Location"] == ask_url(items.county)


def test_too_long_text_is_refused_naming_the_field(client, items):
    response = post(client, items.county, text="字" * 1001)
    assert response.status_code == 400
    assert "“留言内容”不能超过1000字（现有1001字）" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_empty_text_and_bad_phone_are_refused_in_chinese(client, items):
    response = post(client, items.county, text="  ", phone="12345")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写“留言内容”" in html
    assert "“联系电话”格式不正确" in html
    assert not Inquiry.objects.exists()


def test_nul_byte_is_refused_before_the_view(client, items):
    response = post(client, items.county, text="问题\x00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_nul_byte_refused_by_the_service_naming_the_field(items):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.inquiry_submit(
            item_public_id=items.county.public_id, kind="question", text="ok", name="张\x00三"
        )
    assert refused.value.message_dict["name"] == [
        "“姓名”含有不允许的空字符（NUL），请删除后重新提交。"
    ]


def test_a_link_holds_the_inquiry_for_staff(client, items):
    response = post(client, items.county, text="优惠活动请看 www.example.com 了解")
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Status.HELD
    assert inquiry.held_reason == "留言内容含有网址链接"
    page = client.get(response["Location"]).content.decode()
    assert "已收到，工作人员审核后处理" in page
    assert "答复期限" not in page


def test_over_the_hourly_limit_is_held_not_refused(client, items):
    config = InquirySettings.load()
    config.hourly_limit = 2
    config.save()
    for number in range(3):
        assert post(client, items.county, text=f"第{number}个问题").status_code == 302
    statuses = list(Inquiry.objects.order_by("pk").values_list("status", "held_reason"))
    assert statuses == [
        (Status.OPEN, ""),
        (Status.OPEN, ""),
        (Status.HELD, "同一地址一小时内留言过多"),
    ]
    # Another address is counted on its own.
    response = client.post(
        ask_url(items.county),
        {"kind": "question", "text": "另一个地址"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    assert Inquiry.objects.order_by("-pk").first().status == Status.OPEN


def test_invalid_submissions_are_not_counted(client, items):
    config = InquirySettings.load()
    config.hourly_limit = 1
    config.save()
    post(client, items.county, text="字" * 1001)
    post(client, items.county)
    assert Inquiry.objects.get().status == Status.OPEN


def test_lookup_shows_status_and_private_answer(client, items, ask, users):
    inquiry = ask(items.county, name="张三", phone="13912345678")
    page = client.post(
        reverse("site:inquiries_lookup"), {"reference": inquiry.reference_display.lower()}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "办理中，答复期限" in html
    services.inquiry_answer(
        actor=users.county_editor,
        inquiry=inquiry,
        answer="私下答复的内容",
        visibility=Visibility.PRIVATE,
        seen_version=inquiry.version,
    )
    html = client.post(
        reverse("site:inquiries_lookup"), {"reference": inquiry.reference}
    ).content.decode()
    assert "私下答复的内容" in html
    assert "仅您可凭查询码查看" in html
    assert "张三" not in html and "13912345678" not in html
    assert "no-store" in page["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in html


def test_lookup_with_a_wrong_reference(client, items, ask):
    ask(items.county)
    response = client.post(reverse("site:inquiries_lookup"), {"reference": "ABCD-EFGH-JKMN"})
    assert response.status_code == 404
    assert "没有找到这个查询码对应的留言" in response.content.decode()
    response = client.post(reverse("site:inquiries_lookup"), {"reference": "短"})
    assert response.status_code == 400
    assert "“查询码”应为12位字母和数字" in response.content.decode()


def test_lookups_are_limited_per_address(client, items, settings):
    from inquiries import public_views

    public_views.LOOKUPS_PER_HOUR, saved = 2, public_views.LOOKUPS_PER_HOUR
    try:
        codes = [
            client.post(
                reverse("site:inquiries_lookup"), {"reference": "ABCD-EFGH-JKMN"}
            ).status_code
            for _ in range(3)
        ]
    finally:
        public_views.LOOKUPS_PER_HOUR = saved
    assert codes == [404, 404, 429]


def test_item_page_shows_public_answers_never_name_or_phone(client, items, ask, users):
    public = ask(
        items.county, text="公开的问题<script>alert(1)</script>", name="张三丰", phone="13912345678"
    )
    private = ask(items.county, text="不公开的问题", name="李四", phone="13800000000")
    held = ask(items.county, text="广告 http://spam.example.com", name="王五")
    url = reverse("site:item", args=[items.county.public_id])
    before = client.get(url).content.decode()
    assert "我要留言/纠错" in before
    assert reverse("site:inquiries_ask", args=[items.county.public_id]) in before
    assert "本事项暂无公开答复" in before
    for inquiry, visibility in ((public, Visibility.PUBLIC), (private, Visibility.PRIVATE)):
        services.inquiry_answer(
            actor=users.county_editor,
            inquiry=inquiry,
            answer=f"答复{inquiry.pk}<b>粗体</b>",
            visibility=visibility,
            seen_version=inquiry.version,
        )
    html = client.get(url).content.decode()  # the cached page moved on with the answer
    assert f"答复{public.pk}&lt;b&gt;粗体&lt;/b&gt;" in html
    assert "公开的问题&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    for hidden in (
        "张三丰",
        "13912345678",
        "不公开的问题",
        "李四",
        "王五",
        "spam.example",
        f"答复{private.pk}",
    ):
        assert hidden not in html
    assert held.status == Status.HELD


def test_item_section_is_one_query(items, ask, users, django_assert_num_queries):
    from inquiries.public import item_section

    for _ in range(3):
        inquiry = ask(items.county)
        services.inquiry_answer(
            actor=SYSTEM, inquiry=inquiry, answer="好", visibility="public", seen_version=None
        )
    catalog = items.county.publication.catalog
    catalog.region  # noqa: B018 - the item page loads it with the item
    with django_assert_num_queries(1):
        section = item_section(items.county, catalog)
        assert len(section.context["answers"]) == 3


def test_submit_and_lookup_query_budgets(client, items, django_assert_max_num_queries):
    client.get(ask_url(items.county))
    # The item and the settings, the reference's check, the calendar, the row and its event,
    # the session; with the savepoints of the transactions.
    with django_assert_max_num_queries(15):
        response = post(client, items.county, text="问题", name="张三", phone="13912345678")
    assert response.status_code == 302
    reference = Inquiry.objects.get().reference
    with django_assert_max_num_queries(4):
        page = client.post(reverse("site:inquiries_lookup"), {"reference": reference})
    assert page.status_code == 200
