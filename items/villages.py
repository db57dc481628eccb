"""Village catalogs (村务/居务公开目录): townships derive them for their villages.

A township (or its county, or the province) derives, from the village standard's current
edition, one catalog for each of the township's villages and residents' committees that
has none yet. Villages never derive on their own: ``derive_catalogs`` leaves them alone, so
a province-wide run does not start making hundreds of thousands of village catalogs; only
``village_catalogs_derive`` (the command ``derive_village_catalogs``, the admin action
编制村（居）目录) makes them, one township per transaction, so an interrupted run keeps
the townships it finished and a rerun makes only what is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalogs.models import Catalog, Region, RegionLevel, StandardCatalog, StandardItem
from catalogs.permissions import can_edit_region
from catalogs.selectors import full_names
from catalogs.villages import village_standard
from items.services import catalog_title, catalogs_create_derived


@dataclass
class TownshipResult:
    township: Region
    created: int = 0
    existing: int = 0
    # Villages the province set to compile no catalog of their own.
    exempt: int = 0
    skipped: str = ""  # why the whole township was left out


@dataclass
class VillageDeriveReport:
    townships: list[TownshipResult] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(result.created for result in self.townships)

    @property
    def existing(self) -> int:
        return sum(result.existing for result in self.townships)


def townships_under(root: Region) -> list[Region]:
    """The townships whose villages a derivation for ``root`` covers (``root`` itself if it is
    one; every township below a county, city or province); refuses a village."""
    if root.level == RegionLevel.VILLAGE:
        raise ValidationError(
            f"“{root.name}”是村级区划：村（居）目录由所在乡镇（街道）统一编制，请选择乡镇或县。"
        )
    if root.level == RegionLevel.TOWNSHIP:
        return [root]
    return list(
        Region.objects.descendants_of(root).filter(level=RegionLevel.TOWNSHIP).order_by("code")
    )


def _current_items(standard: StandardCatalog) -> tuple:
    edition = standard.current_edition
    if edition is None:
        raise ValidationError(f"“{standard.title}”没有已发布的版本，不能编制村（居）目录。")
    return edition, list(StandardItem.objects.filter(edition=edition).order_by("seq"))


@transaction.atomic
def township_village_catalogs_derive(
    *,
    actor,
    township: Region,
    standard: StandardCatalog | None = None,
    _prepared: tuple | None = None,
) -> TownshipResult:
    """Derive the missing village catalogs of one township; a fixed number of queries."""
    if township.level != RegionLevel.TOWNSHIP:
        raise ValidationError(f"“{township.name}”不是乡级区划。")
    if not can_edit_region(actor, township):
        raise PermissionDenied(f"您无权为“{township.name}”所辖村（居）编制目录。")
    standard = standard or village_standard()
    if standard is None or not standard.for_villages:
        raise ValidationError("尚未发布村（居）务公开标准目录。")
    edition, standard_items = _prepared or _current_items(standard)
    # Two runs for the same township (the command and the admin action) wait for each
    # other instead of colliding on the one-catalog-per-village constraint.
    township = Region.objects.select_for_update().get(pk=township.pk)
    result = TownshipResult(township)
    if not township.compiles_catalogs:
        result.skipped = "所在乡级单位不单独编制目录"
        return result
    villages = list(
        Region.objects.filter(parent=township, level=RegionLevel.VILLAGE).order_by("code")
    )
    exempt = [village for village in villages if not village.compiles_catalogs]
    result.exempt = len(exempt)
    villages = [village for village in villages if village.compiles_catalogs]
    existing = set(
        Catalog.objects.filter(region__in=villages, standard=standard).values_list(
            "region_id", flat=True
        )
    )
    result.existing = len(existing)
    pending = [village for village in villages if village.pk not in existing]
    if not pending:
        return result
    names = full_names(pending)
    catalogs = [
        Catalog(
            region=village,
            standard=standard,
            edition=edition,
            title=catalog_title(village, standard, full_name=names[village.pk]),
        )
        for village in pending
    ]
    created = catalogs_create_derived(
        catalogs, standard_items, actor=actor, reason="由村（居）务公开标准目录生成"
    )
    result.created = len(created)
    return result


def village_catalogs_derive(
    *,
    actor,
    root: Region,
    progress: Callable[[TownshipResult], None] | None = None,
) -> VillageDeriveReport:
    """Derive the missing village catalogs of every township at or below ``root``.

    One transaction per township (interrupt and rerun safely); townships the actor may not
    edit are refused before anything is written.
    """
    townships = townships_under(root)
    refused = [township for township in townships if not can_edit_region(actor, township)]
    if refused:
        raise PermissionDenied(f"您无权为“{refused[0].name}”所辖村（居）编制目录。")
    standard = village_standard()
    if standard is None:
        raise ValidationError("尚未发布村（居）务公开标准目录。")
    prepared = _current_items(standard)
    report = VillageDeriveReport()
    for township in townships:
        result = township_village_catalogs_derive(
            actor=actor, township=township, standard=standard, _prepared=prepared
        )
        report.townships.append(result)
        if progress is not None:
            progress(result)
    return report
