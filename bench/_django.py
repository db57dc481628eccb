"""Start Django for a benchmark on a throwaway database.

SQLite by default (a temporary file); set BENCH_DATABASE_URL=postgres://... to measure on
PostgreSQL (the database is flushed first, so never point it at real data).
"""

import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str) -> None:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix=f'bench-{name}-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if url.startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0)


@contextmanager
def measure(label: str, results: dict):
    """Time a block; report the process's peak resident memory so far (tracemalloc would
    slow the code it measures several times over)."""
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    results[label] = (seconds, peak)
    print(f"{label:<52} {seconds:8.2f} s   peak RSS {peak / 2**20:7.1f} MiB", flush=True)
