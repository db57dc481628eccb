"""The staff admin of policy documents: scoping, the item picker, writes through services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies.models import Interpretation, PolicyDocument
from tests.policies.conftest import items_named, make_document

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:policies_policydocument_changelist"
CHANGE = "admin:policies_policydocument_change"
ADD = "admin:policies_policydocument_add"
DELETE = "admin:policies_policydocument_delete"


def inline(prefix="interpretations", rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def document_post(document, **changes):
    data = {
        "standard": str(document.standard_id),
        "title": document.title,
        "number": document.number,
        "issuer": document.issuer,
        "issued_on": document.issued_on.isoformat(),
        "relation": document.relation,
        "url": document.url,
        "text": document.text,
        "items": [str(pid) for pid in document.item_links.values_list("item_id", flat=True)],
        "seen_version": str(document.version),
        "status_move": "",
        "_save": "保存",
    }
    interpretations = [
        {
            "id": str(i.pk),
            "document": str(document.pk),
            "title": i.title,
            "form": i.form,
            "published_on": i.published_on.isoformat(),
            "url": i.url,
            "text": i.text,
            "seen_version": str(i.version),
        }
        for i in document.interpretations.all()
    ]
    data.update(inline(rows=interpretations, initial=len(interpretations)))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("county_editor", True),
        ("coordinator", True),
        ("reviewer", True),
        ("township_editor", False),
        ("other_county_editor", False),
        ("other_coordinator", False),
    ],
)
def test_changelist_is_scoped(client, login, users, policy, who, listed):
    login(getattr(users, who))
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert ("农安县最低生活保障审核确认办法" in html) == listed


@pytest.mark.parametrize(
    ("who", "status", "can_save"),
    [
        ("county_editor", 200, True),
        ("admin", 200, True),
        ("coordinator", 200, False),  # reads, cannot change
        ("other_county_editor", 404, False),
        ("other_coordinator", 404, False),
        ("township_editor", 404, False),
    ],
)
def test_change_page_of_another_region_is_404(client, login, users, policy, who, status, can_save):
    login(getattr(users, who))
    url = reverse(CHANGE, args=[policy.document.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert ('name="_save"' in response.content.decode()) == can_save
    post = client.post(url, document_post(policy.document, title="越权修改"))
    assert post.status_code in (403, 404) if not can_save else post.status_code == 302
    expected = "越权修改" if can_save else "农安县最低生活保障审核确认办法"
    assert PolicyDocument.objects.get(pk=policy.document.pk).title == expected


def test_delete_of_another_region_is_404(client, login, users, policy):
    login(users.other_county_editor)
    response = client.post(reverse(DELETE, args=[policy.document.pk]), {"post": "yes"})
    assert response.status_code == 404
    assert PolicyDocument.objects.filter(pk=policy.document.pk).exists()


def test_item_picker_lists_only_the_region_items(client, login, users, catalogs, policy):
    login(users.county_editor)
    html = client.get(reverse(CHANGE, args=[policy.document.pk])).content.decode()
    own = items_named(catalogs.nongan_social, "特困人员")[0]
    assert f'value="{own.public_id}"' in html
    for other in (catalogs.yongji_social, catalogs.town_social, catalogs.nongan_elderly):
        assert f'value="{other.items.first().public_id}"' not in html
    add = client.get(reverse(ADD) + "?region=220122").content.decode()
    assert f'value="{own.public_id}"' in add
    assert f'value="{catalogs.nongan_elderly.items.first().public_id}"' in add
    assert f'value="{catalogs.town_social.items.first().public_id}"' not in add
    # Another county's region in the URL gives an empty picker.
    other = client.get(reverse(ADD) + "?region=220221").content.decode()
    assert f'value="{catalogs.yongji_social.items.first().public_id}"' not in other


def test_add_with_items_and_interpretation(client, login, users, regions, standards, catalogs):
    login(users.county_editor)
    dibao = items_named(catalogs.nongan_social, "最低生活保障")
    data = {
        "region": str(regions.nongan.pk),
        "standard": str(standards.social.pk),
        "title": "农安县临时救助实施办法",
        "number": "农政发〔2025〕20号",
        "issuer": "农安县人民政府",
        "issued_on": "2025-05-06",
        "relation": "issued",
        "url": "https://www.nongan.gov.cn/a.html",
        "text": "",
        "items": [str(item.public_id) for item in dibao],
        "_save": "保存",
        **inline(
            rows=[
                {
                    "title": "政策问答",
                    "form": "qa",
                    "published_on": "2025-05-07",
                    "url": "",
                    "text": "问：……\r\n答：……",
                }
            ]
        ),
    }
    response = client.post(reverse(ADD) + "?region=220122", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = PolicyDocument.objects.get(title="农安县临时救助实施办法")
    assert set(document.item_links.values_list("item_id", flat=True)) == {
        item.public_id for item in dibao
    }
    assert list(document.interpretations.values_list("title", "form", "text")) == [
        ("政策问答", "qa", "问：……\n答：……")
    ]


def test_bad_url_is_refused_in_chinese(client, login, users, policy):
    login(users.county_editor)
    url = reverse(CHANGE, args=[policy.document.pk])
    response = client.post(url, document_post(policy.document, url="javascript:alert(1)"))
    assert response.status_code == 200
    assert "“原文链接”" in response.content.decode()
    assert PolicyDocument.objects.get(pk=policy.document.pk).url.startswith("https://")


def test_stale_change_is_refused(client, login, users, policy):
    login(users.county_editor)
    url = reverse(CHANGE, args=[policy.document.pk])
    stale = document_post(policy.document, title="第一次")
    assert client.post(url, stale).status_code == 302
    stale["title"] = "旧页面上的修改"
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "保存未成功" in response.content.decode()
    assert PolicyDocument.objects.get(pk=policy.document.pk).title == "第一次"


def test_repeal_and_interpretation_edit_from_the_change_form(
    client, login, users, regions, standards, policy
):
    newer = make_document(regions.nongan, standards.social, title="新的低保办法")
    login(users.county_editor)
    data = document_post(policy.document, status_move="repealed", replacement=str(newer.pk))
    data["interpretations-0-title"] = "改过的图解"
    response = client.post(reverse(CHANGE, args=[policy.document.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = PolicyDocument.objects.get(pk=policy.document.pk)
    assert (stored.status, stored.replaced_by) == ("repealed", newer)
    assert Interpretation.objects.get(pk=policy.interpretation.pk).title == "改过的图解"


def test_repeal_without_replacement_is_refused(client, login, users, policy):
    login(users.county_editor)
    data = document_post(policy.document, status_move="repealed")
    response = client.post(reverse(CHANGE, args=[policy.document.pk]), data)
    assert response.status_code == 200
    assert "请选择修改或废止" in response.content.decode()
    assert PolicyDocument.objects.get(pk=policy.document.pk).status == "valid"


def test_add_defaults_to_the_editor_region(client, login, users, catalogs):
    login(users.township_editor)
    html = client.get(reverse(ADD)).content.decode()
    assert f'value="{catalogs.town_social.items.first().public_id}"' in html
    assert f'value="{catalogs.nongan_social.items.first().public_id}"' not in html
    login(users.admin)  # the province starts from a region's code
    html = client.get(reverse(ADD)).content.decode()
    assert "保存后在修改页面选择关联事项" in html
    assert f'value="{catalogs.town_social.items.first().public_id}"' not in html


def test_readers_cannot_add(client, login, users):
    for who in ("coordinator", "reviewer"):
        login(getattr(users, who))
        assert client.get(reverse(ADD)).status_code == 403


def test_changelist_queries_do_not_grow(client, login, users, regions, standards, policy):
    login(users.county_editor)
    url = reverse(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(8):
        make_document(regions.nongan_town, standards.elderly, title=f"镇文件{index}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "镇文件7" in html
    assert len(many.captured_queries) == len(few.captured_queries)
