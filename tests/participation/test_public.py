"""Public pages: the county's participation catalog, a consultation, the region section."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogs.permissions import SYSTEM
from participation.services import (
    comment_answer,
    comment_submit,
    consultation_feedback_publish,
    matter_update,
    participation_catalog_publish,
)
from tests.factories import consultation as make_consultation


@pytest.fixture
def today():
    return timezone.localdate()


def catalog_url(region):
    return reverse("site:participation_catalog", args=[region.code])


def consultation_url(consultation):
    return reverse("site:participation_consultation", args=[consultation.pk])


def test_the_catalog_page_shows_rows_history_and_consultations(
    client, regions, pcatalog, matter, today, django_assert_max_num_queries
):
    matter_update(actor=SYSTEM, matter=matter, seen_version=0, name="<script>alert(1)</script>")
    participation_catalog_publish(actor=SYSTEM, catalog=pcatalog, note="第二版")
    make_consultation(
        matter,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
        title="征集<b>一</b>",
    )
    with django_assert_max_num_queries(8):
        response = client.get(catalog_url(regions.nongan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "征集&lt;b&gt;一&lt;/b&gt;" in html
    assert "第2次公开，共 2 项" in html
    assert "征求意见、听证" in html
    assert f'href="{catalog_url(regions.nongan)}1/"' in html
    assert "征求中" in html
    # A second request is served from the cache: one query at most (none for the page).
    with django_assert_max_num_queries(0):
        again = client.get(catalog_url(regions.nongan))
    assert again.content == response.content


def test_an_old_publication_stays_readable(client, regions, pcatalog, matter):
    matter_update(actor=SYSTEM, matter=matter, seen_version=0, name="新名称")
    participation_catalog_publish(actor=SYSTEM, catalog=pcatalog)
    old = client.get(reverse("site:participation_publication", args=[regions.nongan.code, 1]))
    html = old.content.decode()
    assert old.status_code == 200
    assert "此为历史版本" in html
    assert "公众参与事项1" in html and "新名称" not in html
    current = client.get(catalog_url(regions.nongan)).content.decode()
    assert "新名称" in current and "此为历史版本" not in current
    missing = client.get(reverse("site:participation_publication", args=[regions.nongan.code, 9]))
    assert missing.status_code == 404


def test_a_publication_shows_at_once(client, regions, pcatalog, matter):
    assert "公众参与事项1" in client.get(catalog_url(regions.nongan)).content.decode()
    matter_update(actor=SYSTEM, matter=matter, seen_version=0, name="改后的事项")
    # Not published yet: the page still shows the publication.
    assert "改后的事项" not in client.get(catalog_url(regions.nongan)).content.decode()
    participation_catalog_publish(actor=SYSTEM, catalog=pcatalog)
    assert "改后的事项" in client.get(catalog_url(regions.nongan)).content.decode()


def test_counties_without_a_catalog_and_other_levels(client, regions, pcatalog):
    response = client.get(catalog_url(regions.yongji))
    assert response.status_code == 200
    assert "永吉县尚未公开公众参与事项目录" in response.content.decode()
    assert client.get("/regions/220122100/participation/").status_code == 404
    assert client.get("/regions/999999/participation/").status_code == 404


def test_the_consultation_page_escapes_and_hides_personal_data(
    client, matter, today, django_assert_max_num_queries
):
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=10)
    )
    during = consultation.opens_on
    shown = comment_submit(
        consultation=consultation,
        text="<img src=x onerror=alert(1)>建议",
        name="秘密姓名",
        phone="13912345678",
        today=during,
    )
    comment_submit(consultation=consultation, text="广告 www.spam.cn", today=during)
    comment_answer(actor=SYSTEM, comment=shown, adoption="partly", reason="部分<采纳>")
    with django_assert_max_num_queries(6):
        response = client.get(consultation_url(consultation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "已结束" in html
    assert "&lt;img src=x onerror=alert(1)&gt;建议" in html
    assert "<img src=x" not in html
    assert "秘密姓名" not in html and "13912345678" not in html
    assert "www.spam.cn" not in html  # held, not shown
    assert "公众意见（1 条）" in html
    assert "部分采纳" in html and "部分&lt;采纳&gt;" in html
    assert "采纳情况将于" in html
    assert reverse("site:participation_comment", args=[consultation.pk]) not in html


def test_the_feedback_shows_once_published(client, matter, today):
    consultation = make_consultation(
        matter, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=10)
    )
    consultation_feedback_publish(
        actor=SYSTEM,
        consultation=consultation,
        feedback="采纳3条，<未采纳>1条",
        seen_version=0,
        today=today,
    )
    html = client.get(consultation_url(consultation)).content.decode()
    assert "采纳3条，&lt;未采纳&gt;1条" in html
    assert "采纳情况将于" not in html


def test_an_open_consultation_links_its_form(client, matter, today):
    consultation = make_consultation(matter, opens_on=today, closes_on=today)
    html = client.get(consultation_url(consultation)).content.decode()
    assert "征求中" in html
    assert f'href="{reverse("site:participation_comment", args=[consultation.pk])}"' in html


def test_the_county_page_links_its_participation_catalog(client, regions, matter, today):
    for days in (0, 1, -30):
        make_consultation(
            matter, opens_on=today + timedelta(days=days), closes_on=today + timedelta(days=days)
        )
    response = client.get(reverse("site:region", args=[regions.nongan.code]))
    html = response.content.decode()
    assert f'href="{catalog_url(regions.nongan)}"' in html
    assert "正在征求意见 1 项" in html
    assert client.get(reverse("site:region", args=[regions.yongji.code])).status_code == 200
    township = client.get(reverse("site:region", args=[regions.nongan_town.code]))
    assert catalog_url(regions.nongan) not in township.content.decode()


def test_the_region_section_costs_one_query(regions, matter, django_assert_num_queries):
    from participation.public import region_section

    with django_assert_num_queries(1):
        section = region_section(regions.nongan)
    assert (section.context["publication"].number, section.context["open_count"]) == (1, 0)
    with django_assert_num_queries(1):
        assert region_section(regions.yongji) is None
    with django_assert_num_queries(0):
        assert region_section(regions.nongan_town) is None
