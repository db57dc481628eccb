"""Median server time of the public catalog page and of searches on the demo data.

    .venv/bin/python bench/public_pages.py [--runs 30]

Builds the demo set (长春市) on a throwaway database, then times requests through
Django's test client (no network, DEBUG off), so the figures are the server's own work.
"""

import argparse
import statistics
import time

from _django import setup

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=30)
args = parser.parse_args()

setup("public")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalogs.models import Catalog  # noqa: E402

call_command("setup_demo", today="2026-09-20", stdout=open("/dev/null", "w"))  # noqa: SIM115
catalog = Catalog.objects.published().get(region__code="220122", standard__code="social-assistance")
client = Client()
pages = {
    "catalog page (农安县 社会救助)": f"/catalogs/{catalog.pk}/",
    "search q=最低生活保障": "/search/?q=最低生活保障",
    "search q=救助 region=2201 audience=全社会": "/search/?q=救助&region=2201&audience=全社会",
    "API catalog detail": f"/api/v1/catalogs/{catalog.pk}/",
    "API search q=临时救助": "/api/v1/search/?q=临时救助",
}
print(f"{'page':<44} {'median':>9} {'p90':>9} {'queries':>8}")
for label, url in pages.items():
    client.get(url)  # warm caches and connections
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(f"{label:<44} {statistics.median(timings):7.1f}ms {p90:7.1f}ms {len(queries):>8}")
