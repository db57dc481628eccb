"""Export and import a 500-row catalog as the official Excel table; print times and memory.

    .venv/bin/python bench/excel_500.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_bench .venv/bin/python bench/excel_500.py

Runs on a throwaway database (see bench/_django.py). Each step is timed on its own, then
run again under tracemalloc for the peak of Python allocations (tracing slows the code it
watches, so the timings come from the untraced run).
"""

import time
import tracemalloc
from types import SimpleNamespace

from _django import setup

setup("excel")

from django.db import connection  # noqa: E402

from catalogs.excel import ParsedRow, read_catalog_workbook, write_catalog_workbook  # noqa: E402
from catalogs.models import Region, RegionLevel, StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from catalogs.services import standard_catalogs_load_initial  # noqa: E402
from catalogs.vocabulary import CHANNELS  # noqa: E402
from items.imports import (  # noqa: E402
    catalog_export_workbook,
    catalog_import_apply,
    catalog_import_plan,
)
from items.models import Item, ItemExtraElement  # noqa: E402
from items.services import catalog_derive  # noqa: E402

ROWS = 500


def region(code: str, name: str, level: str, parent=None) -> Region:
    return Region.objects.create(code=code, name=name, level=level, parent=parent)


def build_catalog(county: Region, standard: StandardCatalog):
    """A derived catalog grown to ROWS complete items; every fifth has a local extra element."""
    catalog = catalog_derive(actor=SYSTEM, region=county, standard=standard)
    start = catalog.items.count()
    Item.objects.bulk_create(
        Item(
            catalog=catalog,
            seq=seq,
            level1=f"本地一级事项{seq // 10}",
            level2=f"本地二级事项{seq}",
            content="\n".join(f"●要素{seq}-{k}" for k in range(4)),
            basis="《中华人民共和国政府信息公开条例》及相关规定",
            deadline="信息形成或变更之日起20个工作日内",
            subject=f"{county.name}民政局",
            channels=[CHANNELS[0], CHANNELS[6], CHANNELS[7]] + (["其他"] if seq % 7 == 0 else []),
            channel_other="村务微信群" if seq % 7 == 0 else "",
            audience=["全社会"],
            method=["主动"],
            levels=["县级"],
        )
        for seq in range(start + 1, ROWS + 1)
    )
    for item in catalog.items.all():
        item.subject = item.subject or f"{county.name}民政局"
        item.save(update_fields=["subject"])
    ItemExtraElement.objects.bulk_create(
        ItemExtraElement(item=item, name="责任科室", value=f"社会救助股{item.seq % 3}")
        for item in catalog.items.all()
        if item.seq % 5 == 0
    )
    return catalog


def timed(label: str, results: dict, function):
    started = time.perf_counter()
    value = function()
    results[label] = [time.perf_counter() - started, None]
    return value


def traced(label: str, results: dict, function):
    tracemalloc.start()
    value = function()
    results[label][1] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value


def edited_file(catalog) -> bytes:
    """The catalog with 50 rows changed, 10 dropped and 10 added, as staff would edit it."""
    rows = []
    for item in catalog.items.prefetch_related("extra_elements").order_by("seq"):
        values = {name: getattr(item, name) for name in ParsedRow.ELEMENT_FIELDS}
        values["extra_elements"] = [[e.name, e.value] for e in item.extra_elements.all()]
        rows.append(SimpleNamespace(**values))
    for row in rows[:50]:
        row.deadline = "5个工作日内"
    del rows[100:110]
    for n in range(10):
        rows.append(
            SimpleNamespace(**{**vars(rows[-1]), "seq": 1000 + n, "level2": f"新增二级{n}"})
        )
    return write_catalog_workbook(title=catalog.title, items=rows)


def main():
    standard_catalogs_load_initial()
    standard = StandardCatalog.objects.get(code="social-assistance")
    province = region("22", "吉林省", RegionLevel.PROVINCE)
    city = region("2201", "长春市", RegionLevel.CITY, province)
    counties = [
        region(f"2201{n:02d}", f"测试县{n}", RegionLevel.COUNTY, city) for n in range(20, 26)
    ]
    catalog = build_catalog(counties[0], standard)
    assert catalog.items.count() == ROWS
    results: dict = {}

    data = timed(
        "export 500 rows (queries + xlsx)", results, lambda: catalog_export_workbook(catalog)
    )
    traced("export 500 rows (queries + xlsx)", results, lambda: catalog_export_workbook(catalog))

    table = timed("read 500-row file", results, lambda: read_catalog_workbook(data))
    assert len(table.rows) == ROWS
    traced("read 500-row file", results, lambda: read_catalog_workbook(data))

    def read_and_plan():
        return catalog_import_plan(
            actor=SYSTEM,
            region=catalog.region,
            standard=standard,
            table=read_catalog_workbook(data),
        )

    plan = timed("round trip: read + plan (no changes)", results, read_and_plan)
    traced("round trip: read + plan (no changes)", results, read_and_plan)
    assert not plan.has_changes, plan.summary()

    def import_new(county):
        def run():
            return catalog_import_apply(
                actor=SYSTEM, region=county, standard=standard, table=read_catalog_workbook(data)
            )

        return run

    plan = timed(
        "import into an empty region: read+derive+plan+apply", results, import_new(counties[1])
    )
    traced("import into an empty region: read+derive+plan+apply", results, import_new(counties[2]))
    assert counties[1].catalogs.get().items.count() == ROWS, plan.summary()

    edited = edited_file(catalog)

    def import_edit(target):
        def run():
            return catalog_import_apply(
                actor=SYSTEM,
                region=target.region,
                standard=standard,
                table=read_catalog_workbook(edited),
            )

        return run

    second = build_catalog(counties[3], standard)
    plan = timed(
        "import edited file: 50 changed, 10 removed, 10 added", results, import_edit(catalog)
    )
    traced("import edited file: 50 changed, 10 removed, 10 added", results, import_edit(second))
    print(f"edited import: {plan.summary()}")

    print(
        f"\n{ROWS}-row catalog, file size {len(data) / 1024:.0f} KiB, database {connection.vendor}"
    )
    print(f"{'step':<56} {'seconds':>8} {'peak traced':>12}")
    for label, (seconds, peak) in results.items():
        print(f"{label:<56} {seconds:8.2f} {peak / 2**20:9.1f} MiB")


main()
