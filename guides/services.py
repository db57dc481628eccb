"""Every write of service guides: permission first, validated, versioned, atomic.

``guide_save`` writes a guide with all its materials, steps and questions at once (what
the admin's page shows is what is stored). Who may: whoever may edit the item's catalog
(``catalogs.permissions``), while the catalog is in an editable state. A save marks the
catalog's draft as changed, so the next publication carries the guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.concurrency import save_versioned
from catalogs.models import Catalog
from catalogs.permissions import can_edit_region, history_user
from guides import uploads
from guides.models import (
    GuideMaterial,
    GuideQuestion,
    GuideStep,
    MaterialForm,
    ServiceGuide,
)
from items.models import Item

# The guide's own fields a form may set, with their Chinese labels.
GUIDE_LABELS = {
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "legal_days": "法定时限",
    "promised_days": "承诺时限",
    "fee": "收费",
    "location": "办理地点",
    "office_hours": "办公时间",
    "phone": "咨询电话",
    "complaint_phone": "监督投诉电话",
    "online_url": "网上办理",
    "progress_url": "网办进度查询",
}
MAX_MATERIALS = 60
MAX_STEPS = 30
MAX_QUESTIONS = 40


@dataclass
class MaterialInput:
    """One 申请材料 row as a form sends it.

    ``upload``: a newly uploaded file; ``keep_file``: the storage name of the file the row
    had (only a file of this guide's current materials can be kept); neither: no file.
    """

    name: str
    form: str = MaterialForm.ORIGINAL
    copies: int = 1
    exempt_when_shared: bool = False
    note: str = ""
    upload: Any = None
    keep_file: str = ""


@dataclass
class StepInput:
    seq: int
    name: str
    office: str = ""
    time_limit: str = ""
    description: str = ""


@dataclass
class QuestionInput:
    question: str
    answer: str


@dataclass
class GuideInput:
    values: dict = field(default_factory=dict)
    materials: list[MaterialInput] = field(default_factory=list)
    steps: list[StepInput] = field(default_factory=list)
    questions: list[QuestionInput] = field(default_factory=list)


def can_edit_guide(user, item: Item) -> bool:
    return can_edit_region(user, item.catalog.region) and item.catalog.is_editable


def _require_editable(actor, item: Item) -> Catalog:
    catalog = Catalog.objects.select_for_update().select_related("region").get(pk=item.catalog_id)
    if not can_edit_region(actor, catalog.region):
        raise PermissionDenied(f"您无权修改“{catalog.region.name}”的办事指南。")
    if not catalog.is_editable:
        raise ValidationError(
            f"“{catalog}”当前状态为{catalog.get_status_display()}，已锁定，不能修改办事指南。"
        )
    return catalog


def _no_nul(label: str, value) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(f"“{label}”含有不可见的控制字符（NUL），请删除后再保存。")


def check_steps(steps: list[StepInput]) -> None:
    """Steps are numbered 1, 2, 3 … in order, without duplicates or gaps."""
    numbers = [step.seq for step in steps]
    if numbers != list(range(1, len(steps) + 1)):
        shown = "、".join(str(n) for n in numbers)
        duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
        detail = (
            f"序号{'、'.join(map(str, duplicates))}重复" if duplicates else "序号跳号或顺序颠倒"
        )
        raise ValidationError(
            {"steps": f"“办理流程”的步骤应从1开始按顺序连续编号（{detail}，现为：{shown}）。"}
        )


def _row_errors(section: str, index: int, obj, exclude: list[str]) -> list[str]:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            f"{section}第{index}行“{obj._meta.get_field(name).verbose_name}”：{message}"
            if name != "__all__"
            else f"{section}第{index}行：{message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _build_materials(guide: ServiceGuide | None, rows: list[MaterialInput]):
    """Unsaved GuideMaterial rows and the uploads to store; refuses a foreign kept file."""
    kept_files = (
        set(
            GuideMaterial.objects.filter(guide=guide)
            .exclude(file="")
            .values_list("file", flat=True)
        )
        if guide is not None and guide.pk
        else set()
    )
    errors, built = [], []
    for index, row in enumerate(rows, start=1):
        material = GuideMaterial(
            order=index,
            name=(row.name or "").strip(),
            form=row.form,
            copies=row.copies if row.copies is not None else 1,
            exempt_when_shared=bool(row.exempt_when_shared),
            note=(row.note or "").strip(),
        )
        for label, value in (("材料名称", material.name), ("说明", material.note)):
            if isinstance(value, str) and "\x00" in value:
                errors.append(f"申请材料第{index}行“{label}”含有不可见的控制字符（NUL）。")
        errors += _row_errors("申请材料", index, material, ["guide", "file"])
        if not 1 <= (material.copies or 0) <= 99:
            errors.append(f"申请材料第{index}行“份数”应为1至99之间的整数。")
        sniffed = None
        if row.upload is not None:
            try:
                sniffed = uploads.sniff(row.upload, field=f"申请材料第{index}行“表格或样表”")
            except ValidationError as error:
                errors += error.messages
        elif row.keep_file:
            if row.keep_file not in kept_files:
                errors.append(f"申请材料第{index}行“表格或样表”：所选文件不属于本办事指南。")
            else:
                material.file.name = row.keep_file
        built.append((material, row, sniffed))
    return built, errors


@transaction.atomic
def guide_save(
    *,
    actor,
    item: Item,
    data: GuideInput,
    expected_version: int | None = None,
    now=None,
) -> ServiceGuide:
    """Create or replace the guide of ``item`` with ``data``; refused with Chinese messages.

    ``expected_version`` is the guide version the editor's page showed (``None``: not
    checked). Creating a guide for a local item marks it as a service guide item.
    """
    item = Item.objects.select_related("catalog__region").get(pk=item.pk)
    catalog = _require_editable(actor, item)
    now = now or timezone.now()
    unknown = set(data.values) - set(GUIDE_LABELS)
    if unknown:
        raise ValueError(f"not guide fields: {sorted(unknown)}")
    guide = ServiceGuide.objects.filter(item=item).first() or ServiceGuide(item=item)
    for name, value in data.values.items():
        _no_nul(GUIDE_LABELS[name], value)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").strip()
        setattr(guide, name, value)
    if not guide.fee:
        guide.fee = ServiceGuide._meta.get_field("fee").default
    if len(data.materials) > MAX_MATERIALS or len(data.steps) > MAX_STEPS:
        raise ValidationError(
            f"“申请材料”最多{MAX_MATERIALS}项，“办理流程”最多{MAX_STEPS}步，请精简后再保存。"
        )
    if len(data.questions) > MAX_QUESTIONS:
        raise ValidationError(f"“常见问题”最多{MAX_QUESTIONS}条。")
    guide.full_clean(exclude=["item"], validate_constraints=False)
    check_steps(data.steps)

    errors: list[str] = []
    materials, material_errors = _build_materials(guide, data.materials)
    errors += material_errors
    steps = []
    for index, row in enumerate(data.steps, start=1):
        step = GuideStep(
            seq=row.seq,
            name=(row.name or "").strip(),
            office=(row.office or "").strip(),
            time_limit=(row.time_limit or "").strip(),
            description=(row.description or "").replace("\r\n", "\n").strip(),
        )
        if any("\x00" in (value or "") for value in (row.name, row.office, row.description)):
            errors.append(f"办理流程第{index}步含有不可见的控制字符（NUL）。")
        errors += _row_errors("办理流程", index, step, ["guide"])
        steps.append(step)
    questions = []
    for index, row in enumerate(data.questions, start=1):
        question = GuideQuestion(
            order=index,
            question=(row.question or "").strip(),
            answer=(row.answer or "").replace("\r\n", "\n").strip(),
        )
        if "\x00" in question.question or "\x00" in question.answer:
            errors.append(f"常见问题第{index}条含有不可见的控制字符（NUL）。")
        errors += _row_errors("常见问题", index, question, ["guide"])
        questions.append(question)
    if errors:
        raise ValidationError(errors)

    save_versioned(
        guide,
        expected_version,
        subject=f"“{item.name}”的办事指南",
        labels=GUIDE_LABELS,
    )
    guide.updated_by = history_user(actor)
    guide._history_user = history_user(actor)
    guide.save()
    # Files last, once everything else is known to be valid; a new name for every upload,
    # so no file a published copy refers to is ever overwritten.
    for material, row, sniffed in materials:
        material.guide = guide
        if sniffed is not None:
            material.file.name = uploads.store(row.upload, sniffed, now=now)
            material.file_label = f"{uploads.clean_label(row.upload.name)}.{sniffed.extension}"
            material.file_type = sniffed.content_type
            material.file_size = row.upload.size or 0
        elif material.file.name:
            previous = (
                GuideMaterial.objects.filter(guide=guide, file=material.file.name)
                .values("file_label", "file_type", "file_size")
                .first()
            )
            if previous:
                material.file_label = previous["file_label"]
                material.file_type = previous["file_type"]
                material.file_size = previous["file_size"]
    GuideMaterial.objects.filter(guide=guide).delete()
    GuideStep.objects.filter(guide=guide).delete()
    GuideQuestion.objects.filter(guide=guide).delete()
    GuideMaterial.objects.bulk_create([material for material, _row, _sniffed in materials])
    for step in steps:
        step.guide = guide
    GuideStep.objects.bulk_create(steps)
    for question in questions:
        question.guide = guide
    GuideQuestion.objects.bulk_create(questions)
    # The catalog's draft changed: the next publication carries the guide.
    Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=now)
    return guide


def guide_input_of(guide: ServiceGuide) -> GuideInput:
    """A guide as the input that would store it again (keeps its files)."""
    return GuideInput(
        values={name: getattr(guide, name) for name in GUIDE_LABELS},
        materials=[
            MaterialInput(
                name=m.name,
                form=m.form,
                copies=m.copies,
                exempt_when_shared=m.exempt_when_shared,
                note=m.note,
                keep_file=m.file.name or "",
            )
            for m in guide.materials.all()
        ],
        steps=[
            StepInput(s.seq, s.name, s.office, s.time_limit, s.description)
            for s in guide.steps.all()
        ],
        questions=[QuestionInput(q.question, q.answer) for q in guide.questions.all()],
    )


@transaction.atomic
def guide_delete(*, actor, guide: ServiceGuide, expected_version: int | None = None) -> None:
    """Remove a draft guide (its published copies and files stay as they were)."""
    item = Item.objects.select_related("catalog__region").get(pk=guide.item_id)
    catalog = _require_editable(actor, item)
    current = ServiceGuide.objects.select_for_update().filter(pk=guide.pk).first()
    if current is None:
        return
    if expected_version is not None and current.version != expected_version:
        raise ValidationError("办事指南已被他人修改，请刷新后再删除。")
    current.delete()
    Catalog.objects.filter(pk=catalog.pk).update(draft_changed_at=timezone.now())
