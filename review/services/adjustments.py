"""What the province adjusts: a rule's severity or whether it runs, and which regions
compile catalogs. Only the province administrator may; every change keeps who, when, the
old and the new value."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogs.models import Region, RegionLevel
from catalogs.permissions import history_user, require_province_admin
from review.checks import RULES_BY_CODE
from review.models import RegionCompileEvent, RuleSetting, Severity

COMPILING_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


@transaction.atomic
def rule_setting_save(
    *,
    actor,
    rule_code: str,
    severity: str = "",
    enabled: bool = True,
    note: str = "",
    now=None,
) -> RuleSetting:
    """Set a rule's severity (blank: its default) and whether it runs. The history keeps
    every earlier value with who changed it."""
    require_province_admin(actor)
    rule = RULES_BY_CODE.get(rule_code)
    if rule is None:
        raise ValidationError({"rule_code": f"没有代码为“{rule_code}”的检查规则。"})
    if severity and severity not in Severity.values:
        raise ValidationError({"severity": f"无效的严重程度“{severity}”。"})
    if severity == rule.severity:
        severity = ""  # the default, kept as such if the rule's default changes later
    setting = RuleSetting.objects.select_for_update().filter(rule_code=rule_code).first()
    if setting is None:
        setting = RuleSetting(rule_code=rule_code)
    elif (setting.severity, setting.enabled, setting.note) == (severity, enabled, note.strip()):
        return setting
    setting.severity, setting.enabled, setting.note = severity, enabled, note.strip()
    setting.updated_by = history_user(actor)
    setting.updated_at = now or timezone.now()
    setting.full_clean()
    setting._history_user = history_user(actor)
    setting.save()
    return setting


@transaction.atomic
def region_set_compiles(
    *, actor, region: Region, compiles: bool, note: str = "", now=None
) -> Region:
    """Whether a county or township compiles its own catalogs, with the reason when not
    (e.g. 由所在县代为公开). ``load_divisions`` never overrides what the province set here."""
    require_province_admin(actor)
    locked = Region.objects.select_for_update().get(pk=region.pk)
    if locked.level not in COMPILING_LEVELS:
        raise ValidationError(
            f"只有县级和乡级区划编制目录，“{locked.name}”是{locked.get_level_display()}。"
        )
    note = note.strip()
    if not compiles and not note:
        raise ValidationError(
            {"compile_note": "不编制目录时请说明由谁代为公开（如：由所在县代为公开）。"}
        )
    if compiles:
        note = ""
    if (locked.compiles_catalogs, locked.compile_note, locked.compile_set_by_province) == (
        compiles,
        note,
        True,
    ):
        return locked
    event = RegionCompileEvent(
        region=locked,
        actor=history_user(actor),
        at=now or timezone.now(),
        compiled_before=locked.compiles_catalogs,
        compiles_after=compiles,
        note_before=locked.compile_note,
        note_after=note,
    )
    locked.compiles_catalogs, locked.compile_note = compiles, note
    locked.compile_set_by_province = True
    locked.full_clean(exclude=["parent"])
    locked._history_user = history_user(actor)  # the region's own history, where kept
    locked.save(update_fields=["compiles_catalogs", "compile_note", "compile_set_by_province"])
    event.full_clean()
    event.save()
    region.compiles_catalogs, region.compile_note = compiles, note
    region.compile_set_by_province = True
    return locked
