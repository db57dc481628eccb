"""Writing policy documents and 解读: who may, and what is refused (in Chinese)."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from catalogs import states
from catalogs.concurrency import EditConflict
from policies.models import (
    TEXT_MAX,
    DocumentStatus,
    Interpretation,
    PolicyDocument,
    PolicyDocumentEvent,
)
from policies.public import STATE
from policies.selectors import document_for_user
from policies.services import (
    document_delete,
    document_modify,
    document_repeal,
    document_update,
    interpretation_delete,
    interpretation_update,
)
from tests.policies.conftest import TODAY, items_named, make_document, make_interpretation

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Who may register and change documents
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "where", "allowed"),
    [
        ("county_editor", "nongan", True),
        ("county_editor", "nongan_town", True),  # a county's editors also for its townships
        ("county_editor", "yongji", False),  # another county
        ("township_editor", "nongan_town", True),
        ("township_editor", "nongan", False),  # the county above
        ("township_editor", "fulongquan", False),  # a neighbouring township
        ("coordinator", "nongan", False),  # the city reads
        ("reviewer", "nongan", False),  # the province's reviewers read
        ("admin", "yongji", True),
        ("other_county_editor", "nongan", False),
    ],
)
def test_create_by_role(users, regions, standards, who, where, allowed):
    actor, region = getattr(users, who), getattr(regions, where)
    if allowed:
        document = make_document(region, standards.social, actor=actor)
        assert PolicyDocument.objects.get(pk=document.pk).region == region
        assert document.history.count() == 1
        assert document.history.get().history_user == actor
    else:
        with pytest.raises(PermissionDenied):
            make_document(region, standards.social, actor=actor)
        assert not PolicyDocument.objects.exists()


def test_anonymous_user_writes_nothing(regions, standards, policy):
    anonymous = AnonymousUser()
    with pytest.raises(PermissionDenied):
        make_document(regions.nongan, standards.social, actor=anonymous)
    with pytest.raises(PermissionDenied):
        document_update(actor=anonymous, document=policy.document, expected_version=0, title="改")
    with pytest.raises(Http404):
        document_for_user(anonymous, policy.document.pk)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_editor", True),
        ("admin", True),
        ("township_editor", False),
        ("coordinator", False),
        ("reviewer", False),
        ("other_county_editor", False),
    ],
)
def test_update_and_interpretation_writes_by_role(users, policy, who, allowed):
    actor = getattr(users, who)
    document = PolicyDocument.objects.get(pk=policy.document.pk)
    calls = [
        lambda: document_update(
            actor=actor, document=document, expected_version=document.version, title="新标题"
        ),
        lambda: make_interpretation(document, actor=actor, title="政策问答"),
        lambda: interpretation_update(
            actor=actor,
            interpretation=Interpretation.objects.get(pk=policy.interpretation.pk),
            expected_version=0,
            title="改过的解读",
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    document.refresh_from_db()
    assert document.title == ("新标题" if allowed else "农安县最低生活保障审核确认办法")
    assert document.interpretations.count() == (2 if allowed else 1)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("county_editor", True),
        ("township_editor", False),  # a township sees only itself and below
        ("coordinator", True),
        ("reviewer", True),
        ("admin", True),
        ("other_county_editor", False),
        ("other_coordinator", False),
    ],
)
def test_reading_follows_the_region(users, policy, who, visible):
    user = getattr(users, who)
    assert PolicyDocument.objects.for_user(user).filter(pk=policy.document.pk).exists() == visible
    if visible:
        assert document_for_user(user, policy.document.pk) == policy.document
    else:
        with pytest.raises(Http404):
            document_for_user(user, policy.document.pk)


def test_a_city_registers_no_documents(users, regions, standards):
    with pytest.raises(ValidationError) as refused:
        make_document(regions.changchun, standards.social, actor=users.admin)
    assert "不编制公开事项目录" in refused.value.message_dict["region"][0]


def test_writes_move_the_public_state_on(regions, standards):
    before = states.state(STATE)
    make_document(regions.nongan, standards.social)
    assert states.state(STATE) > before


# ---------------------------------------------------------------------------
# Hostile and wrong input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"url": "javascript:alert(1)"}, "url", "只接受以http://或https://开头的网址"),
        ({"url": "ftp://example.com/a.pdf"}, "url", "只接受以http://或https://开头的网址"),
        ({"url": "https://"}, "url", "只接受以http://或https://开头的网址"),
        ({"title": "低保\x00办法"}, "title", "“文件标题”含有不可见的控制字符"),
        ({"issuer": "民政局\x07"}, "issuer", "“发文机关”含有不可见的控制字符"),
        ({"title": "长" * 201}, "title", "“文件标题”最多200个字符（现为201个）"),
        ({"number": "号" * 101}, "number", "“文号”最多100个字符（现为101个）"),
        ({"text": "字" * (TEXT_MAX + 1)}, "text", f"“文件全文”最多{TEXT_MAX}个字符"),
        ({"title": "   "}, "title", "请填写“文件标题”"),
        ({"issued_on": date(2025, 7, 1)}, "issued_on", "晚于今天"),
        ({"relation": "copied"}, "relation", "“制发方式”应为本级制发或转发"),
    ],
)
def test_bad_document_input_is_refused_naming_the_field(regions, standards, values, field, message):
    with pytest.raises(ValidationError) as refused:
        make_document(regions.nongan, standards.social, **values)
    assert message in refused.value.message_dict[field][0]
    assert not PolicyDocument.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"url": "data:text/html,<script>"}, "url", "只接受以http://或https://开头的网址"),
        ({"url": "", "text": ""}, "url", "至少一项"),
        ({"text": "解读\x00", "url": ""}, "text", "控制字符"),
        ({"form": "podcast"}, "form", "“解读形式”应为文字、图解、视频、问答之一"),
        ({"published_on": None}, "published_on", "请填写“发布日期”"),
    ],
)
def test_bad_interpretation_input_is_refused(policy, values, field, message):
    with pytest.raises(ValidationError) as refused:
        make_interpretation(policy.document, **values)
    assert message in refused.value.message_dict[field][0]
    assert policy.document.interpretations.count() == 1


def test_text_only_interpretation_is_accepted(policy):
    interpretation = make_interpretation(
        policy.document, url="", text="问：谁可以申请？\r\n答：本县户籍居民。", form="qa"
    )
    assert interpretation.text == "问：谁可以申请？\n答：本县户籍居民。"


def test_items_of_another_region_or_field_are_refused(catalogs, regions, standards):
    yongji = items_named(catalogs.yongji_social, "最低生活保障")[:1]
    with pytest.raises(ValidationError) as refused:
        make_document(regions.nongan, standards.social, items=yongji)
    assert "不属于农安县社会救助目录" in refused.value.message_dict["items"][0]
    elderly = list(catalogs.nongan_elderly.items.all()[:1])
    with pytest.raises(ValidationError):
        make_document(regions.nongan, standards.social, items=elderly)
    assert not PolicyDocument.objects.exists()


def test_items_are_replaced_by_update(policy, catalogs, users):
    tekun = items_named(catalogs.nongan_social, "特困人员")
    document = document_update(
        actor=users.county_editor, document=policy.document, expected_version=0, items=tekun
    )
    linked = set(document.item_links.values_list("item_id", flat=True))
    assert linked == {item.public_id for item in tekun}


def test_stale_edit_is_refused_showing_the_other_change(policy, users):
    first = PolicyDocument.objects.get(pk=policy.document.pk)
    second = PolicyDocument.objects.get(pk=policy.document.pk)
    document_update(actor=users.admin, document=first, expected_version=0, title="甲改的标题")
    with pytest.raises(EditConflict) as conflict:
        document_update(
            actor=users.county_editor, document=second, expected_version=0, issuer="乙改的机关"
        )
    assert (
        "“文件标题”由“农安县最低生活保障审核确认办法”改为“甲改的标题”" in conflict.value.messages[0]
    )
    stored = PolicyDocument.objects.get(pk=policy.document.pk)
    assert (stored.title, stored.issuer, stored.version) == ("甲改的标题", "农安县人民政府", 1)


def test_stale_interpretation_edit_and_delete_are_refused(policy, users):
    interpretation = Interpretation.objects.get(pk=policy.interpretation.pk)
    interpretation_update(
        actor=users.county_editor, interpretation=interpretation, expected_version=0, title="新"
    )
    with pytest.raises(EditConflict):
        interpretation_update(
            actor=users.county_editor,
            interpretation=Interpretation.objects.get(pk=interpretation.pk),
            expected_version=0,
            title="旧页面",
        )
    with pytest.raises(EditConflict):
        interpretation_delete(
            actor=users.county_editor, interpretation=interpretation, expected_version=0
        )
    interpretation_delete(
        actor=users.county_editor, interpretation=interpretation, expected_version=1
    )
    assert not Interpretation.objects.exists()


# ---------------------------------------------------------------------------
# Status: 有效 → 已修改 / 已废止, naming the replacing document
# ---------------------------------------------------------------------------


def test_repeal_names_the_replacing_document_and_writes_an_event(policy, regions, standards, users):
    newer = make_document(
        regions.nongan, standards.social, title="新办法", issued_on=date(2025, 5, 6)
    )
    document = document_repeal(
        actor=users.county_editor,
        document=policy.document,
        replaced_by=newer,
        expected_version=0,
        on=date(2025, 5, 6),
    )
    stored = PolicyDocument.objects.get(pk=document.pk)
    assert (stored.status, stored.replaced_by, stored.status_changed_on) == (
        DocumentStatus.REPEALED,
        newer,
        date(2025, 5, 6),
    )
    event = PolicyDocumentEvent.objects.get(document=stored)
    assert (event.from_status, event.to_status, event.actor, event.replaced_by) == (
        "valid",
        "repealed",
        users.county_editor,
        newer,
    )
    with pytest.raises(ValidationError) as refused:
        document_modify(actor=users.county_editor, document=stored, replaced_by=newer)
    assert "现为“已废止”，不能改为“已修改”" in refused.value.message_dict["status"][0]


def test_modify_then_repeal(policy, regions, standards, users):
    amendment = make_document(regions.nongan, standards.social, title="修改决定")
    replacement = make_document(regions.nongan, standards.social, title="新办法")
    document_modify(actor=users.admin, document=policy.document, replaced_by=amendment)
    document_repeal(actor=users.admin, document=policy.document, replaced_by=replacement)
    stored = PolicyDocument.objects.get(pk=policy.document.pk)
    assert (stored.status, stored.replaced_by_id) == ("repealed", replacement.pk)
    assert PolicyDocumentEvent.objects.filter(document=stored).count() == 2


def test_transition_refusals(policy, regions, standards, users):
    document = policy.document
    other_region = make_document(regions.nongan_town, standards.social, title="镇文件")
    older = make_document(
        regions.nongan, standards.social, title="旧文件", issued_on=date(2024, 1, 2)
    )
    cases = [
        (None, "请选择修改或废止"),
        (document, "不能被它自己修改或废止"),
        (other_region, "不是农安县登记的文件"),
        (older, "发布日期早于"),
    ]
    for replaced_by, message in cases:
        with pytest.raises(ValidationError) as refused:
            document_repeal(actor=users.county_editor, document=document, replaced_by=replaced_by)
        assert message in refused.value.message_dict["replaced_by"][0]
    with pytest.raises(PermissionDenied):
        document_repeal(
            actor=users.other_county_editor, document=document, replaced_by=other_region
        )
    with pytest.raises(EditConflict):
        document_repeal(
            actor=users.county_editor,
            document=document,
            replaced_by=older,
            expected_version=7,
        )
    assert PolicyDocument.objects.get(pk=document.pk).status == DocumentStatus.VALID


def test_a_document_that_replaced_another_is_not_deleted(policy, regions, standards, users):
    newer = make_document(regions.nongan, standards.social, title="新办法")
    document_repeal(actor=users.county_editor, document=policy.document, replaced_by=newer)
    with pytest.raises(ValidationError) as refused:
        document_delete(actor=users.county_editor, document=newer, expected_version=0)
    assert "修改或废止了《农安县最低生活保障审核确认办法》" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        document_delete(actor=users.coordinator, document=newer, expected_version=0)
    document_delete(actor=users.county_editor, document=policy.document, expected_version=1)
    assert list(PolicyDocument.objects.values_list("title", flat=True)) == ["新办法"]


def test_status_constraint_holds_in_the_database(policy):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyDocument.objects.filter(pk=policy.document.pk).update(status="repealed")


def test_today_is_passed_in(regions, standards):
    document = make_document(regions.nongan, standards.social, issued_on=TODAY)
    assert document.issued_on == TODAY


def test_an_update_from_a_stale_copy_keeps_a_newer_status(policy, regions, standards, users):
    newer = make_document(regions.nongan, standards.social, title="新办法")
    stale_copy = PolicyDocument.objects.get(pk=policy.document.pk)
    document_repeal(actor=users.county_editor, document=policy.document, replaced_by=newer)
    document_update(
        actor=users.county_editor, document=stale_copy, expected_version=None, issuer="县民政局"
    )
    stored = PolicyDocument.objects.get(pk=policy.document.pk)
    assert (stored.status, stored.replaced_by_id, stored.issuer) == (
        "repealed",
        newer.pk,
        "县民政局",
    )
    assert stale_copy.status == "repealed"  # the caller's copy is brought up to date


def test_update_of_a_deleted_document_is_refused(policy, users):
    copy = PolicyDocument.objects.get(pk=policy.document.pk)
    PolicyDocument.objects.filter(pk=copy.pk).delete()
    with pytest.raises(EditConflict) as conflict:
        document_update(actor=users.admin, document=copy, expected_version=0, title="改")
    assert "已被他人删除" in conflict.value.messages[0]
