"""Services of the catalogs app: standard editions (dynamic adjustment) and region contacts."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.models import EditionStatus, StandardItem
from catalogs.permissions import SYSTEM
from catalogs.selectors import edition_changes
from catalogs.services import (
    edition_create_draft,
    edition_publish,
    edition_replace_items,
    region_update_contact,
    standard_catalogs_load_initial,
    standard_item_delete,
    standard_item_save,
)
from items.services import catalog_derive

# ---------------------------------------------------------------------------
# The initial edition from standard-catalogs.json
# ---------------------------------------------------------------------------


def test_missing_fields_take_the_suggestion_and_are_marked_unverified(standards):
    edition = standards.social.current_edition
    row10 = edition.items.get(seq=10)
    assert row10.needs_verification
    assert "content" in row10.unverified_fields and "basis" in row10.unverified_fields
    assert row10.provenance["content"] == "missing"
    assert row10.content  # the suggested value, not an empty cell
    for item in edition.items.filter(needs_verification=True):
        for name in ("content", "basis", "deadline", "subject"):
            # The JSON's guesses carry English notes; they never reach the product.
            assert not re.search(r"[A-Za-z]{4,}", getattr(item, name)), (item.seq, name)
    verified = edition.items.get(seq=1)
    assert not verified.needs_verification and verified.unverified_fields == []


def test_loading_the_initial_editions_twice_changes_nothing(standards):
    count = StandardItem.objects.count()
    assert standard_catalogs_load_initial() == []
    assert StandardItem.objects.count() == count


# ---------------------------------------------------------------------------
# Dynamic adjustment: draft, edit, publish
# ---------------------------------------------------------------------------


def test_province_admin_starts_a_draft_copying_the_current_edition(users, standards):
    current = standards.social.current_edition
    draft = edition_create_draft(actor=users.admin, standard=standards.social, note="调整")
    assert (draft.version, draft.status) == (2, EditionStatus.DRAFT)
    assert sorted(draft.items.values_list("key", flat=True)) == sorted(
        current.items.values_list("key", flat=True)
    )
    assert standards.social.current_edition == current  # drafts are not current


@pytest.mark.parametrize(
    "role",
    ["reviewer", "coordinator", "county_editor", "township_editor", "other_county_editor"],
)
def test_only_the_province_admin_adjusts_standards(users, standards, role):
    with pytest.raises(PermissionDenied):
        edition_create_draft(actor=getattr(users, role), standard=standards.social)
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    item = draft.items.first()
    item.basis = "改动"
    with pytest.raises(PermissionDenied):
        standard_item_save(actor=getattr(users, role), item=item)
    with pytest.raises(PermissionDenied):
        edition_publish(actor=getattr(users, role), edition=draft)


def test_a_second_draft_is_refused(users, standards):
    edition_create_draft(actor=users.admin, standard=standards.social)
    with pytest.raises(ValidationError, match="已有一个未发布的草稿版本"):
        edition_create_draft(actor=users.admin, standard=standards.social)


def test_published_editions_are_never_edited(users, standards):
    item = standards.social.current_edition.items.first()
    item.basis = "改动"
    with pytest.raises(ValidationError, match="已发布，不能再修改"):
        standard_item_save(actor=users.admin, item=item)
    with pytest.raises(ValidationError, match="已发布"):
        standard_item_delete(actor=users.admin, item=item)
    item.refresh_from_db()
    assert item.basis != "改动"


def test_standard_item_save_orders_terms_refuses_unknown_ones_and_records_history(users, standards):
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    item = draft.items.get(seq=1)
    records_before = item.history.count()
    item.channels = ["政务服务中心", "政府网站"]
    standard_item_save(actor=users.admin, item=item)
    item.refresh_from_db()
    assert item.channels == ["政府网站", "政务服务中心"]
    assert item.history.count() == records_before + 1
    latest = item.history.first()
    assert (latest.history_type, latest.history_user, latest.channels) == (
        "~",
        users.admin,
        ["政府网站", "政务服务中心"],
    )

    saved_method = list(item.method)
    item.method = ["主动", "公告"]
    with pytest.raises(ValidationError, match="无效的选项：公告") as refused:
        standard_item_save(actor=users.admin, item=item)
    assert refused.value.message_dict == {"method": ["无效的选项：公告"]}
    item.refresh_from_db()
    assert item.method == saved_method
    assert item.history.count() == records_before + 1


def test_publishing_a_draft_makes_it_current_and_derived_catalogs_keep_theirs(
    users, standards, catalogs
):
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    item = draft.items.get(seq=3)
    item.deadline = "信息形成之日起5个工作日内"
    standard_item_save(actor=users.admin, item=item)
    edition_publish(actor=users.admin, edition=draft)
    draft.refresh_from_db()
    assert draft.status == EditionStatus.PUBLISHED
    assert draft.published_by == users.admin and draft.published_at
    assert standards.social.current_edition == draft

    catalogs.nongan_social.refresh_from_db()
    old = catalogs.nongan_social.edition
    assert old.version == 1
    changes = edition_changes(old, draft)
    assert [(c.kind, c.key) for c in changes] == [("changed", item.key)]
    assert changes[0].fields == [("公开时限", old.items.get(key=item.key).deadline, item.deadline)]

    with pytest.raises(ValidationError, match="已发布"):
        edition_publish(actor=users.admin, edition=draft)


def test_an_empty_draft_cannot_be_published(users, standards):
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    edition_replace_items(actor=users.admin, edition=draft, rows=[])
    with pytest.raises(ValidationError, match="没有任何事项"):
        edition_publish(actor=users.admin, edition=draft)


def test_replacing_items_keeps_the_identity_of_same_named_items(users, standards):
    current = standards.elderly.current_edition
    first = current.items.get(seq=1)
    draft = edition_create_draft(actor=users.admin, standard=standards.elderly)
    fields = ("level1", "level2", "content", "basis", "deadline", "subject")
    rows = [
        {
            "seq": 1,
            **{name: getattr(first, name) for name in fields},
            "level1": first.level1.replace("养老", "养老 "),  # spelled with a space
            "channels": ["政府网站"],
            "audience": ["全社会"],
            "method": ["主动"],
            "levels": ["县级"],
        },
        {
            "seq": 2,
            "level1": "养老服务业务办理",
            "level2": "新增事项",
            "content": "●新增",
            "basis": "相关政策规定",
            "deadline": "10个工作日内",
            "subject": "县级民政部门",
            "channels": ["政府网站"],
            "audience": ["全社会"],
            "method": ["主动"],
            "levels": ["县级"],
        },
    ]
    edition_replace_items(actor=users.admin, edition=draft, rows=rows)
    keys = dict(draft.items.values_list("seq", "key"))
    assert keys[1] == first.key
    assert keys[2] not in set(current.items.values_list("key", flat=True))
    kinds = sorted(change.kind for change in edition_changes(current, draft))
    assert kinds.count("removed") == current.items.count() - 1
    assert "added" in kinds


def test_a_new_edition_does_not_change_existing_catalogs_until_they_are_derived_again(
    users, standards, regions
):
    catalog = catalog_derive(actor=SYSTEM, region=regions.nongan, standard=standards.social)
    count = catalog.items.count()
    draft = edition_create_draft(actor=users.admin, standard=standards.social)
    standard_item_delete(actor=users.admin, item=draft.items.get(seq=1))
    edition_publish(actor=users.admin, edition=draft)
    assert catalog.items.count() == count
    newer = catalog_derive(actor=SYSTEM, region=regions.shuangyang, standard=standards.social)
    assert newer.edition == draft
    assert newer.items.count() == count - 1


# ---------------------------------------------------------------------------
# Region contacts
# ---------------------------------------------------------------------------

CONTACT = {"contact_name": "李四", "contact_phone": "0431-88888888"}


@pytest.mark.parametrize(
    ("role", "region", "allowed"),
    [
        ("admin", "yongji", True),
        ("county_editor", "nongan", True),
        ("county_editor", "nongan_town", True),
        ("county_editor", "yongji", False),
        ("township_editor", "nongan_town", True),
        ("township_editor", "nongan", False),
        ("township_editor", "fulongquan", False),
        ("reviewer", "nongan", False),
        ("coordinator", "nongan", False),
        ("other_county_editor", "nongan", False),
        ("other_coordinator", "yongji", False),
    ],
)
def test_region_contacts_are_changed_by_the_regions_editors(users, regions, role, region, allowed):
    target = getattr(regions, region)
    if allowed:
        region_update_contact(actor=getattr(users, role), region=target, **CONTACT)
        target.refresh_from_db()
        assert target.contact_name == "李四"
    else:
        with pytest.raises(PermissionDenied):
            region_update_contact(actor=getattr(users, role), region=target, **CONTACT)
        target.refresh_from_db()
        assert target.contact_name != "李四"


def test_region_contact_validates_input(users, regions):
    with pytest.raises(ValidationError):
        region_update_contact(actor=users.county_editor, region=regions.nongan, contact_email="x@")
    with pytest.raises(ValueError, match="unknown contact fields"):
        region_update_contact(actor=users.county_editor, region=regions.nongan, name="改名")
    regions.nongan.refresh_from_db()
    assert regions.nongan.name == "农安县"
