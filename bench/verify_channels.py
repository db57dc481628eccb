"""Check 2,000 recorded URLs served by a local server; print the time (target: within 60 s).

    .venv/bin/python bench/verify_channels.py

A throwaway database (bench/_django.py) gets 2,000 records, each with its own URL on one
local HTTP server (127.0.0.1, so the run needs --allow-private-addresses, as tests do).
One host means the per-host limit (2 at once) governs: the worst case for a county whose
records all sit on its own website. Pages are GBK-encoded like most county sites; one in
ten answers 404 and one in ten no longer shows the record's title.
"""

import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _django import measure, setup

setup("verify")

from catalogs.models import Region, RegionLevel, StandardCatalog  # noqa: E402
from catalogs.permissions import SYSTEM  # noqa: E402
from catalogs.services import standard_catalogs_load_initial  # noqa: E402
from items.models import Item  # noqa: E402
from items.services import catalog_derive  # noqa: E402
from records.models import ChannelCheck, DisclosureRecord, RecordChannel  # noqa: E402
from records.services import channels_verify  # noqa: E402
from records.verify import FetchLimits  # noqa: E402

URLS = 2000
PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    "<title>{title}</title></head><body><div>{padding}</div><h1>{title}</h1></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: without this, Nagle's algorithm and delayed
    # ACKs hold each response for 40 ms, which measures the test server, not the checker.
    disable_nagle_algorithm = True

    def do_GET(self):  # noqa: N802 - the standard library's name
        n = int(self.path.strip("/").split(".")[0])
        if n % 10 == 0:
            body, status = b"not found", 404
        else:
            title = f"公开信息{n}" if n % 10 != 1 else "已撤下的信息"
            body, status = PAGE.format(title=title, padding="政务公开" * 500).encode("gbk"), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=gbk")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    standard_catalogs_load_initial()
    province = Region.objects.create(code="22", name="吉林省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(
        code="2201", name="长春市", level=RegionLevel.CITY, parent=province
    )
    county = Region.objects.create(
        code="220122", name="农安县", level=RegionLevel.COUNTY, parent=city
    )
    catalog = catalog_derive(
        actor=SYSTEM, region=county, standard=StandardCatalog.objects.get(code="social-assistance")
    )
    item = Item.objects.filter(catalog=catalog).first()
    records = DisclosureRecord.objects.bulk_create(
        DisclosureRecord(
            catalog=catalog,
            item=item,
            title=f"公开信息{n}",
            formed_on=date(2026, 9, 1),
            published_on=date(2026, 9, 2),
        )
        for n in range(URLS)
    )
    RecordChannel.objects.bulk_create(
        RecordChannel(record=record, channel="政府网站", url=f"http://127.0.0.1:{port}/{n}.html")
        for n, record in enumerate(records)
    )
    results = {}
    limits = FetchLimits(timeout=10, total_timeout=30)
    with measure(f"verify_channels: {URLS} URLs, one local host", results):
        report = channels_verify(actor=SYSTEM, allow_private=True, limits=limits)
    with measure(f"again ({URLS} URLs; 404s now broken)", results):
        again = channels_verify(actor=SYSTEM, allow_private=True, limits=limits)
    server.shutdown()
    print(report)
    print(again)
    assert report.checks == URLS and report.failed == URLS // 10
    assert report.title_missing == URLS // 10 and again.broken == URLS // 10
    assert ChannelCheck.objects.count() == 2 * URLS
    slowest = max(seconds for seconds, _ in results.values())
    print(f"slowest run: {slowest:.1f} s for {URLS} URLs (target: within 60 s)")
    assert slowest <= 60


if __name__ == "__main__":
    main()
