"""Import 5,000 rows of disclosure records from Excel; print plan and apply times.

    .venv/bin/python bench/records_import.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_bench .venv/bin/python bench/records_import.py

Runs on a throwaway database (see bench/_django.py). Two shapes of the same 5,000 rows:
2,500 records on two channels each, and 5,000 records on one channel each. The target
(issue 8) is under 5 s for the import of 5,000 rows.
"""

import io
from datetime import date

from _django import measure, setup

setup("records")

from openpyxl import Workbook  # noqa: E402

from catalogs.models import Region, RegionLevel, StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from catalogs.services import standard_catalogs_load_initial  # noqa: E402
from items.models import Item  # noqa: E402
from items.services import catalog_derive  # noqa: E402
from records.excel import HEADER, records_import_apply, records_import_plan  # noqa: E402
from records.models import DisclosureRecord, RecordChannel  # noqa: E402

ROWS = 5000
TODAY = date(2026, 11, 29)


def county(code: str, name: str) -> Region:
    province = Region.objects.get_or_create(
        code="22", defaults={"name": "吉林省", "level": RegionLevel.PROVINCE}
    )[0]
    city = Region.objects.get_or_create(
        code="2201", defaults={"name": "长春市", "level": RegionLevel.CITY, "parent": province}
    )[0]
    return Region.objects.create(code=code, name=name, level=RegionLevel.COUNTY, parent=city)


def sheet(items, channels_per_record: int) -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    worksheet.append(list(HEADER))
    channels = [
        ("政府网站", "https://www.example.gov.cn/zwgk/{n}.html"),
        ("政务服务中心", "政务服务中心二楼"),
    ]
    for n in range(ROWS // channels_per_record):
        item = items[n % len(items)]
        published = date(2026, (n % 10) + 1, (n % 27) + 2)
        for channel, evidence in channels[:channels_per_record]:
            worksheet.append(
                [
                    item.seq,
                    item.level2,
                    f"公开信息{n}",
                    f"农民发〔2026〕{n}号",
                    date(2026, 1, 2),
                    published,
                    channel,
                    evidence.format(n=n),
                    None,
                    None,
                ]
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main():
    standard_catalogs_load_initial()
    standard = StandardCatalog.objects.get(code="social-assistance")
    results = {}
    for code, name, per_record in (("220122", "农安县", 2), ("220112", "双阳区", 1)):
        region = county(code, name)
        catalog = catalog_derive(actor=SYSTEM, region=region, standard=standard)
        items = list(Item.objects.filter(catalog=catalog).order_by("seq"))
        content = sheet(items, per_record)
        label = f"{ROWS} rows, {ROWS // per_record} records × {per_record} channel(s)"
        with measure(f"plan (dry run): {label}", results):
            plan = records_import_plan(
                actor=SYSTEM, region=region, standard=standard, content=content, today=TODAY
            )
        with measure(f"import: {label}", results):
            records_import_apply(
                actor=SYSTEM, region=region, standard=standard, content=content, today=TODAY
            )
        assert len(plan.created) == ROWS // per_record
        assert DisclosureRecord.objects.filter(catalog=catalog).count() == ROWS // per_record
        assert RecordChannel.objects.filter(record__catalog=catalog).count() == ROWS
        with measure(f"re-import, nothing changes: {label}", results):
            again = records_import_apply(
                actor=SYSTEM, region=region, standard=standard, content=content, today=TODAY
            )
        assert not again.created and not again.changed
    slowest = max(seconds for label, (seconds, _) in results.items() if label.startswith("import"))
    print(f"slowest import of {ROWS} rows: {slowest:.2f} s (target < 5 s)")
    assert slowest < 5, "import of 5,000 rows took 5 s or more"


if __name__ == "__main__":
    main()
