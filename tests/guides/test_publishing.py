"""Guides are published with their catalogs; the public page, files and API read only copies."""

import pytest
from django.urls import reverse

from catalogs.permissions import SYSTEM
from guides.models import PublishedGuide
from guides.publishing import publish_guides
from guides.services import guide_input_of, guide_save
from items.models import Publication
from items.publishing import catalogs_publish_many
from items.services import catalog_publish
from tests.factories import localise
from tests.guides.conftest import full_input, guide_item, pdf_bytes


def publish(catalog):
    return catalog_publish(actor=SYSTEM, catalog=catalog)


@pytest.fixture
def live(catalogs):
    """农安县's catalog with a full 低保 guide, published."""
    catalog = localise(catalogs.nongan_social)
    item = guide_item(catalog)
    guide_save(actor=SYSTEM, item=item, data=full_input())
    publication = publish(catalog)
    return item, publication


def page_url(item):
    return reverse("site:guides_detail", args=[item.public_id])


def test_publishing_copies_the_guide(live):
    item, publication = live
    (copy,) = PublishedGuide.objects.filter(publication=publication)
    assert copy.public_id == item.public_id
    assert copy.title == "最低生活保障"
    assert copy.name == "最低生活保障"
    assert (copy.legal_days, copy.promised_days) == (30, 20)
    assert [m["name"] for m in copy.materials] == ["最低生活保障申请书", "居民身份证"]
    assert copy.materials[0]["file"].endswith(".pdf")
    assert copy.materials[1]["form_label"] == "原件和复印件"
    assert [s["seq"] for s in copy.steps] == [1, 2, 3]
    assert copy.questions == [
        {"question": "外出务工的家庭成员算不算？", "answer": "算共同生活的家庭成员。"}
    ]


def test_the_linked_matter_names_the_published_guide(catalogs, monkeypatch):
    class Matter:
        code = "11220100MB1234567X4000112002000"
        name = "最低生活保障审批"

    catalog = localise(catalogs.nongan_social)
    item = guide_item(catalog)
    guide_save(actor=SYSTEM, item=item, data=full_input())
    monkeypatch.setattr(
        "matters.selectors.matters_for_items", lambda ids: {pk: Matter() for pk in ids}
    )
    publication = publish(catalog)
    copy = PublishedGuide.objects.get(publication=publication)
    assert (copy.matter_code, copy.name) == (Matter.code, "最低生活保障审批")


def test_an_edit_shows_only_after_the_catalog_is_published_again(client, live):
    item, _publication = live
    before = client.get(page_url(item)).content.decode()
    assert "承诺时限：20个工作日" in before
    guide = item.service_guide
    guide_save(actor=SYSTEM, item=item, data=full_input(promised_days=10))
    assert guide_input_of(guide) is not None
    assert "承诺时限：20个工作日" in client.get(page_url(item)).content.decode()
    publish(item.catalog)
    after = client.get(page_url(item)).content.decode()
    assert "承诺时限：10个工作日" in after
    # Every publication keeps its own copy.
    assert sorted(PublishedGuide.objects.values_list("promised_days", flat=True)) == [10, 20]


def test_bulk_publishing_copies_every_catalog_guides_in_fixed_queries(
    catalogs, django_assert_num_queries
):
    for catalog in (catalogs.nongan_social, catalogs.town_social, catalogs.yongji_social):
        localise(catalog)
        guide_save(actor=SYSTEM, item=guide_item(catalog), data=full_input())
    report = catalogs_publish_many(
        actor=SYSTEM,
        catalogs=[catalogs.nongan_social.pk, catalogs.town_social.pk, catalogs.yongji_social.pk],
    )
    assert report.published == 3
    assert PublishedGuide.objects.count() == 3
    assert set(PublishedGuide.objects.values_list("publication__catalog", flat=True)) == {
        catalogs.nongan_social.pk,
        catalogs.town_social.pk,
        catalogs.yongji_social.pk,
    }
    publications = list(Publication.objects.all())
    # guides, materials, steps, questions, linked matters, insert: the same for one
    # publication or many.
    with django_assert_num_queries(6):
        assert publish_guides(publications) == 3
    with django_assert_num_queries(6):
        assert publish_guides(publications[:1]) == 1


def test_a_catalog_without_guides_costs_one_query(published, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert publish_guides([published.publication]) == 0


def test_the_form_file_downloads_while_published(client, live):
    item, _publication = live
    url = reverse("site:guides_file", args=[item.public_id, 1])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # The second material has no file; a number past the list does not exist.
    assert client.get(reverse("site:guides_file", args=[item.public_id, 2])).status_code == 404
    assert client.get(reverse("site:guides_file", args=[item.public_id, 9])).status_code == 404


def test_a_file_dropped_from_the_guide_stops_downloading_once_republished(client, live):
    item, _publication = live
    data = full_input()
    data.materials = data.materials[1:]
    guide_save(actor=SYSTEM, item=item, data=data)
    url = reverse("site:guides_file", args=[item.public_id, 1])
    assert client.get(url).status_code == 200  # still what citizens see
    publish(item.catalog)
    assert client.get(url).status_code == 404


def test_no_guide_page_for_an_unpublished_guide(client, catalogs):
    item = guide_item(catalogs.nongan_social)
    guide_save(actor=SYSTEM, item=item, data=full_input())
    assert client.get(page_url(item)).status_code == 404
    assert client.get(reverse("site:guides_file", args=[item.public_id, 1])).status_code == 404
