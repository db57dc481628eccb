"""verify_channels against local HTTP servers only (pytest-httpserver on 127.0.0.1)."""

import time
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_httpserver import HTTPServer
from werkzeug import Response

from catalogs.permissions import SYSTEM
from records.models import ChannelCheck
from records.services import channels_verify, special_column_set
from records.verify import (
    AddressPolicy,
    FetchLimits,
    decode_page,
    fetch_urls,
    links_to,
    mentions,
    page_text,
)

TITLE = "关于调整农安县最低生活保障标准的通知"
DOCUMENT = "农民发〔2026〕12号"
LOCAL = AddressPolicy(allow_private=True)
FAST = FetchLimits(timeout=2, total_timeout=5, max_bytes=256 * 1024)


@pytest.fixture(scope="module")
def server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(autouse=True)
def _clear(server):
    server.clear()
    yield
    server.clear()


def fetch_one(url, *, policy=LOCAL, limits=FAST, resolver=None):
    options = {"policy": policy, "limits": limits}
    if resolver:
        options["resolver"] = resolver
    results, fetcher = fetch_urls([url], **options)
    return results[url]


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def _page(title: str, charset_meta: str = "") -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">'
        if charset_meta
        else ""
    )
    return f"<html><head>{meta}<title>x</title></head><body><h1>{title}</h1><p>{DOCUMENT}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_page(TITLE).encode("gbk"), "text/html; charset=GBK"),
        (_page(TITLE, "gb2312").encode("gb2312"), "text/html"),
        (_page(TITLE).encode("gb18030"), "text/html"),  # nothing declared: GB18030 fallback
        (_page(TITLE).encode("utf-8"), "text/html"),
        (_page(TITLE, "utf-8").encode("utf-8"), "text/html; charset=utf-8"),
    ],
)
def test_pages_are_decoded_from_gbk_and_utf8(server, body, content_type):
    server.expect_request("/page").respond_with_data(body, content_type=content_type)
    result = fetch_one(server.url_for("/page"))
    assert result.ok and result.status == 200
    assert TITLE in result.text
    assert mentions(page_text(result.text), [TITLE])


def test_decode_page_prefers_the_header_then_meta():
    assert decode_page("农安".encode("gbk"), "text/html; charset=gb2312") == "农安"
    assert "农安" in decode_page(b'<meta charset="gbk">' + "农安".encode("gbk"))


def test_title_or_document_number_match_ignores_spacing_and_bracket_style():
    text = page_text("<p>农民发[2026]12号</p><p>关于调整 农安县最低生活保障标准的通知</p>")
    assert mentions(text, [DOCUMENT])
    assert mentions(text, [TITLE])
    assert not mentions(text, ["另一条信息", ""])


# ---------------------------------------------------------------------------
# Redirects and addresses
# ---------------------------------------------------------------------------


def test_a_redirect_chain_is_followed_by_hand(server):
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data(
        "", status=301, headers={"Location": server.url_for("/c")}
    )
    server.expect_request("/c").respond_with_data(_page(TITLE), content_type="text/html")
    result = fetch_one(server.url_for("/a"))
    assert result.ok and result.final_url == server.url_for("/c")
    assert TITLE in result.text


def test_too_many_redirects_fail(server):
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    result = fetch_one(server.url_for("/loop"), limits=FetchLimits(max_redirects=3, timeout=2))
    assert not result.ok and "重定向超过3次" in result.error


def test_a_redirect_to_a_private_address_is_refused_without_the_flag(server):
    # The first hop is let through by name (a trusted test network); the second is loopback.
    trusted = AddressPolicy(trusted_networks=("127.0.0.1/32",))
    target = f"http://127.0.0.2:{server.port}/secret"
    server.expect_request("/out").respond_with_data("", status=302, headers={"Location": target})
    result = fetch_one(server.url_for("/out"), policy=trusted)
    assert not result.ok
    assert "本机回环地址127.0.0.2" in result.error and "拒绝访问" in result.error
    assert result.status == 302


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/", "本机回环地址"),
        ("http://169.254.169.254/latest/meta-data/", "链路本地地址"),
        ("http://[::1]:9/", "本机回环地址"),
        ("http://0.0.0.0:9/", "非公网地址"),
    ],
)
def test_private_addresses_are_refused_before_connecting(url, reason):
    result = fetch_one(url, policy=AddressPolicy())
    assert not result.ok and reason in result.error and result.status is None


