"""National-scale benchmark: build provinces into PostgreSQL, then measure pages over HTTP.

    python -m bench national --database-url postgres://postgres@127.0.0.1:5432/bench_national \
        --provinces 22,21 --json bench/results/national.json
    python -m bench national --database-url ... --provinces all --json ...   # all of China

Steps, each through the project's own commands: migrate, load_divisions, load_standards,
derive_catalogs, fill the one element the standard leaves empty (公开依据 of some items, as a
county would), publish_catalogs, VACUUM ANALYZE, check_catalogs (time and peak memory).
Then a real server (gunicorn, 2 workers, production settings plus the bare views of
bench/national_urls.py) answers each scenario, interleaved request by request with its bare
one-query baseline, and the catalog page takes a concurrency-16 load for --duration seconds.

The database must be empty or absent (it is created); --reuse skips the build and measures
an already built database. Nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "bench.national_settings"
FILL_BASIS = "《中华人民共和国政府信息公开条例》（国务院令第711号）"

PEAK_WRAPPER = (
    "import resource, runpy, sys\n"
    "sys.argv = ['manage.py'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_path('manage.py', run_name='__main__')\n"
    "finally:\n"
    "    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "    print('CHILD_PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
    "          file=sys.stderr)\n"
)


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of a process and all its descendants (Linux), in KiB: memory
    shared after a fork is counted once, split between the processes sharing it."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


class _MemorySampler(threading.Thread):
    """Samples a process tree's PSS every half second; ``peak_kb`` is the largest sum."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            self.peak_kb = max(self.peak_kb, _tree_pss_kb(self.pid))


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench national")
    parser.add_argument("--database-url", required=True, help="postgres://… (created if absent)")
    parser.add_argument("--provinces", default="22", help="comma-separated codes, or all")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario side")
    parser.add_argument("--duration", type=int, default=60, help="seconds of concurrent load")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="measure an already built database")
    parser.add_argument(
        "--build-only", action="store_true", help="build (and time) the database, measure nothing"
    )
    parser.add_argument(
        "--no-redis",
        dest="redis",
        action="store_false",
        help="serve with each worker's own in-memory cache instead of a Redis started here "
        "(production shares Redis between app servers: REDIS_URL)",
    )
    return parser.parse_args(argv)


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=str(ROOT),
        DJANGO_DEBUG="",
    )
    return env


def _manage(env, *args, peak: bool = False) -> tuple[float, float | None]:
    """Run one management command; return (seconds, peak MiB if asked)."""
    command = [PYTHON, "-c", PEAK_WRAPPER, *args] if peak else [PYTHON, "manage.py", *args]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = _MemorySampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.done.set()
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    seconds = time.perf_counter() - started
    last = (done.stdout.strip().splitlines() or [""])[-1]
    print(f"  manage.py {' '.join(args)}: {seconds:.1f}s  {last[:110]}", flush=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    peak_mb = None
    if peak:
        # The processes' memory together (check_catalogs checks provinces in parallel
        # processes): the sampled peak of their summed PSS, and never less than the
        # largest single process's peak RSS.
        rss = [int(kb) / 1024 for kb in re.findall(r"PEAK_KB (\d+)", done.stderr)]
        pss = sampler.peak_kb / 1024
        peak_mb = max([pss, *rss]) if rss or pss else None
        print(
            f"    peak memory: processes together (PSS) {pss:.0f} MiB; largest RSS "
            f"{', '.join(f'{mb:.0f}' for mb in rss)} MiB (parent, largest child)",
            flush=True,
        )
    return seconds, peak_mb


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(
                f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                "LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            )
    with _connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'catalogs_region'"
        ).fetchone()[0]
        if tables and conn.execute("SELECT count(*) FROM catalogs_region").fetchone()[0]:
            sys.exit(f"{name} already holds data: use an empty database, or --reuse to measure it")


def build(args, env) -> dict:
    _ensure_database(args.database_url)
    build = {}
    _manage(env, "migrate", "--no-input", "-v", "0")
    if args.provinces == "all":
        build["load_s"], _ = _manage(env, "load_divisions", "--all")
    else:
        build["load_s"], _ = _manage(env, "load_divisions", "--province", args.provinces)
    _manage(env, "load_standards")
    build["derive_s"], _ = _manage(env, "derive_catalogs")
    with _connect(args.database_url) as conn:
        # What a county fills in: the standard leaves 公开依据 empty on a few items.
        conn.execute("UPDATE items_item SET basis = %s WHERE basis = ''", [FILL_BASIS])
        conn.execute("UPDATE catalogs_catalog SET draft_changed_at = now()")
    build["publish_s"], _ = _manage(env, "publish_catalogs", "--all-complete")
    with _connect(args.database_url) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f}s", flush=True)
    build["check_s"], build["check_peak_mb"] = _manage(env, "check_catalogs", peak=True)
    return {key: round(value, 2) for key, value in build.items()}


