"""Load administrative divisions from the shipped national files (fixtures/divisions/*.csv.gz).

Two things the statistics do not say, the loader adds:

- **Who compiles catalogs.** About a hundred of Jilin's township-level codes are farms,
  studs, fisheries, forestry units, seed farms, research institutes, reservoirs, parks and
  zones (类似乡级单位). They have no township government: their county publishes for them.
  The loader switches ``compiles_catalogs`` off for them by their official names
  (``non_compiling_kind``) and lists them; a regular township name (…街道, …镇, …乡) never
  matches, whatever words it contains. What the province set by hand is never changed.
- **Data correction: 长白山管委会's units.** 长白山管委会 (2299, added like a city) administers
  池北区, 池西区 and 池南区 (filed as 特殊乡镇 under 安图县 and 抚松县) and 二道白河镇 (under
  安图县). ``REGION_CORRECTIONS`` places them under 2299, so they count toward it and not
  toward 白山市 and 延边州.
"""

import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr

from catalogs.models import Region, RegionLevel

DIVISIONS_DIR = Path(settings.BASE_DIR) / "fixtures" / "divisions"

# Units that take part like a prefecture but are no statistical division.
EXTRA_UNITS = {
    "22": [{"code": "2299", "name": "长白山管委会", "level": RegionLevel.CITY}],
}

# (file, level, column with the parent's code)
_FILES = [
    ("provinces.csv.gz", RegionLevel.PROVINCE, None),
    ("cities.csv.gz", RegionLevel.CITY, "provinceCode"),
    ("areas.csv.gz", RegionLevel.COUNTY, "cityCode"),
    ("streets.csv.gz", RegionLevel.TOWNSHIP, "areaCode"),
    ("villages.csv.gz", RegionLevel.VILLAGE, "streetCode"),
]


@dataclass(frozen=True)
class SwitchedOff:
    code: str
    name: str
    kind: str


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    provinces: list[str] = field(default_factory=list)
    # Township-level units the loader set to compile no catalog (new or changed this run).
    switched_off: list[SwitchedOff] = field(default_factory=list)
    # Units whose flag the province set by hand, left as they are.
    kept_by_province: int = 0


