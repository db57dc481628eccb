"""The guide admin: the region's editors edit, others read or get a 404; saves go through
the service with its Chinese refusals."""

import pytest
from django.urls import reverse

from guides.models import GuideMaterial, ServiceGuide
from tests.guides.conftest import guide_item, pdf_bytes, upload


def change_url(guide):
    return reverse("admin:guides_serviceguide_change", args=[guide.pk])


def form_data(guide, **overrides):
    data = {
        "seen_version": str(guide.version),
        "legal_basis": "《社会救助暂行办法》",
        "conditions": "家庭人均收入低于当地低保标准",
        "legal_days": "30",
        "promised_days": "20",
        "fee": "不收费",
        "location": "农安县政务服务中心",
        "office_hours": "工作日",
        "phone": "0431-83221234",
        "complaint_phone": "0431-83225678",
        "online_url": "",
        "progress_url": "",
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-0-order": "1",
        "materials-0-name": "申请书",
        "materials-0-form": "original",
        "materials-0-copies": "1",
        "materials-0-note": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-seq": "1",
        "steps-0-name": "申请",
        "steps-1-seq": "2",
        "steps-1-name": "审批",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_guide(guide):
    """The fixture guide with no inline rows (the form below sends its own)."""
    GuideMaterial.objects.filter(guide=guide).delete()
    guide.steps.all().delete()
    guide.questions.all().delete()
    return guide


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("county_editor", 200),
        ("coordinator", 200),  # 长春市 reads its counties
        ("other_county_editor", 404),  # 永吉县's editor does not learn it exists
        ("other_coordinator", 404),
    ],
)
def test_who_sees_a_county_guide(client, login, users, guide, user, status):
    login(getattr(users, user))
    assert client.get(change_url(guide)).status_code == status


def test_the_editor_saves_through_the_service(client, login, users, admin_guide):
    login(users.county_editor)
    response = client.post(
        change_url(admin_guide),
        form_data(admin_guide, **{"materials-0-file": upload("表.pdf", pdf_bytes())}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    guide = ServiceGuide.objects.get(pk=admin_guide.pk)
    assert guide.version == admin_guide.version + 1
    assert guide.conditions == "家庭人均收入低于当地低保标准"
    assert [m.file_label for m in guide.materials.all()] == ["表.pdf"]
    assert [s.name for s in guide.steps.all()] == ["申请", "审批"]


def test_another_region_cannot_post_either(client, login, users, admin_guide):
    login(users.other_county_editor)
    response = client.post(change_url(admin_guide), form_data(admin_guide, conditions="改"))
    assert response.status_code == 404
    assert ServiceGuide.objects.get(pk=admin_guide.pk).conditions != "改"


def test_a_reader_cannot_save(client, login, users, admin_guide):
    login(users.coordinator)
    response = client.post(change_url(admin_guide), form_data(admin_guide, conditions="改"))
    assert response.status_code == 403
    assert ServiceGuide.objects.get(pk=admin_guide.pk).conditions != "改"


def test_refusals_show_in_chinese_on_the_form(client, login, users, admin_guide):
    login(users.county_editor)
    response = client.post(
        change_url(admin_guide), form_data(admin_guide, promised_days="40", legal_days="30")
    )
    assert response.status_code == 200
    assert "“承诺时限”（40个工作日）不能长于“法定时限”（30个工作日）。" in response.content.decode()
    response = client.post(change_url(admin_guide), form_data(admin_guide, **{"steps-1-seq": "3"}))
    assert response.status_code == 200
    assert "“办理流程”的步骤应从1开始按顺序连续编号" in response.content.decode()
    response = client.post(
        change_url(admin_guide),
        form_data(
            admin_guide,
            **{"materials-0-file": upload("表.pdf", b"<html><script></script></html>")},
        ),
    )
    assert response.status_code == 200
    assert "申请材料第1行“表格或样表”的文件“表.pdf”不是可接受的文件" in response.content.decode()
    assert ServiceGuide.objects.get(pk=admin_guide.pk).version == admin_guide.version


def test_a_stale_page_is_refused(client, login, users, admin_guide):
    login(users.county_editor)
    assert client.post(change_url(admin_guide), form_data(admin_guide)).status_code == 302
    response = client.post(change_url(admin_guide), form_data(admin_guide, fee="5元"))
    assert response.status_code == 200
    assert "保存未成功" in response.content.decode()
    assert ServiceGuide.objects.get(pk=admin_guide.pk).fee == "不收费"


def test_the_edit_link_of_an_item(client, login, users, catalogs, guide):
    login(users.county_editor)
    with_guide = guide_item(catalogs.nongan_social)
    response = client.get(reverse("guides:edit_for_item", args=[with_guide.pk]))
    assert response.status_code == 302
    assert response["Location"] == change_url(guide)
    without = catalogs.nongan_social.items.get(level1="临时救助", level2__contains="办事指南")
    response = client.get(reverse("guides:edit_for_item", args=[without.pk]))
    assert response["Location"] == reverse("admin:guides_serviceguide_add") + f"?item={without.pk}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'value="{without.pk}" selected' in page.content.decode()


def test_the_edit_link_hides_other_regions_items(client, login, users, catalogs):
    login(users.other_county_editor)
    item = guide_item(catalogs.nongan_social)
    assert client.get(reverse("guides:edit_for_item", args=[item.pk])).status_code == 404


def test_creating_a_guide_in_the_admin(client, login, users, catalogs):
    login(users.county_editor)
    item = guide_item(catalogs.nongan_social)
    data = form_data(ServiceGuide(), item=str(item.pk))
    data.pop("seen_version")
    response = client.post(reverse("admin:guides_serviceguide_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    guide = ServiceGuide.objects.get(item=item)
    assert guide.steps.count() == 2


def test_another_region_cannot_create_a_guide_for_our_item(client, login, users, catalogs):
    login(users.other_county_editor)
    item = guide_item(catalogs.nongan_social)
    data = form_data(ServiceGuide(), item=str(item.pk))
    data.pop("seen_version")
    response = client.post(reverse("admin:guides_serviceguide_add"), data)
    assert response.status_code == 200  # the item is not among the choices
    assert not ServiceGuide.objects.filter(item=item).exists()


def test_the_item_admin_page_links_to_the_guide_editor(client, login, users, catalogs):
    login(users.county_editor)
    item = guide_item(catalogs.nongan_social)
    html = client.get(reverse("admin:items_item_change", args=[item.pk])).content.decode()
    link = reverse("guides:edit_for_item", args=[item.pk])
    assert f'<a href="{link}">编辑办事指南</a>' in html