def counts(url: str) -> dict:
    with _connect(url) as conn:
        provinces = [
            row[0]
            for row in conn.execute(
                "SELECT code FROM catalogs_region WHERE level = 'province' ORDER BY code"
            )
        ]
        catalogs = conn.execute("SELECT count(*) FROM catalogs_catalog").fetchone()[0]
        items = conn.execute(
            "SELECT count(*) FROM items_publisheditem i JOIN items_publication p "
            "ON p.id = i.publication_id WHERE p.is_current"
        ).fetchone()[0]
    return {"provinces": provinces, "catalogs": catalogs, "items": items}


def samples(url: str, size: int = 50) -> dict:
    with _connect(url) as conn:
        catalogs = [
            row[0]
            for row in conn.execute(
                "SELECT catalog_id FROM items_publication WHERE is_current "
                "ORDER BY md5(catalog_id::text) LIMIT %s",
                [size],
            )
        ]
        public_ids = [
            str(row[0])
            for row in conn.execute(
                "SELECT i.public_id FROM items_publisheditem i JOIN items_publication p "
                "ON p.id = i.publication_id WHERE p.is_current ORDER BY md5(i.id::text) LIMIT %s",
                [size],
            )
        ]
        city = conn.execute(
            "SELECT code FROM catalogs_region WHERE level = 'city' ORDER BY code LIMIT 1"
        ).fetchone()[0]
    return {"catalogs": catalogs, "items": public_ids, "city": city}


def scenarios(sample) -> dict:
    cat = sample["catalogs"]
    items = sample["items"]
    q3, q2 = quote("临时救助"), quote("低保")
    region = f"q={quote('救助')}&region={sample['city']}"
    return {
        "catalog_page": (
            lambda i: f"/catalogs/{cat[i % len(cat)]}/",
            lambda i: f"/bench-bare/catalog/{cat[i % len(cat)]}/",
        ),
        "item_page": (
            lambda i: f"/items/{items[i % len(items)]}/",
            lambda i: f"/bench-bare/item/{items[i % len(items)]}/",
        ),
        "search_3char": (lambda i: f"/search/?q={q3}", lambda i: f"/bench-bare/search/?q={q3}"),
        "search_2char": (lambda i: f"/search/?q={q2}", lambda i: f"/bench-bare/search/?q={q2}"),
        "search_region": (
            lambda i: f"/search/?{region}",
            lambda i: f"/bench-bare/search/?{region}",
        ),
        "api_catalog": (
            lambda i: f"/api/v1/catalogs/{cat[i % len(cat)]}/",
            lambda i: f"/bench-bare/api/catalog/{cat[i % len(cat)]}/",
        ),
        "api_search": (
            lambda i: f"/api/v1/search/?q={q3}",
            lambda i: f"/bench-bare/api/search/?q={q3}",
        ),
        "api_regions": (lambda i: "/api/v1/regions/", lambda i: "/bench-bare/api/regions/"),
        "home": (lambda i: "/", lambda i: "/bench-bare/home/"),
    }


class Redis:
    """A throwaway Redis for the server's cache, as production has (REDIS_URL); or none."""

    def __init__(self, args):
        self.process = None
        self.url = ""
        binary = shutil.which("redis-server")
        if not args.redis or binary is None:
            print("  cache: each worker's own memory (no Redis)", flush=True)
            return
        port = args.port + 1
        self.process = subprocess.Popen(  # noqa: S603
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{port}/0"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"  cache: Redis at {self.url}", flush=True)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Server:
    def __init__(self, args, env):
        self.base = f"http://127.0.0.1:{args.port}"
        _manage(env, "collectstatic", "--no-input", "-v", "0")
        log = ROOT / "bench" / "results" / "gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log.open("w")
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(gunicorn),
                "portal.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                self.get("/robots.txt")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not start")

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:  # noqa: S310
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        return status, body, (time.perf_counter() - started) * 1000

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(server: Server, plan: dict, requests: int) -> dict:
    results = {}
    for name, (product, bare) in plan.items():
        # Warm both sides on every distinct path a scenario uses (the 50 sampled catalogs
        # or items, or its one search), twice so that both workers have seen them.
        distinct = len({product(i) for i in range(requests)})
        for i in range(max(5, 2 * distinct)):
            server.get(product(i))
            server.get(bare(i))
        timings, bare_timings = [], []
        for i in range(requests):
            status, _, ms = server.get(product(i))
            if status != 200:
                sys.exit(f"{name}: {product(i)} answered {status}")
            timings.append(ms)
            status, _, ms = server.get(bare(i))
            if status != 200:
                sys.exit(f"{name}: bare {bare(i)} answered {status}")
            bare_timings.append(ms)
        p50, bare_p50 = statistics.median(timings), statistics.median(bare_timings)
        results[name] = {
            "p50_ms": round(p50, 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
            "bare_p50_ms": round(bare_p50, 2),
            "ratio_p50": round(p50 / bare_p50, 2) if bare_p50 else None,
        }
        print(f"  {name:<14} p50 {p50:8.2f} ms  bare {bare_p50:7.2f} ms", flush=True)
    return results


def query_counts(plan: dict, env) -> dict[str, int]:
    """Queries per request, counted in-process with the same settings (one request each)."""
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    found = {}
    for name, (product, _) in plan.items():
        client.get(product(1))
        with CaptureQueriesContext(connection) as queries:
            client.get(product(1))
        found[name] = len(queries)
    return found


def _raw_get(host: str, port: int, path: str) -> int:
    """One GET on a fresh connection, the least a client can do: the status code.

    The load client shares the machine with the server; urllib spends about as much CPU
    per request as a cached page costs to serve, which would measure the client."""
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks[:1])[:12]
    return int(head[9:12]) if head.startswith(b"HTTP/1.") else 0


