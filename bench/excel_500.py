"""Export and import a 500-row catalog as the official Excel table; print times and memory.

    .venv/bin/python bench/excel_500.py
    BENCH_ROWS=5000 .venv/bin/python bench/excel_500.py      # the 5,000-row limit
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_bench .venv/bin/python bench/excel_500.py

Runs on a throwaway database (see bench/_django.py). Each step is timed on its own, then
run again under tracemalloc for the peak of Python allocations (tracing slows the code it
watches, so the timings come from the untraced run).
"""

import os
import statistics
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

ROWS = int(os.environ.get("BENCH_ROWS", "500"))


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
    ItemExtraElement.objects.bulk_create(
        ItemExtraElement(item=item, name="责任科室", value=f"社会救助股{item.seq % 3}")
        for item in catalog.items.all()
        if item.seq % 5 == 0
    )
    return catalog


def measure(label: str, results: dict, make_run, *, runs: int = 3):
    """Median (and best) wall and CPU time of ``runs`` runs, then one under tracemalloc.

    ``make_run()`` returns a fresh zero-argument callable for each run, so that imports can
    target a region that has not been imported into yet.
    """
    seconds, cpu, value = [], [], None
    for _ in range(runs):
        run = make_run()
        started, cpu_started = time.perf_counter(), time.process_time()
        value = run()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    run = make_run()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    results[label] = (statistics.median(seconds), min(seconds), statistics.median(cpu), peak)
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
            SimpleNamespace(**{**vars(rows[-1]), "seq": 10 * ROWS + n, "level2": f"新增二级{n}"})
        )
    return write_catalog_workbook(title=catalog.title, items=rows)


def main():
    standard_catalogs_load_initial()
    standard = StandardCatalog.objects.get(code="social-assistance")
    province = region("22", "吉林省", RegionLevel.PROVINCE)
    city = region("2201", "长春市", RegionLevel.CITY, province)
    counties = iter(
        region(f"2201{n:02d}", f"测试县{n}", RegionLevel.COUNTY, city) for n in range(20, 99)
    )
    catalog = build_catalog(next(counties), standard)
    assert catalog.items.count() == ROWS
    results: dict = {}

    # Warm up once (imports, openpyxl's first workbook) so that runs measure steady state.
    read_catalog_workbook(catalog_export_workbook(catalog))

    data = measure(
        "export: query + write xlsx",
        results,
        lambda: lambda: catalog_export_workbook(catalog),
    )
    table = measure("read: parse the xlsx", results, lambda: lambda: read_catalog_workbook(data))
    assert len(table.rows) == ROWS

    def round_trip():
        return lambda: catalog_import_plan(
            actor=SYSTEM,
            region=catalog.region,
            standard=standard,
            table=read_catalog_workbook(data),
        )

    plan = measure("re-import unchanged: read + plan (dry run)", results, round_trip)
    assert not plan.has_changes, plan.summary()

    def import_new():
        county = next(counties)
        return lambda: catalog_import_apply(
            actor=SYSTEM, region=county, standard=standard, table=read_catalog_workbook(data)
        )

    plan = measure(f"import into a region without catalog ({ROWS} new)", results, import_new)
    assert plan.creates_catalog
    assert len(plan.added) + len(plan.updated) + len(plan.unchanged) == ROWS

    def import_edited():
        target = build_catalog(next(counties), standard)
        edited = edited_file(target)
        return lambda: catalog_import_apply(
            actor=SYSTEM,
            region=target.region,
            standard=standard,
            table=read_catalog_workbook(edited),
        )

    plan = measure("import edited file (50 changed, 10 gone, 10 new)", results, import_edited)
    assert (len(plan.updated), len(plan.removed), len(plan.added)) == (50, 10, 10), plan.summary()

    print(f"\n{ROWS}-row catalog; file {len(data) / 1024:.0f} KiB; database {connection.vendor}")
    # Wall time suffers when other processes share the CPUs; CPU time of this process does
    # not (on SQLite it includes the database's work, on PostgreSQL it does not).
    print(f"{'step':<50} {'median s':>9} {'best s':>7} {'CPU s':>6} {'peak traced':>12}")
    for label, (median, fastest, cpu_median, peak) in results.items():
        print(f"{label:<50} {median:9.2f} {fastest:7.2f} {cpu_median:6.2f} {peak / 2**20:8.1f} MiB")


main()
