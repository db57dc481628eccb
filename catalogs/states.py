"""Change counters in the cache: a number per kind of public data that every write moves on.

Public pages are cached until what they show changes (``portal.caching``). Data outside a
publication (service guides, policy documents, public answers, complaint channels) names
its kind here; its writers call ``changed(kind)`` and the pages that show it put
``states(kinds)`` into their cache keys, so a write makes them render anew. Reading costs
one cache round trip for any number of kinds, and no query.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

PREFIX = "state:"


def _key(kind: str) -> str:
    return f"{PREFIX}{kind}"


def states(kinds: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    """The current number of each kind, started from the clock when the cache has none."""
    keys = [_key(kind) for kind in kinds]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, time.time_ns(), None)
    if missing:
        found.update(cache.get_many(missing))
    return tuple(found.get(key) or time.time_ns() for key in keys)


def state(kind: str) -> int:
    return states((kind,))[0]


def _move_on(kind: str) -> None:
    try:
        cache.incr(_key(kind))
    except ValueError:  # not in the cache (first use, evicted, restarted)
        cache.set(_key(kind), time.time_ns(), None)


def changed(kind: str) -> None:
    """Call where data of ``kind`` is written: now, and again once the transaction commits."""
    _move_on(kind)
    transaction.on_commit(lambda: _move_on(kind))