def load(server: Server, path_for, concurrency: int, seconds: int) -> dict:
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    totals = {"ok": 0, "errors": 0}
    parts = urlsplit(server.base)

    def worker(offset):
        i = offset
        while time.monotonic() < stop:
            try:
                ok = _raw_get(parts.hostname, parts.port, path_for(i)) == 200
            except OSError:
                ok = False
            with lock:
                totals["ok" if ok else "errors"] += 1
            i += concurrency

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "requests": totals["ok"] + totals["errors"],
        "errors": totals["errors"],
        "seconds": round(elapsed, 1),
        "req_per_s": round(totals["ok"] / elapsed, 1),
        "concurrency": concurrency,
    }


def sitemap(server: Server) -> dict:
    status, body, _ = server.get("/sitemap.xml")
    if status != 200:
        return {"urls": 0, "files": 0, "max_urls_per_file": 0, "status": status}
    text = body.decode()
    if "<sitemapindex" not in text:
        urls = text.count("<url>")
        return {"urls": urls, "files": 1, "max_urls_per_file": urls}
    per_file = []
    for loc in re.findall(r"<loc>([^<]+)</loc>", text):
        parts = urlsplit(loc)
        status, body, _ = server.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        per_file.append(body.decode().count("<url>") if status == 200 else 0)
    return {"urls": sum(per_file), "files": len(per_file), "max_urls_per_file": max(per_file)}


def main(argv) -> None:
    args = parse(argv)
    random.seed(0)
    env = _env(args.database_url)
    result: dict = {}
    build_figures = {} if args.reuse else build(args, env)
    result.update(counts(args.database_url))
    result["build"] = build_figures
    if args.build_only:
        print(f"build: {build_figures}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    sample = samples(args.database_url)
    plan = scenarios(sample)
    print(f"Measuring {len(plan)} scenarios on {result['catalogs']} catalogs …", flush=True)
    redis = Redis(args)
    try:
        server = Server(args, {**env, "REDIS_URL": redis.url} if redis.url else env)
    except BaseException:
        redis.stop()
        raise
    try:
        result["scenarios"] = measure(server, plan, args.requests)
        result["sitemap"] = sitemap(server)
        result["load"] = load(server, plan["catalog_page"][0], args.concurrency, args.duration)
    finally:
        server.stop()
        redis.stop()
    for name, queries in query_counts(plan, env).items():
        result["scenarios"][name]["queries"] = queries
    print(
        f"\n{'scenario':<14} {'p50 ms':>9} {'p95 ms':>9} {'bare p50':>9} {'ratio':>6} {'queries':>8}"
    )
    for name, row in result["scenarios"].items():
        print(
            f"{name:<14} {row['p50_ms']:9.2f} {row['p95_ms']:9.2f} {row['bare_p50_ms']:9.2f} "
            f"{row['ratio_p50'] or 0:6.2f} {row['queries']:8d}"
        )
    print(f"sitemap: {result['sitemap']}")
    print(f"catalog page under load: {result['load']}")
    print(f"build: {result['build']}")
    if args.json:
        # The shape exactly; the load test beside it, in FILE.load.json.
        args.json.parent.mkdir(parents=True, exist_ok=True)
        load_result = result.pop("load")
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        beside = args.json.with_suffix(".load.json")
        beside.write_text(json.dumps(load_result, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {args.json} and {beside}")
