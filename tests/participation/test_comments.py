"""Citizens' comments: the public form, its bounds, spam held for staff, closed refused."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participation.models import Comment, CommentStatus
from participation.services import comment_submit
from tests.factories import consultation as make_consultation


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def open_consultation(matter, today):
    return make_consultation(
        matter, opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=3)
    )


@pytest.fixture
def closed_consultation(matter, today):
    return make_consultation(
        matter, opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1)
    )


def url(consultation):
    return reverse("site:participation_comment", args=[consultation.pk])


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


def test_a_plain_comment_is_published_at_once(open_consultation, today):
    comment = comment_submit(
        consultation=open_consultation,
        text="  建议公开测算依据。\r\n谢谢  ",
        name="李某",
        phone="0431-12345678",
        today=today,
    )
    assert (comment.status, comment.held_reason) == (CommentStatus.PUBLISHED, "")
    assert (comment.text, comment.name, comment.phone) == (
        "建议公开测算依据。\n谢谢",
        "李某",
        "0431-12345678",
    )


@pytest.mark.parametrize(
    "text", ["请看 https://spam.example/x", "加微信 www.fake.com", "详见 buy-now.top 官网"]
)
def test_links_are_held_for_staff(open_consultation, today, text):
    comment = comment_submit(consultation=open_consultation, text=text, today=today)
    assert (comment.status, comment.held_reason) == (CommentStatus.HELD, "link")


def test_over_the_limit_is_held(open_consultation, today):
    comment = comment_submit(
        consultation=open_consultation, text="第六条意见", today=today, over_limit=True
    )
    assert (comment.status, comment.held_reason) == (CommentStatus.HELD, "rate")


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"text": "长" * 1001},
            {"text": ["“意见内容”最多1000个字，您输入了1001个字，请删减后重新提交。"]},
        ),
        (
            {"text": "意见\x00"},
            {"text": ["“意见内容”含有不允许的控制字符（NUL），请删除后重新提交。"]},
        ),
        ({"text": " \n "}, {"text": ["请填写“意见内容”。"]}),
        (
            {"text": "意见", "phone": "打我电话"},
            {"phone": ["“联系电话”只能包含数字、空格和 + - ( )。"]},
        ),
        (
            {"text": "意见", "name": "名" * 51},
            {"name": ["“姓名”最多50个字，您输入了51个字，请删减后重新提交。"]},
        ),
    ],
)
def test_bad_comments_are_refused(open_consultation, today, values, errors):
    with pytest.raises(ValidationError) as caught:
        comment_submit(consultation=open_consultation, today=today, **values)
    assert caught.value.message_dict == errors
    assert not Comment.objects.exists()


def test_closed_and_upcoming_consultations_refuse_comments(closed_consultation, matter, today):
    with pytest.raises(PermissionDenied, match="不在征求意见期内"):
        comment_submit(consultation=closed_consultation, text="晚了", today=today)
    upcoming = make_consultation(
        matter, opens_on=today + timedelta(days=1), closes_on=today + timedelta(days=5)
    )
    with pytest.raises(PermissionDenied, match="不在征求意见期内"):
        comment_submit(consultation=upcoming, text="早了", today=today)
    assert not Comment.objects.exists()


# ---------------------------------------------------------------------------
# The public form
# ---------------------------------------------------------------------------


def test_the_form_page_is_not_cached_and_has_a_csrf_token(client, open_consultation):
    response = client.get(url(open_consultation))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_comment_without_csrf_token_is_refused(open_consultation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(open_consultation), {"text": "意见"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_valid_comment_is_thanked_and_published(client, open_consultation):
    response = client.post(url(open_consultation), {"text": "<b>建议</b>", "name": "张三"})
    assert response.status_code == 200
    assert "您的意见已提交并公开显示" in response.content.decode()
    comment = Comment.objects.get()
    assert (comment.text, comment.name, comment.status) == ("<b>建议</b>", "张三", "published")


def test_too_long_and_nul_come_back_in_chinese(client, open_consultation):
    response = client.post(url(open_consultation), {"text": "长" * 1001})
    assert response.status_code == 400
    assert "“意见内容”最多1000个字" in response.content.decode()
    response = client.post(url(open_consultation), {"text": "意见\x00"})
    assert response.status_code == 400
    # portal.middleware refuses NUL in any form before the view (the service refuses it too).
    assert "提交的表单中含有不允许的字符（NUL）" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_link_is_held_and_the_citizen_told(client, open_consultation):
    response = client.post(url(open_consultation), {"text": "看 http://x.example"})
    assert response.status_code == 200
    assert "将由工作人员核对后公开" in response.content.decode()
    assert Comment.objects.get().status == "held"


def test_more_than_five_an_hour_from_one_address_are_held(client, open_consultation):
    for number in range(7):
        response = client.post(
            url(open_consultation), {"text": f"第{number + 1}条"}, REMOTE_ADDR="203.0.113.9"
        )
        assert response.status_code == 200
    other = client.post(url(open_consultation), {"text": "别人的"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    statuses = list(Comment.objects.order_by("pk").values_list("status", "held_reason"))
    assert statuses == [("published", "")] * 5 + [("held", "rate")] * 2 + [("published", "")]


def test_a_closed_consultation_answers_410_in_chinese(client, closed_consultation):
    for response in (
        client.get(url(closed_consultation)),
        client.post(url(closed_consultation), {"text": "晚了"}),
    ):
        assert response.status_code == 410
        assert "现在已结束，不接收意见" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_unknown_consultation_is_404(client, db):
    assert client.get("/consultations/999999/comment/").status_code == 404


def test_personal_data_is_forgotten_after_the_retention_period(users, matter, today, settings):
    from django.core.management import call_command

    from participation.services import comments_forget_personal_data

    settings.PARTICIPATION_PERSONAL_DATA_DAYS = 30
    old = make_consultation(
        matter, opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=31)
    )
    recent = make_consultation(
        matter, opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=30)
    )
    for consultation in (old, recent):
        comment_submit(
            consultation=consultation,
            text="意见",
            name="赵某",
            phone="13800000000",
            today=consultation.opens_on,
        )
    with pytest.raises(PermissionDenied):
        comments_forget_personal_data(actor=users.county_editor, today=today)
    out = io.StringIO()
    call_command("participation_forget_personal_data", stdout=out)
    assert out.getvalue() == "已清除 1 条公众意见的姓名和联系电话（保存期限：征集结束后30日）。\n"
    assert list(
        Comment.objects.order_by("consultation_id").values_list("name", "phone", "text")
    ) == [
        ("", "", "意见"),
        ("赵某", "13800000000", "意见"),
    ]