def test_a_name_resolving_to_an_intranet_address_is_refused():
    async def intranet(host, port):
        return ["10.1.2.3"]

    result = fetch_one("https://oa.nongan.gov.cn/", policy=AddressPolicy(), resolver=intranet)
    assert "oa.nongan.gov.cn指向内网地址10.1.2.3" in result.error


def test_a_name_with_one_bad_address_among_good_ones_is_refused():
    async def mixed(host, port):
        return ["202.98.0.68", "192.168.1.1"]

    result = fetch_one("http://www.example.cn/", policy=AddressPolicy(), resolver=mixed)
    assert "内网地址192.168.1.1" in result.error


@pytest.mark.parametrize("url", ["ftp://example.cn/a", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https(url):
    assert "只检查http和https" in fetch_one(url).error


def test_the_flag_lets_local_servers_through(server):
    server.expect_request("/ok").respond_with_data("ok")
    assert not fetch_one(server.url_for("/ok"), policy=AddressPolicy()).ok
    assert fetch_one(server.url_for("/ok"), policy=AddressPolicy(allow_private=True)).ok


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------


def test_reading_stops_at_the_byte_cap(server):
    body = b"<html><body>" + b"x" * 200_000 + TITLE.encode() + b"</body></html>"
    server.expect_request("/big").respond_with_data(body, content_type="text/html; charset=utf-8")
    result = fetch_one(server.url_for("/big"), limits=FetchLimits(max_bytes=50_000, timeout=2))
    assert result.ok and result.truncated
    assert len(result.text) == 50_000 and TITLE not in result.text


def test_a_slow_server_times_out(server):
    def slow(request):
        time.sleep(1.5)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(slow)
    started = time.perf_counter()
    result = fetch_one(server.url_for("/slow"), limits=FetchLimits(timeout=0.3, total_timeout=5))
    assert not result.ok and "超时" in result.error
    assert time.perf_counter() - started < 1.4


def test_at_most_two_requests_at_once_per_host(server):
    def slowish(request):
        time.sleep(0.15)
        return Response("ok")

    server.expect_request("/p").respond_with_handler(slowish)
    urls = [server.url_for(f"/p?n={n}") for n in range(8)]
    results, fetcher = fetch_urls(urls, policy=LOCAL, limits=FetchLimits(concurrency=8, timeout=5))
    assert all(result.ok for result in results.values())
    assert fetcher.peak_per_host == {"127.0.0.1": 2}


# ---------------------------------------------------------------------------
# Stored checks
# ---------------------------------------------------------------------------


@pytest.fixture
def online(make_record, server):
    def make(path: str, **values):
        return make_record(
            channels=[{"channel": "政府网站", "url": server.url_for(path)}], **values
        )

    return make


def test_checks_are_stored_and_a_url_failing_twice_is_broken(server, online):
    record = online("/gone", title=TITLE)
    channel = record.channels.get()
    server.expect_request("/gone").respond_with_data("not found", status=404)
    first = channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    assert (first.failed, first.broken) == (1, 0)
    second = channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    assert (second.failed, second.broken) == (1, 1)
    checks = list(ChannelCheck.objects.filter(channel=channel).order_by("checked_at", "pk"))
    assert [(check.status, check.ok, check.broken) for check in checks] == [
        (404, False, False),
        (404, False, True),
    ]
    assert checks[-1].error == "HTTP 404" and checks[-1].url == server.url_for("/gone")


def test_a_page_showing_the_title_or_document_number(server, online):
    shows = online("/shows", title=TITLE)
    lost = online("/lost", title="另一条信息", document_number=DOCUMENT)
    number = online("/number", title="第三条信息", document_number=DOCUMENT)
    server.expect_request("/shows").respond_with_data(
        _page(TITLE).encode("gbk"), content_type="text/html; charset=gbk"
    )
    server.expect_request("/lost").respond_with_data(_page("无关内容").replace(DOCUMENT, ""))
    server.expect_request("/number").respond_with_data(_page("无关内容"))
    report = channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    found = {
        check.channel.record_id: check.title_found
        for check in ChannelCheck.objects.select_related("channel")
    }
    assert found == {shows.pk: True, lost.pk: False, number.pk: True}
    assert report.title_missing == 1 and report.ok == 3
    check = ChannelCheck.objects.get(channel__record=shows)
    assert check.status == 200 and check.took_ms >= 0 and check.final_url.endswith("/shows")


def test_a_failure_then_a_success_is_not_broken(server, online):
    record = online("/flaky", title=TITLE)
    server.expect_oneshot_request("/flaky").respond_with_data("", status=500)
    channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    server.expect_request("/flaky").respond_with_data(_page(TITLE))
    channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    server.expect_request("/flaky").respond_with_data("", status=500)
    channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    assert [
        check.broken for check in ChannelCheck.objects.filter(channel__record=record).order_by("pk")
    ] == [False, False, False]


def test_without_the_flag_local_urls_are_refused_and_stored_as_failures(server, online):
    online("/x", title=TITLE)
    report = channels_verify(actor=SYSTEM, limits=FAST)
    check = ChannelCheck.objects.get()
    assert report.failed == 1 and not check.ok and "拒绝访问" in check.error
    assert check.status is None


def test_a_special_column_answers_and_links_to_the_catalog_page(
    server, county, regions, standards, settings
):
    settings.PORTAL_BASE_URL = "https://gongkai.example.gov.cn"
    catalog_url = "https://gongkai.example.gov.cn" + reverse(
        "site:catalog", kwargs={"pk": county.pk}
    )
    special_column_set(
        actor=SYSTEM, region=regions.nongan, standard=standards.social, url=server.url_for("/zl")
    )
    server.expect_request("/zl").respond_with_data(
        f'<a href="{catalog_url}">社会救助领域基层政务公开标准目录</a>', content_type="text/html"
    )
    channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    check = ChannelCheck.objects.get(special_column__isnull=False)
    assert check.ok and check.links_to_catalog is True and check.title_found is None
    server.clear()
    server.expect_request("/zl").respond_with_data('<a href="/other/">其他</a>')
    report = channels_verify(actor=SYSTEM, allow_private=True, limits=FAST)
    assert report.columns_without_link == 1
    assert ChannelCheck.objects.filter(links_to_catalog=False).count() == 1


def test_links_to_matches_absolute_and_bare_paths():
    markup = '<a href="https://gongkai.example.gov.cn/catalogs/7">目录</a><a href=/x>x</a>'
    assert links_to(markup, "http://a.cn/zl/", ["https://gongkai.example.gov.cn/catalogs/7/"])
    assert links_to(markup, "http://a.cn/zl/", ["/catalogs/7/"])
    assert not links_to(markup, "http://a.cn/zl/", ["https://gongkai.example.gov.cn/catalogs/8/"])


def test_region_scoping_and_rights(server, online, users, regions):
    online("/a", title=TITLE)
    server.expect_request("/a").respond_with_data(_page(TITLE))
    with pytest.raises(Exception, match="无权"):
        channels_verify(actor=users.other_county_editor, region=regions.nongan, allow_private=True)
    report = channels_verify(actor=SYSTEM, region=regions.yongji, allow_private=True, limits=FAST)
    assert report.checks == 0
    report = channels_verify(
        actor=users.county_editor, region=regions.nongan, allow_private=True, limits=FAST
    )
    assert report.checks == 1 and report.ok == 1


def test_the_command(server, online, capsys):
    online("/cmd", title=TITLE, published_on=date(2026, 10, 9))
    server.expect_request("/cmd").respond_with_data("", status=404)
    call_command("verify_channels", "--region", "220122", "--allow-private-addresses")
    out = capsys.readouterr().out
    assert "访问失败（HTTP 404）" in out and "检查了1个网址" in out
    call_command("verify_channels", "--allow-private-addresses")
    assert "已失效" in capsys.readouterr().out
