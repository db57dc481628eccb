"""Fetch recorded URLs and 专栏 pages, politely and safely (``manage.py verify_channels``).

Safety: http and https only; every hop's host is resolved and each of its addresses
checked with ``ipaddress`` — private, loopback, link-local, multicast, reserved and other
non-global addresses are refused unless ``allow_private`` — and the connection then goes to
the checked address (the name travels in the Host header and TLS SNI), so a second DNS
answer cannot slip in another address. Redirects are followed by hand, each hop checked the
same way, at most ``max_redirects`` of them. At most ``max_bytes`` of a body are read.

Politeness: a global limit of requests in flight and at most ``per_host`` at once per host
(asyncio semaphores); a timeout between bytes and one for each whole request, counted
from when the request may start, not while it waits for its turn.

Pages are decoded from the Content-Type header's charset, else a <meta> charset, else UTF-8,
else GB18030 (which covers GB2312 and GBK, what most county sites still serve).
"""

from __future__ import annotations

import asyncio
import codecs
import html
import ipaddress
import re
import socket
import time
import unicodedata
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "gongkai-portal-link-check/1.0"


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 10.0  # seconds per request (connect, read, write, pool)
    total_timeout: float = 30.0  # seconds per request, body included (a slow drip ends too)
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 16
    per_host: int = 2


@dataclass
class FetchResult:
    url: str
    status: int | None = None
    final_url: str = ""
    text: str = ""
    truncated: bool = False
    took_ms: int = 0
    error: str = ""  # Chinese; empty when a response came back

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300


class FetchRefused(Exception):
    """The URL or an address it resolves to may not be fetched; the message is Chinese."""


# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    # Networks let through even without allow_private (tests name one loopback address).
    trusted_networks: tuple = ()

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be contacted, or None."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if any(ip in ipaddress.ip_network(network) for network in self.trusted_networks):
            return None
        if self.allow_private:
            return None
        if ip.is_unspecified:
            return "非公网地址"
        if ip.is_loopback:
            return "本机回环地址"
        if ip.is_link_local:
            return "链路本地地址"
        if ip.is_private:
            return "内网地址"
        if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
            return "非公网地址"
        return None


async def resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"无法解析域名{host}（{exc}）") from None
    addresses = []
    for *_, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise FetchRefused(f"无法解析域名{host}")
    return addresses


# ---------------------------------------------------------------------------
# Decoding and matching
# ---------------------------------------------------------------------------

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_GB_NAMES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "ms936", "csgb2312", "euc-cn"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_NAMES or name.startswith("gb"):
        return "gb18030"  # a superset: GB2312 and GBK pages decode the same
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(body: bytes, content_type: str | None = None) -> str:
    declared = None
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        declared = _codec(match.group(1))
    if declared is None and (match := _META_CHARSET.search(body[:4096])):
        declared = _codec(match.group(1).decode("ascii", "ignore"))
    if declared:
        try:
            return body.decode(declared)
        except UnicodeDecodeError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "［": "[", "］": "]"})
_SPACE = re.compile(r"\s+")


def page_text(markup: str) -> str:
    """Visible text, folded for matching (NFKC, one kind of bracket, no white space)."""
    text = html.unescape(_TAGS.sub(" ", markup))
    return fold(text)


def fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "").translate(_BRACKETS))


def mentions(text: str, needles: Iterable[str]) -> bool:
    """Whether the folded page text holds any of the (non-empty) needles."""
    return any(needle and fold(needle) in text for needle in needles)