def _read(filename: str, provinces: set[str] | None, directory: Path):
    """Rows of one national file, for the provinces asked for (None: every province)."""
    with gzip.open(directory / filename, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            province = row.get("provinceCode") or row["code"]
            if provinces is None or province in provinces:
                yield row


def _extra_units(provinces: set[str] | None) -> list[dict]:
    return [
        dict(extra, provinceCode=province)
        for province, extras in EXTRA_UNITS.items()
        if provinces is None or province in provinces
        for extra in extras
    ]


_EXTRA_CODES = {extra["code"] for extras in EXTRA_UNITS.values() for extra in extras}
VILLAGE_BATCH = 5000

# code -> (the parent it belongs under, the name it is known by). 长白山管委会 administers
# these units; the statistics file them under 安图县 (222426) and 抚松县 (220621).
REGION_CORRECTIONS: dict[str, tuple[str, str]] = {
    "222426120": ("2299", "池北区"),  # 长白山保护开发区池北区特殊乡镇
    "220621120": ("2299", "池西区"),  # 长白山保护开发区池西区特殊乡镇
    "220621121": ("2299", "池南区"),  # 长白山保护开发区池南区特殊乡镇
    "222426102": ("2299", "二道白河镇"),
}

# Kinds of township-level unit that compile no catalog of their own, by how their official
# name ends (after a bracketed remark such as （省级） is dropped).
NON_COMPILING_KINDS: tuple[tuple[str, re.Pattern], ...] = (
    ("农场", re.compile(r"农场$")),
    (
        "牧场、种畜场",
        re.compile(r"(牧场|种畜场|种羊场|种牛场|种猪场|种马场|马场|鹿场|牛场|猪场|饲养场)$"),
    ),
    ("渔场", re.compile(r"(渔场|鱼苗繁殖场)$")),
    (
        "林业单位",
        re.compile(r"(林场|林业局|林业(有限)?公司|国有林保护中心|国有林总场)$"),
    ),
    ("良种场、原种场", re.compile(r"(良种场|原种场|原种繁殖场|良种繁育场|良种繁育基地)$")),
    ("科研单位", re.compile(r"(研究所|研究院|农科院|科学院)$")),
    ("园区、开发区", re.compile(r"(园区|开发区|示范区|管理区|工业区|集中区|产业区|食品区)$")),
    ("水利单位", re.compile(r"(灌区管理局|水库)$")),
)
_REGULAR_TOWNSHIP = re.compile(r"(街道|镇|乡|苏木)$")
_SPECIAL_SUFFIX = re.compile(r"特殊(乡镇|街道|区域)$")
_REMARK = re.compile(r"[（(][^（）()]*[）)]")


def non_compiling_kind(name: str) -> str | None:
    """The kind of unit a township-level name denotes when it compiles no catalog, else None.

    “洼中高农场” → 农场; “永吉经济开发区特殊乡镇” → 园区、开发区; “（工业园区）城南街道”,
    “种畜场街道” and “高新街道” are townships (None).
    """
    bare = _REMARK.sub("", name).strip()
    special = _SPECIAL_SUFFIX.search(bare)
    if special:
        bare = bare[: special.start()]
    elif _REGULAR_TOWNSHIP.search(bare):
        return None
    for kind, pattern in NON_COMPILING_KINDS:
        if pattern.search(bare):
            return kind
    return None


def compile_preset(name: str, parent_name: str) -> tuple[bool, str, str | None]:
    """(compiles_catalogs, compile_note, kind) the loader gives a township-level unit."""
    kind = non_compiling_kind(name)
    if kind is None:
        return True, "", None
    return False, f"{kind}，不单独编制目录，由{parent_name}代为公开", kind


class _Loader:
    """Creates missing regions and corrects changed ones, level by level, top down."""

    def __init__(self, provinces: set[str] | None, directory: Path, progress):
        self.provinces = provinces
        self.directory = directory
        self.progress = progress or (lambda message: None)
        self.result = LoadResult()
        upper = Region.objects.exclude(level=RegionLevel.VILLAGE)
        if provinces is not None:
            within = Q(pk__in=[])
            for code in provinces:
                within |= Q(path__startswith=f"{code}/")
            upper = upper.filter(within)
        self.by_code: dict[str, Region] = {region.code: region for region in upper}

    def _row_values(self, row, level, parent_column):
        correction = REGION_CORRECTIONS.get(row["code"])
        if correction and correction[0] in self.by_code:
            parent = self.by_code[correction[0]]
            return parent, parent.path + f"{row['code']}/"
        parent = self.by_code.get(row[parent_column]) if parent_column else None
        if parent_column and parent is None:
            return None
        return parent, (parent.path if parent else "") + f"{row['code']}/"

    @transaction.atomic
    def upper_level(self, filename: str, level: str, parent_column: str | None) -> None:
        rows = list(_read(filename, self.provinces, self.directory))
        if level == RegionLevel.CITY:
            rows += _extra_units(self.provinces)
        new_regions, changed, moves = [], [], []
        for row in rows:
            values = self._row_values(row, level, parent_column)
            if values is None:
                continue
            parent, path = values
            correction = REGION_CORRECTIONS.get(row["code"])
            name = correction[1] if correction and parent.code == correction[0] else row["name"]
            region = self.by_code.get(row["code"])
            if region is None:
                region = Region(
                    code=row["code"],
                    name=name,
                    level=level,
                    parent=parent,
                    path=path,
                    is_division=row["code"] not in _EXTRA_CODES,
                )
                new_regions.append(region)
                self.by_code[region.code] = region
                dirty = False
            else:
                dirty = (region.name, region.level, region.parent_id, region.path) != (
                    name,
                    level,
                    parent.pk if parent else None,
                    path,
                )
                if region.path != path:
                    moves.append((region.path, path))
                region.name, region.level, region.parent, region.path = (
                    name,
                    level,
                    parent,
                    path,
                )
            if level == RegionLevel.TOWNSHIP:
                dirty = self._preset_compiling(region, parent) or dirty
            if dirty:
                changed.append(region)
        # bulk_create skips save(), so path is computed above; on PostgreSQL and SQLite
        # the primary keys come back, which the next level needs as parents.
        Region.objects.bulk_create(new_regions, batch_size=2000)
        if changed:
            Region.objects.bulk_update(
                changed,
                ["name", "level", "parent", "path", "compiles_catalogs", "compile_note"],
                batch_size=2000,
            )
        for old_path, new_path in moves:
            # Everything below a moved region moves with it (villages included).
            Region.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
            )
        self.result.created += len(new_regions)
        self.result.updated += len(changed)
        self.result.by_level[level] = len(rows)
        if level == RegionLevel.PROVINCE:
            self.result.provinces = sorted(row["code"] for row in rows)
        self.progress(f"{RegionLevel(level).label}: {len(rows)} ({len(new_regions)} new)")

    def _preset_compiling(self, region: Region, parent: Region) -> bool:
        """Preset whether a township-level unit compiles catalogs, from its official name;
        True if that changed an existing row. The province's own choice is kept."""
        if region.compile_set_by_province:
            self.result.kept_by_province += 1
            return False
        if region.code in REGION_CORRECTIONS:
            compiles, note, kind = True, "", None
        else:
            compiles, note, kind = compile_preset(region.name, parent.name)
        if (region.compiles_catalogs, region.compile_note) == (compiles, note):
            return False
        region.compiles_catalogs, region.compile_note = compiles, note
        if kind is not None:
            self.result.switched_off.append(SwitchedOff(region.code, region.name, kind))
        return region.pk is not None

    def villages(self) -> None:
        """Stream the largest file once, in batches that each commit on their own."""
        batch: list[dict] = []
        count = 0
        for row in _read("villages.csv.gz", self.provinces, self.directory):
            batch.append(row)
            if len(batch) >= VILLAGE_BATCH:
                count += self._village_batch(batch)
                batch = []
                if count % (VILLAGE_BATCH * 20) == 0:
                    self.progress(f"{RegionLevel.VILLAGE.label}: {count}")
        count += self._village_batch(batch)
        self.result.by_level[RegionLevel.VILLAGE] = count
        self.progress(f"{RegionLevel.VILLAGE.label}: {count}")

    @transaction.atomic
    def _village_batch(self, rows: list[dict]) -> int:
        existing = {
            region.code: region
            for region in Region.objects.filter(code__in=[row["code"] for row in rows]).only(
                "pk", "code", "name", "level", "parent_id", "path"
            )
        }
        new_regions, changed, count = [], [], 0
        for row in rows:
            values = self._row_values(row, RegionLevel.VILLAGE, "streetCode")
            if values is None:
                continue
            count += 1
            parent, path = values
            region = existing.get(row["code"])
            if region is None:
                new_regions.append(
                    Region(
                        code=row["code"],
                        name=row["name"],
                        level=RegionLevel.VILLAGE,
                        parent=parent,
                        path=path,
                    )
                )
            elif (region.name, region.level, region.parent_id, region.path) != (
                row["name"],
                RegionLevel.VILLAGE,
                parent.pk,
                path,
            ):
                region.name, region.level, region.parent, region.path = (
                    row["name"],
                    RegionLevel.VILLAGE,
                    parent,
                    path,
                )
                changed.append(region)
        Region.objects.bulk_create(new_regions, batch_size=2000)
        if changed:
            Region.objects.bulk_update(
                changed, ["name", "level", "parent", "path"], batch_size=2000
            )
        self.result.created += len(new_regions)
        self.result.updated += len(changed)
        return count


def load_divisions(
    province_code: str | None = None,
    *,
    provinces: list[str] | None = None,
    directory: Path | None = None,
    with_villages: bool = True,
    progress=None,
) -> LoadResult:
    """Create or update the divisions of one province, several, or all (running it twice changes
    nothing). Each national file is read once, whatever the number of provinces."""
    wanted = {province_code} if province_code else (set(provinces) if provinces else None)
    loader = _Loader(wanted, directory or DIVISIONS_DIR, progress)
    for filename, level, parent_column in _FILES[:-1]:
        loader.upper_level(filename, level, parent_column)
    if with_villages:
        loader.villages()
    return loader.result
