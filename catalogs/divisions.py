"""Load administrative divisions from the shipped national files (fixtures/divisions/*.csv.gz)."""

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

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


@dataclass
class LoadResult:
    created: int
    updated: int
    by_level: dict[str, int]


def _rows(filename: str, province_code: str, directory: Path):
    with gzip.open(directory / filename, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["code"] == province_code or row.get("provinceCode") == province_code:
                yield row


@transaction.atomic
def load_divisions(
    province_code: str, *, directory: Path = DIVISIONS_DIR, with_villages: bool = True
) -> LoadResult:
    """Create or update every division of one province; running it twice changes nothing."""
    existing = {
        region.code: region
        for region in Region.objects.filter(path__startswith=f"{province_code}/")
    }
    by_code: dict[str, Region] = dict(existing)
    created = updated = 0
    by_level: dict[str, int] = {}
    files = _FILES if with_villages else _FILES[:-1]
    for filename, level, parent_column in files:
        new_regions = []
        changed = []
        rows = list(_rows(filename, province_code, directory))
        if level == RegionLevel.CITY:
            rows += [
                dict(extra, provinceCode=province_code)
                for extra in EXTRA_UNITS.get(province_code, [])
            ]
        for row in rows:
            parent = by_code.get(row[parent_column]) if parent_column else None
            if parent_column and parent is None:
                continue
            path = (parent.path if parent else "") + f"{row['code']}/"
            region = by_code.get(row["code"])
            is_division = not any(
                row["code"] == extra["code"] for extra in EXTRA_UNITS.get(province_code, [])
            )
            if region is None:
                region = Region(
                    code=row["code"],
                    name=row["name"],
                    level=level,
                    parent=parent,
                    path=path,
                    is_division=is_division,
                )
                new_regions.append(region)
                by_code[region.code] = region
            elif (region.name, region.level, region.parent_id, region.path) != (
                row["name"],
                level,
                parent.pk if parent else None,
                path,
            ):
                region.name, region.level, region.parent, region.path = (
                    row["name"],
                    level,
                    parent,
                    path,
                )
                changed.append(region)
        # bulk_create skips save(), so path is computed above; on PostgreSQL and SQLite
        # the primary keys come back, which the next level needs as parents.
        Region.objects.bulk_create(new_regions, batch_size=2000)
        if changed:
            Region.objects.bulk_update(
                changed, ["name", "level", "parent", "path"], batch_size=2000
            )
        created += len(new_regions)
        updated += len(changed)
        by_level[level] = len(rows)
    return LoadResult(created=created, updated=updated, by_level=by_level)