_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _same_page(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    return (
        (first.hostname or "").lower() == (second.hostname or "").lower()
        and first.port == second.port
        and first.path.rstrip("/") == second.path.rstrip("/")
    )


def links_to(markup: str, page_url: str, targets: Iterable[str]) -> bool:
    """Whether the page links to any of ``targets`` (absolute URLs, or bare paths which
    then match on any host)."""
    targets = list(targets)
    for match in _HREF.finditer(markup):
        href = html.unescape(next(group for group in match.groups() if group is not None))
        absolute = urljoin(page_url, href.strip())
        for target in targets:
            if target.startswith("/"):
                if urlsplit(absolute).path.rstrip("/") == target.rstrip("/"):
                    return True
            elif _same_page(absolute, target):
                return True
    return False


# ---------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------


class Fetcher:
    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        policy: AddressPolicy | None = None,
        resolver=resolve,
    ):
        self.limits = limits or FetchLimits()
        self.policy = policy or AddressPolicy()
        self.resolver = resolver
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.peak_per_host: dict[str, int] = {}
        self._active: dict[str, int] = {}

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.limits.per_host)
        return self._hosts[host]

    async def fetch_all(self, urls: Iterable[str]) -> dict[str, FetchResult]:
        urls = list(dict.fromkeys(urls))
        self._global = asyncio.Semaphore(self.limits.concurrency)
        timeout = httpx.Timeout(self.limits.timeout)
        pool = httpx.Limits(
            max_connections=self.limits.concurrency,
            max_keepalive_connections=self.limits.concurrency,
        )
        async with httpx.AsyncClient(
            timeout=timeout,
            limits=pool,
            follow_redirects=False,
            trust_env=False,  # never route through a proxy the environment names
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        ) as client:
            results = await asyncio.gather(*(self.fetch(client, url) for url in urls))
        return dict(zip(urls, results, strict=True))

    async def fetch(self, client: httpx.AsyncClient, url: str) -> FetchResult:
        result = FetchResult(url=url)
        started = time.perf_counter()
        try:
            await self._follow(client, url, result)
        except TimeoutError:
            result.error = f"超时（超过{self.limits.total_timeout:g}秒）"
        except FetchRefused as refused:
            result.error = str(refused)
        except httpx.TimeoutException:
            result.error = f"超时（超过{self.limits.timeout:g}秒无响应）"
        except httpx.HTTPError as exc:
            result.error = f"连接失败（{exc.__class__.__name__}）"
        except OSError as exc:
            result.error = f"连接失败（{exc.__class__.__name__}）"
        result.took_ms = int((time.perf_counter() - started) * 1000)
        return result

    async def _follow(self, client: httpx.AsyncClient, url: str, result: FetchResult) -> None:
        current = url
        for hop in range(self.limits.max_redirects + 1):
            location = await self._hop(client, current, result)
            result.final_url = current
            if location is None:
                return
            if hop == self.limits.max_redirects:
                raise FetchRefused(f"重定向超过{self.limits.max_redirects}次")
            current = urljoin(current, location)
        raise FetchRefused(f"重定向超过{self.limits.max_redirects}次")  # pragma: no cover

    async def _addresses(self, url: str) -> tuple[httpx.URL, list[str]]:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise FetchRefused(f"网址无效：{url}") from None
        if parsed.scheme not in ("http", "https"):
            raise FetchRefused(f"只检查http和https网址，不访问{parsed.scheme or '无协议'}网址")
        host = parsed.host
        if not host:
            raise FetchRefused(f"网址缺少主机名：{url}")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = await self.resolver(host, port)
        for address in addresses:
            if reason := self.policy.refusal(address):
                raise FetchRefused(f"{host}指向{reason}{address}，已拒绝访问")
        return parsed, addresses

    async def _hop(self, client, url: str, result: FetchResult) -> str | None:
        parsed, addresses = await self._addresses(url)
        host = parsed.host.lower()
        # Connect to an address just checked; the name goes in Host and TLS SNI.
        headers = {"Host": parsed.netloc.decode("ascii")}
        extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
        # The clock runs once a request may start, not while it waits for its turn.
        async with (
            self._host_semaphore(host),
            self._global,
            asyncio.timeout(self.limits.total_timeout),
        ):
            self._active[host] = self._active.get(host, 0) + 1
            self.peak_per_host[host] = max(self.peak_per_host.get(host, 0), self._active[host])
            try:
                for index, address in enumerate(addresses):
                    request = client.build_request(
                        "GET",
                        parsed.copy_with(host=address),
                        headers=headers,
                        extensions=extensions,
                    )
                    try:
                        response = await client.send(request, stream=True)
                        break
                    except httpx.ConnectError:
                        if index == len(addresses) - 1:
                            raise
                try:
                    result.status = response.status_code
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        return location
                    body, truncated = await self._read(response)
                finally:
                    await response.aclose()
            finally:
                self._active[host] -= 1
        result.truncated = truncated
        result.text = decode_page(body, response.headers.get("content-type"))
        return None

    async def _read(self, response: httpx.Response) -> tuple[bytes, bool]:
        """At most max_bytes of the body (decompressed, if the server compressed anyway)."""
        limit = self.limits.max_bytes
        encoding = response.headers.get("content-encoding", "").lower()
        inflater = None
        if encoding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflater = zlib.decompressobj()
        body = bytearray()
        async for chunk in response.aiter_raw():
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk, limit + 1 - len(body))
                except zlib.error:
                    break
            body += chunk
            if len(body) > limit:
                return bytes(body[:limit]), True
        return bytes(body), False


def fetch_urls(
    urls: Iterable[str],
    *,
    limits: FetchLimits | None = None,
    policy: AddressPolicy | None = None,
    resolver=resolve,
) -> tuple[dict[str, FetchResult], Fetcher]:
    """Fetch every URL (each once); returns the results and the fetcher (for its counters)."""
    fetcher = Fetcher(limits=limits, policy=policy, resolver=resolver)
    results = _run(fetcher.fetch_all(urls))
    return results, fetcher


def _run(coroutine):
    """Run the fetches on an event loop of their own, even when the calling thread already
    runs one (a caller inside an async server, or a test session that drove a browser)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class VerifyReport:
    urls: int = 0
    checks: int = 0
    ok: int = 0
    failed: int = 0
    broken: int = 0
    title_missing: int = 0
    columns: int = 0
    columns_without_link: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"检查了{self.urls}个网址（{self.checks}条记录），用时{self.seconds:.1f}秒："
            f"可访问{self.ok}，失败{self.failed}，其中已失效（连续两次失败）{self.broken}；"
            f"页面未见标题或文号{self.title_missing}；专栏{self.columns}个，"
            f"未链接到目录页面{self.columns_without_link}个。"
        )
