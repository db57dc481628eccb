"""Defects found in review: draft rows leaking onto public consultation pages, links
disguised in full-width characters escaping the spam hold."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from catalogs.permissions import SYSTEM
from participation.models import CommentStatus, HeldReason
from participation.services import comment_submit, matter_update, participation_catalog_publish
from tests.factories import consultation as make_consultation


@pytest.fixture
def today():
    return timezone.localdate()


def test_a_draft_edit_of_the_matter_stays_off_public_consultation_pages(
    client, regions, pcatalog, matter, today
):
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=5)
    )
    matter.refresh_from_db()
    matter_update(
        actor=SYSTEM,
        matter=matter,
        seen_version=matter.version,
        name="尚未公开的草稿名称",
        office="草稿里的单位",
    )
    cache.clear()
    page = client.get(reverse("site:participation_consultation", args=[consultation.pk]))
    listing = client.get(reverse("site:participation_catalog", args=[regions.nongan.code]))
    for response in (page, listing):
        html = response.content.decode()
        assert response.status_code == 200
        assert "尚未公开的草稿名称" not in html
        assert "公众参与事项1" in html
    assert "草稿里的单位" not in page.content.decode()
    # Once published, the new name shows at once (publishing moves the state on).
    participation_catalog_publish(actor=SYSTEM, catalog=pcatalog)
    html = client.get(
        reverse("site:participation_consultation", args=[consultation.pk])
    ).content.decode()
    assert "尚未公开的草稿名称" in html and "草稿里的单位" in html


@pytest.mark.parametrize(
    "text",
    [
        "详见ｗｗｗ．ｓｐａｍ．ｃｎ",
        "访问ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｏｒｇ",
        "加 spam.ru 领补贴",
        "加spam.cn领补贴",
    ],
)
def test_links_in_disguise_are_held(matter, today, text):
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1)
    )
    comment = comment_submit(consultation=consultation, text=text, today=today)
    assert (comment.status, comment.held_reason) == (CommentStatus.HELD, HeldReason.LINK)


@pytest.mark.parametrize("phone", ["(((((", "+-- 12", "1234567890123456789"])
def test_a_phone_without_a_number_is_refused(matter, today, phone):
    from django.core.exceptions import ValidationError

    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        comment_submit(consultation=consultation, text="意见", phone=phone, today=today)
    assert refused.value.message_dict == {"phone": ["“联系电话”应为7至15位数字的电话号码。"]}


def test_a_full_width_phone_is_stored_in_ascii(matter, today):
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1)
    )
    comment = comment_submit(
        consultation=consultation, text="意见", phone="１３９１２３４５６７８", today=today
    )
    assert comment.phone == "13912345678"


def test_personal_data_is_forgotten_nightly_after_the_provinces_retention(settings, matter, today):
    from inquiries.models import InquirySettings
    from participation.models import Comment
    from portal.celery import app as celery_app
    from portal.tasks import forget_participation_personal_data

    entry = settings.CELERY_BEAT_SCHEDULE["forget-participation-personal-data"]
    celery_app.loader.import_default_modules()
    assert entry["task"] == "portal.tasks.forget_participation_personal_data"
    assert entry["task"] in celery_app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {20})

    real_today = timezone.localdate()
    consultation = make_consultation(
        matter, opens_on=real_today - timedelta(days=40), closes_on=real_today - timedelta(days=30)
    )
    comment = comment_submit(
        consultation=consultation,
        text="意见",
        name="张三",
        phone="13912345678",
        today=real_today - timedelta(days=35),
    )
    InquirySettings.objects.update(retention_days=31)  # the province's period: not yet
    forget_participation_personal_data()
    assert Comment.objects.values_list("name", "phone").get(pk=comment.pk) == (
        "张三",
        "13912345678",
    )
    InquirySettings.objects.update(retention_days=29)
    forget_participation_personal_data()
    assert Comment.objects.values_list("name", "phone").get(pk=comment.pk) == ("", "")
