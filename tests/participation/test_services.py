"""Participation catalogs and consultations: who may write, numbering, versions, bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogs import states
from catalogs.concurrency import EditConflict
from catalogs.permissions import SYSTEM
from participation.models import (
    Comment,
    CommentStatus,
    Consultation,
    Field,
    Method,
    ParticipationCatalog,
    ParticipationPublication,
    PublishedMatter,
)
from participation.services import (
    comment_answer,
    comment_moderate,
    comment_submit,
    consultation_create,
    consultation_feedback_publish,
    consultation_update,
    matter_create,
    matter_delete,
    matter_update,
    participation_catalog_create,
    participation_catalog_publish,
)
from tests.factories import consultation as make_consultation
from tests.factories import participation_catalog
from tests.participation.conftest import TODAY

ALLOWED = ["county_editor", "admin"]
DENIED = ["township_editor", "coordinator", "reviewer", "other_county_editor", "other_coordinator"]
ROW = {
    "name": "养老服务补贴政策调整",
    "methods": [Method.CONSULTATION],
    "timing": "方案起草阶段",
    "feedback_channel": "县民政局网站",
    "office": "农安县民政局",
}


def closed_consultation(matter):
    return make_consultation(
        matter, opens_on=TODAY - timedelta(days=30), closes_on=TODAY - timedelta(days=1)
    )


# ---------------------------------------------------------------------------
# Who may write: allowed and denied side by side
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALLOWED)
def test_county_staff_create_their_catalog(users, regions, role):
    catalog = participation_catalog_create(actor=getattr(users, role), region=regions.nongan)
    assert catalog.region == regions.nongan
    assert catalog.title == "农安县民政领域公众参与事项目录"
    assert participation_catalog_create(actor=SYSTEM, region=regions.nongan).pk == catalog.pk


@pytest.mark.parametrize("role", DENIED)
def test_others_may_not_create_the_county_catalog(users, regions, role):
    with pytest.raises(PermissionDenied):
        participation_catalog_create(actor=getattr(users, role), region=regions.nongan)
    assert not ParticipationCatalog.objects.exists()


def test_a_township_keeps_no_participation_catalog(users, regions):
    with pytest.raises(PermissionDenied, match="由县（市、区）编制"):
        participation_catalog_create(actor=users.township_editor, region=regions.nongan_town)


@pytest.mark.parametrize("role", ALLOWED)
def test_county_staff_add_edit_delete_and_publish_rows(users, regions, role):
    actor = getattr(users, role)
    catalog = participation_catalog_create(actor=actor, region=regions.nongan)
    matter = matter_create(actor=actor, catalog=catalog, **ROW)
    assert (matter.seq, matter.version) == (1, 0)
    matter = matter_update(actor=actor, matter=matter, seen_version=0, timing="报批前")
    assert (matter.timing, matter.version) == ("报批前", 1)
    second = matter_create(actor=actor, catalog=catalog, **{**ROW, "name": "第二项"})
    assert second.seq == 2
    matter_delete(actor=actor, matter=second, seen_version=0)
    publication = participation_catalog_publish(actor=actor, catalog=catalog)
    assert (publication.number, publication.matter_count) == (1, 1)


@pytest.mark.parametrize("role", DENIED)
def test_others_may_not_touch_the_rows(users, pcatalog, matter, role):
    actor = getattr(users, role)
    with pytest.raises(PermissionDenied):
        matter_create(actor=actor, catalog=pcatalog, **ROW)
    with pytest.raises(PermissionDenied):
        matter_update(actor=actor, matter=matter, seen_version=0, name="改名")
    with pytest.raises(PermissionDenied):
        matter_delete(actor=actor, matter=matter, seen_version=0)
    with pytest.raises(PermissionDenied):
        participation_catalog_publish(actor=actor, catalog=pcatalog)
    matter.refresh_from_db()
    assert (matter.name, matter.version) == ("公众参与事项1", 0)
    assert pcatalog.matters.count() == 2
    assert pcatalog.publications.count() == 1


@pytest.mark.parametrize("role", ALLOWED)
def test_county_staff_run_consultations(users, matter, role):
    actor = getattr(users, role)
    consultation = consultation_create(
        actor=actor,
        matter=matter,
        field=Field.SOCIAL,
        title="关于低保标准调整的意见征集",
        draft_url="https://www.example.gov.cn/draft.pdf",
        opens_on=TODAY - timedelta(days=30),
        closes_on=TODAY - timedelta(days=1),
    )
    assert consultation.region_id == matter.catalog.region_id
    consultation = consultation_update(
        actor=actor, consultation=consultation, seen_version=0, title="新标题"
    )
    assert (consultation.title, consultation.version) == ("新标题", 1)
    consultation = consultation_feedback_publish(
        actor=actor, consultation=consultation, feedback="采纳1条", seen_version=1, today=TODAY
    )
    assert consultation.feedback == "采纳1条"
    assert consultation.feedback_published_at is not None


@pytest.mark.parametrize("role", DENIED)
def test_others_may_not_run_consultations(users, matter, role):
    actor = getattr(users, role)
    consultation = closed_consultation(matter)
    with pytest.raises(PermissionDenied):
        consultation_create(
            actor=actor,
            matter=matter,
            field=Field.SOCIAL,
            title="越权",
            draft_text="正文",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    with pytest.raises(PermissionDenied):
        consultation_update(actor=actor, consultation=consultation, seen_version=0, title="改")
    with pytest.raises(PermissionDenied):
        consultation_feedback_publish(
            actor=actor, consultation=consultation, feedback="越权", seen_version=0, today=TODAY
        )
    consultation.refresh_from_db()
    assert (consultation.title, consultation.feedback) == ("关于公众参与事项1的意见征集", "")
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize("role", DENIED)
def test_others_may_not_moderate_or_answer_comments(users, matter, role):
    consultation = make_consultation(matter, opens_on=TODAY, closes_on=TODAY)
    comment = comment_submit(consultation=consultation, text="意见", today=TODAY)
    actor = getattr(users, role)
    with pytest.raises(PermissionDenied):
        comment_moderate(actor=actor, comment=comment, action="reject")
    with pytest.raises(PermissionDenied):
        comment_answer(actor=actor, comment=comment, adoption="adopted", reason="")
    comment.refresh_from_db()
    assert (comment.status, comment.adoption) == (CommentStatus.PUBLISHED, "")


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------


def test_republishing_makes_the_next_number_and_keeps_the_old_rows(regions):
    catalog = participation_catalog(regions.nongan, matters=2)
    first = catalog.publications.get()
    matter = catalog.matters.get(seq=1)
    matter_update(actor=SYSTEM, matter=matter, seen_version=0, name="改过的名称")
    second = participation_catalog_publish(actor=SYSTEM, catalog=catalog, note="更新")
    first.refresh_from_db()
    assert (first.number, first.is_current) == (1, False)
    assert (second.number, second.is_current, second.note) == (2, True, "更新")
    assert list(first.matters.values_list("seq", "name")) == [
        (1, "公众参与事项1"),
        (2, "公众参与事项2"),
    ]
    assert list(second.matters.values_list("seq", "name")) == [
        (1, "改过的名称"),
        (2, "公众参与事项2"),
    ]
    third = participation_catalog_publish(actor=SYSTEM, catalog=catalog)
    assert third.number == 3
    assert ParticipationPublication.objects.filter(catalog=catalog, is_current=True).count() == 1
    assert PublishedMatter.objects.filter(publication__catalog=catalog).count() == 6


def test_publishing_moves_the_public_state_on(regions):
    catalog = participation_catalog(regions.nongan, published=False)
    before = states.state("participation")
    participation_catalog_publish(actor=SYSTEM, catalog=catalog)
    assert states.state("participation") > before


def test_an_empty_catalog_is_not_published(regions):
    catalog = participation_catalog(regions.nongan, matters=0, published=False)
    with pytest.raises(ValidationError, match="还没有公众参与事项"):
        participation_catalog_publish(actor=SYSTEM, catalog=catalog)
    assert not ParticipationPublication.objects.exists()


def test_other_method_needs_its_name(pcatalog):
    with pytest.raises(ValidationError) as caught:
        matter_create(actor=SYSTEM, catalog=pcatalog, **{**ROW, "methods": [Method.OTHER]})
    assert caught.value.message_dict == {"other_method": ["参与方式选了“其他”，请填写“其他方式”。"]}
    matter = matter_create(
        actor=SYSTEM,
        catalog=pcatalog,
        **{**ROW, "methods": [Method.OTHER, Method.SURVEY], "other_method": "入户走访"},
    )
    # Stored in the choices' order, shown with the named other way.
    assert matter.methods == [Method.SURVEY, Method.OTHER]
    assert matter.method_labels() == ["网上调查", "入户走访"]


# ---------------------------------------------------------------------------
# Bad input and stale edits
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"name": "事项\x00"},
            "name",
            "“公众参与事项”含有不允许的控制字符（NUL），请删除后重新提交。",
        ),
        (
            {"name": "长" * 201},
            "name",
            "“公众参与事项”最多200个字，您输入了201个字，请删减后重新提交。",
        ),
        ({"name": "  "}, "name", "请填写“公众参与事项”。"),
        ({"methods": []}, "methods", "请至少选择一种“参与方式”。"),
        (
            {"methods": ["vote"]},
            "methods",
            "“参与方式”只能从征求意见、听证、座谈、网上调查、其他中选择，不认识：vote。",
        ),
    ],
)
def test_bad_rows_are_refused_naming_the_field(pcatalog, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        matter_create(actor=SYSTEM, catalog=pcatalog, **{**ROW, **changes})
    assert caught.value.message_dict == {field: [message]}
    assert pcatalog.matters.count() == 2


def test_a_stale_edit_is_refused_with_the_other_change(matter, users):
    matter_update(actor=users.county_editor, matter=matter, seen_version=0, name="甲改的名称")
    stale = type(matter).objects.get(pk=matter.pk)
    with pytest.raises(EditConflict) as caught:
        matter_update(actor=users.admin, matter=stale, seen_version=0, name="乙改的名称")
    assert "“公众参与事项”由“公众参与事项1”改为“甲改的名称”" in caught.value.messages[0]
    matter.refresh_from_db()
    assert (matter.name, matter.version) == ("甲改的名称", 1)


def test_a_row_with_consultations_is_not_deleted(matter):
    closed_consultation(matter)
    with pytest.raises(ValidationError, match="已有意见征集，不能删除"):
        matter_delete(actor=SYSTEM, matter=matter, seen_version=0)
    assert type(matter).objects.filter(pk=matter.pk).exists()


def test_consultations_need_a_published_catalog(regions):
    catalog = participation_catalog(regions.nongan, published=False)
    with pytest.raises(ValidationError, match="请先发布公众参与事项目录"):
        make_consultation(catalog.matters.first(), opens_on=TODAY, closes_on=TODAY)


def test_a_consultation_closes_after_it_opens_and_has_a_draft(matter):
    with pytest.raises(ValidationError) as caught:
        make_consultation(matter, opens_on=TODAY, closes_on=TODAY - timedelta(days=1))
    assert caught.value.message_dict == {"closes_on": ["“截止日期”不能早于“开始日期”。"]}
    with pytest.raises(ValidationError) as caught:
        consultation_create(
            actor=SYSTEM,
            matter=matter,
            field="民政",
            title="标题",
            draft_text="正文",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert caught.value.message_dict == {"field": ["“领域”只能是社会救助或养老服务。"]}
    with pytest.raises(ValidationError) as caught:
        consultation_create(
            actor=SYSTEM,
            matter=matter,
            field=Field.SOCIAL,
            title="标题",
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert caught.value.message_dict == {"draft_text": ["请填写“征求意见稿”正文或其链接。"]}
    assert not Consultation.objects.exists()


def test_status_follows_the_dates(matter):
    consultation = make_consultation(
        matter, opens_on=date(2026, 11, 10), closes_on=date(2026, 11, 20)
    )
    assert consultation.status_on(date(2026, 11, 9)) == "upcoming"
    assert consultation.status_on(date(2026, 11, 10)) == "open"
    assert consultation.status_on(date(2026, 11, 20)) == "open"
    assert consultation.status_on(date(2026, 11, 21)) == "closed"
    assert consultation.status_label(date(2026, 11, 21)) == "已结束"


def test_feedback_waits_for_the_close(matter):
    consultation = make_consultation(matter, opens_on=TODAY, closes_on=TODAY)
    with pytest.raises(ValidationError, match="截止后才能公布采纳情况"):
        consultation_feedback_publish(
            actor=SYSTEM, consultation=consultation, feedback="采纳", seen_version=0, today=TODAY
        )
    consultation.refresh_from_db()
    assert consultation.feedback_published_at is None


def test_feedback_correction_keeps_the_first_publication_time(matter):
    consultation = closed_consultation(matter)
    consultation = consultation_feedback_publish(
        actor=SYSTEM, consultation=consultation, feedback="初稿", seen_version=0, today=TODAY
    )
    first = consultation.feedback_published_at
    consultation = consultation_feedback_publish(
        actor=SYSTEM, consultation=consultation, feedback="更正", seen_version=1, today=TODAY
    )
    assert (consultation.feedback, consultation.feedback_published_at) == ("更正", first)
    with pytest.raises(EditConflict):
        consultation_feedback_publish(
            actor=SYSTEM, consultation=consultation, feedback="旧页面", seen_version=1, today=TODAY
        )


# ---------------------------------------------------------------------------
# Moderation and answers
# ---------------------------------------------------------------------------


def test_moderation_moves_comments_between_states(users, matter):
    consultation = make_consultation(matter, opens_on=TODAY, closes_on=TODAY)
    comment = comment_submit(consultation=consultation, text="见 www.spam.cn", today=TODAY)
    assert (comment.status, comment.held_reason) == ("held", "link")
    comment = comment_moderate(actor=users.county_editor, comment=comment, action="publish")
    assert (comment.status, comment.held_reason, comment.version) == ("published", "", 1)
    assert comment.moderated_by == users.county_editor
    comment = comment_moderate(actor=users.county_editor, comment=comment, action="reject")
    assert comment.status == "rejected"
    with pytest.raises(ValidationError, match="现为“不予公开”，不能再设为“不予公开”"):
        comment_moderate(actor=users.county_editor, comment=comment, action="reject")
    with pytest.raises(ValidationError, match="已被他人处理"):
        comment_moderate(
            actor=users.county_editor, comment=comment, action="publish", seen_version=0
        )
    with pytest.raises(ValidationError, match="不认识的审核操作"):
        comment_moderate(actor=users.county_editor, comment=comment, action="delete")
    assert Comment.objects.get(pk=comment.pk).status == "rejected"


def test_answers_need_a_reason_unless_adopted(users, matter):
    consultation = make_consultation(matter, opens_on=TODAY, closes_on=TODAY)
    comment = comment_submit(consultation=consultation, text="建议", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        comment_answer(actor=users.county_editor, comment=comment, adoption="partly", reason="")
    assert caught.value.message_dict == {
        "adoption_reason": ["部分采纳或未采纳的意见，请说明理由。"]
    }
    comment = comment_answer(
        actor=users.county_editor, comment=comment, adoption="not_adopted", reason="超出职权范围"
    )
    assert (comment.adoption, comment.adoption_reason) == ("not_adopted", "超出职权范围")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>"])
def test_a_draft_link_must_be_a_web_address(matter, url):
    with pytest.raises(ValidationError) as caught:
        consultation_create(
            actor=SYSTEM,
            matter=matter,
            field=Field.SOCIAL,
            title="标题",
            draft_url=url,
            opens_on=TODAY,
            closes_on=TODAY,
        )
    assert list(caught.value.message_dict) == ["draft_url"]
    assert not Consultation.objects.exists()
