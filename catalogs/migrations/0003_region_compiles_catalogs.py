"""Who compiles catalogs (Region.compiles_catalogs), preset on the regions already loaded,
and the data correction that places 长白山管委会's units under it.

The name rules are a frozen copy of ``catalogs.divisions.non_compiling_kind`` as it was
written with this migration (migrations never import app code that may change later).
"""

import re

from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

CORRECTIONS = {
    "222426120": ("2299", "池北区"),
    "220621120": ("2299", "池西区"),
    "220621121": ("2299", "池南区"),
    "222426102": ("2299", "二道白河镇"),
}
KINDS = (
    ("农场", re.compile(r"农场$")),
    (
        "牧场、种畜场",
        re.compile(r"(牧场|种畜场|种羊场|种牛场|种猪场|种马场|马场|鹿场|牛场|猪场|饲养场)$"),
    ),
    ("渔场", re.compile(r"(渔场|鱼苗繁殖场)$")),
    ("林业单位", re.compile(r"(林场|林业局|林业(有限)?公司|国有林保护中心|国有林总场)$")),
    ("良种场、原种场", re.compile(r"(良种场|原种场|原种繁殖场|良种繁育场|良种繁育基地)$")),
    ("科研单位", re.compile(r"(研究所|研究院|农科院|科学院)$")),
    ("园区、开发区", re.compile(r"(园区|开发区|示范区|管理区|工业区|集中区|产业区|食品区)$")),
    ("水利单位", re.compile(r"(灌区管理局|水库)$")),
)
REGULAR = re.compile(r"(街道|镇|乡|苏木)$")
SPECIAL = re.compile(r"特殊(乡镇|街道|区域)$")
REMARK = re.compile(r"[（(][^（）()]*[）)]")


def kind_of(name):
    bare = REMARK.sub("", name).strip()
    special = SPECIAL.search(bare)
    if special:
        bare = bare[: special.start()]
    elif REGULAR.search(bare):
        return None
    for kind, pattern in KINDS:
        if pattern.search(bare):
            return kind
    return None


def preset(apps, schema_editor):
    Region = apps.get_model("catalogs", "Region")
    for code, (parent_code, name) in CORRECTIONS.items():
        region = Region.objects.filter(code=code).first()
        parent = Region.objects.filter(code=parent_code).first()
        if region is None or parent is None or region.parent_id == parent.pk:
            continue
        old_path, new_path = region.path, f"{parent.path}{code}/"
        Region.objects.filter(pk=region.pk).update(parent=parent, name=name)
        Region.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    off = []
    townships = Region.objects.filter(level="township").select_related("parent")
    for region in townships.only("pk", "code", "name", "parent__name"):
        if region.code in CORRECTIONS:
            continue
        kind = kind_of(region.name)
        if kind is not None:
            region.compiles_catalogs = False
            region.compile_note = f"{kind}，不单独编制目录，由{region.parent.name}代为公开"
            off.append(region)
    Region.objects.bulk_update(off, ["compiles_catalogs", "compile_note"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0002_add_choice_constraints")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="compiles_catalogs",
            field=models.BooleanField(
                default=True,
                help_text="农场、林场、园区等不单独编制目录的单位为否，由所在县（市、区）代为公开。",
                verbose_name="编制目录",
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="compile_note",
            field=models.CharField(
                blank=True,
                help_text="例如：由所在县代为公开",
                max_length=200,
                verbose_name="不编制目录的说明",
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="compile_set_by_province",
            field=models.BooleanField(default=False, editable=False, verbose_name="由省级设定"),
        ),
        migrations.RunPython(preset, migrations.RunPython.noop),
    ]
