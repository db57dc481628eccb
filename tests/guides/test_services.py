"""guides.services: who may write, validation messages, versions, files."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.concurrency import EditConflict
from catalogs.models import Catalog
from catalogs.permissions import SYSTEM
from guides.models import GuideMaterial, GuideStep, ServiceGuide
from guides.services import (
    GuideInput,
    MaterialInput,
    StepInput,
    guide_delete,
    guide_input_of,
    guide_save,
)
from tests.factories import advance
from tests.guides.conftest import full_input, guide_item, pdf_bytes, upload


def test_a_complete_guide_is_stored_with_its_parts(catalogs, media):
    guide = guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=full_input())
    guide.refresh_from_db()
    assert guide.conditions.startswith("共同生活")
    assert (guide.legal_days, guide.promised_days, guide.fee) == (30, 20, "不收费")
    materials = list(guide.materials.all())
    assert [m.name for m in materials] == ["最低生活保障申请书", "居民身份证"]
    assert materials[0].file.name.startswith("guides/forms/")
    assert materials[0].file.name.endswith(".pdf")
    assert "申请书" not in materials[0].file.name  # a generated name, never the uploader's
    assert materials[0].file_label == "申请书.pdf"
    assert materials[0].file_type == "application/pdf"
    assert (media / materials[0].file.name).read_bytes() == pdf_bytes()
    assert (materials[1].form, materials[1].copies, materials[1].exempt_when_shared) == (
        "both",
        2,
        True,
    )
    assert [(s.seq, s.name) for s in guide.steps.all()] == [(1, "申请"), (2, "审核"), (3, "审批")]
    assert guide.questions.count() == 1
    assert guide.version == 0


def test_saving_marks_the_catalog_draft_as_changed(published):
    catalog = Catalog.objects.get(pk=published.catalog.pk)
    assert not catalog.has_unpublished_changes
    guide_save(actor=SYSTEM, item=guide_item(catalog), data=full_input())
    assert Catalog.objects.get(pk=catalog.pk).has_unpublished_changes


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("admin", True),
        ("county_editor", True),
        ("township_editor", False),  # 农安镇 is below 农安县, not above it
        ("other_county_editor", False),  # 永吉县: another region
        ("coordinator", False),  # reads, never writes
        ("reviewer", False),
    ],
)
def test_who_may_write_a_county_guide(catalogs, users, user, allowed):
    item = guide_item(catalogs.nongan_social)
    actor = getattr(users, user)
    if allowed:
        guide_save(actor=actor, item=item, data=full_input())
        assert ServiceGuide.objects.filter(item=item).exists()
    else:
        with pytest.raises(PermissionDenied, match="无权"):
            guide_save(actor=actor, item=item, data=full_input())
        assert not ServiceGuide.objects.filter(item=item).exists()


def test_township_editor_writes_her_own_township_guide(catalogs, users):
    item = guide_item(catalogs.town_social)
    guide_save(actor=users.township_editor, item=item, data=full_input())
    assert ServiceGuide.objects.get(item=item).promised_days == 20


def test_a_locked_catalog_refuses(catalogs):
    catalog = advance(catalogs.nongan_social, "entered")
    with pytest.raises(ValidationError, match="已锁定"):
        guide_save(actor=SYSTEM, item=guide_item(catalog), data=full_input())


def test_promise_longer_than_the_law_is_refused_naming_the_field(catalogs):
    with pytest.raises(ValidationError) as refused:
        guide_save(
            actor=SYSTEM,
            item=guide_item(catalogs.nongan_social),
            data=full_input(legal_days=10, promised_days=15),
        )
    assert refused.value.message_dict == {
        "promised_days": ["“承诺时限”（15个工作日）不能长于“法定时限”（10个工作日）。"]
    }
    assert not ServiceGuide.objects.exists()
    assert not GuideMaterial.objects.exists()


@pytest.mark.parametrize(
    ("numbers", "detail"),
    [
        ([1, 2, 2], "序号2重复"),
        ([1, 3], "序号跳号或顺序颠倒"),
        ([2, 1], "序号跳号或顺序颠倒"),
        ([0, 1], "序号跳号或顺序颠倒"),
    ],
)
def test_steps_out_of_order_are_refused(catalogs, numbers, detail):
    data = full_input()
    data.steps = [StepInput(n, f"步骤{index}") for index, n in enumerate(numbers)]
    with pytest.raises(ValidationError) as refused:
        guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=data)
    shown = "、".join(map(str, numbers))
    assert refused.value.message_dict == {
        "steps": [f"“办理流程”的步骤应从1开始按顺序连续编号（{detail}，现为：{shown}）。"]
    }
    assert not GuideStep.objects.exists()


def test_nul_bytes_and_overlong_rows_are_refused_naming_the_row(catalogs):
    data = full_input(conditions="条件\x00")
    with pytest.raises(ValidationError, match="“受理条件”含有不可见的控制字符"):
        guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=data)
    data = full_input()
    data.materials = [MaterialInput(name="甲" * 201)]
    with pytest.raises(ValidationError) as refused:
        guide_save(actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=data)
    assert refused.value.messages[0].startswith("申请材料第1行“材料名称”：")


def test_stale_save_is_refused(catalogs, guide):
    item = guide_item(catalogs.nongan_social)
    guide_save(actor=SYSTEM, item=item, data=full_input(fee="工本费5元"), expected_version=0)
    with pytest.raises(EditConflict, match="保存未成功"):
        guide_save(actor=SYSTEM, item=item, data=full_input(), expected_version=0)
    assert ServiceGuide.objects.get(item=item).fee == "工本费5元"
    assert ServiceGuide.objects.get(item=item).version == 1


def test_a_kept_file_stays_and_a_foreign_file_name_is_refused(catalogs, guide):
    item = guide_item(catalogs.nongan_social)
    kept = guide.materials.first().file.name
    data = guide_input_of(guide)
    guide_save(actor=SYSTEM, item=item, data=data)
    assert GuideMaterial.objects.get(guide=guide, order=1).file.name == kept
    data.materials[0].keep_file = "../../etc/passwd"
    with pytest.raises(ValidationError, match="所选文件不属于本办事指南"):
        guide_save(actor=SYSTEM, item=item, data=data)


def test_a_new_upload_never_overwrites_the_old_file(catalogs, guide, media):
    item = guide_item(catalogs.nongan_social)
    old = guide.materials.first().file.name
    data = guide_input_of(guide)
    data.materials[0] = MaterialInput(
        name="申请书", upload=upload("申请书.pdf", pdf_bytes() + b"% v2\n")
    )
    guide_save(actor=SYSTEM, item=item, data=data)
    new = GuideMaterial.objects.get(guide=guide, order=1).file.name
    assert new != old
    assert (media / old).read_bytes() == pdf_bytes()


def test_delete_is_checked_too(catalogs, guide, users):
    with pytest.raises(PermissionDenied):
        guide_delete(actor=users.other_county_editor, guide=guide)
    guide_delete(actor=users.county_editor, guide=guide)
    assert not ServiceGuide.objects.exists()


def test_empty_guide_input_gets_the_default_fee(catalogs):
    guide = guide_save(
        actor=SYSTEM, item=guide_item(catalogs.nongan_social), data=GuideInput(values={"fee": ""})
    )
    assert guide.fee == "不收费"
