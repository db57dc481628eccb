"""The search index of published items: character bigrams, written when an item is published.

PostgreSQL here has pg_trgm but neither pg_bigm nor a Chinese word splitter, and trigrams
leave every two-character word (低保, 救助, 养老) to a sequential scan. So each
``PublishedItem`` carries ``search_bigrams``: the distinct character bigrams of its searched
elements ("最低 低生 生活 活保 保障") plus the last character of every run on its own,
stored as a ``tsvector`` with a GIN index (migration
``items.0003_published_item_search_bigrams``). ``bigram_tsquery`` turns search terms into
the bigrams an item must hold. The text goes in and out as ``::tsvector``/``::tsquery``
literals, never through a text search parser, so both sides hold exactly the tokens made
here, whatever the database's locale. The index narrows the candidates; the exact substring
test then confirms each one, so the index may over-match but never misses: every bigram of
a term that occurs in an element is a bigram of that element.

A "run" is a stretch of letters and digits (``str.isalnum``); punctuation and spaces end it, so no bigram
spans two elements or a punctuation mark. A one-character term matches the prefix query
``'低':*``: the character is either followed by another one in its run (a bigram starting
with it) or ends the run (the single character is stored).

Each current item also carries ``search_key``: its region's path, its standard's order and
code, and its 序号 ("22/2201/220122/!0000social-assistance!000003"). Results are listed in
that order, so a page of results is a walk along the key's index that stops after 20 rows
however many items match, and "this region and everything below it" is one key range.

Both columns are written when an item is published and cleared (``SUPERSEDED``) when a newer
publication of its catalog replaces it, so only current items are in the index.

SQLite has no such index: there the search is the plain substring test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

from django.core.cache import cache
from django.db import transaction

# The elements a search term is looked for in (portal.search.SEARCHED_FIELDS, same order).
SEARCHED_FIELDS = ("level1", "level2", "content", "basis", "subject")
# What a superseded publication's items keep of the index: nothing.
SUPERSEDED = {"search_key": None, "search_bigrams": ""}


# A run: letters and digits (``str.isalnum``) without a break; anything else ends it.
_RUN = re.compile(r"[^\W_]+")


def _runs(text: str) -> list[str]:
    return _RUN.findall(text.lower())


def _tokens(text: str) -> Iterable[str]:
    for run in _runs(text):
        yield from [run[start : start + 2] for start in range(len(run) - 1)]
        yield run[-1]


@lru_cache(maxsize=8192)
def _distinct_tokens(text: str) -> tuple[str, ...]:
    # Kept: most elements are the standard's own wording, the same in thousands of items.
    return tuple(dict.fromkeys(_tokens(text)))


def bigram_text(*texts: str) -> str:
    """The distinct bigrams (and run-final characters) of ``texts``, space-separated."""
    return " ".join(dict.fromkeys(chain.from_iterable(_distinct_tokens(t) for t in texts if t)))


def item_bigram_text(item) -> str:
    """``bigram_text`` of an item's (draft or published) searched elements."""
    return bigram_text(*(getattr(item, name) or "" for name in SEARCHED_FIELDS))


def bigram_tsquery(terms: Iterable[str]) -> str:
    """A ``tsquery`` literal every item containing all ``terms`` matches.

    Empty when no term has a letter or digit (``%``, ``●``): such terms can only be
    confirmed by the substring test.
    """
    parts: dict[str, None] = {}
    for term in terms:
        for run in _runs(term):
            if len(run) == 1:
                parts[f"'{run}':*"] = None
            for start in range(len(run) - 1):
                parts[f"'{run[start : start + 2]}'"] = None
    return " & ".join(parts)


def search_key(region_path: str, standard_order: int, standard_code: str, seq: int) -> str:
    """The sort key of a published item: region path, standard, 序号.

    '!' sorts before the digits of a sub-region's code, so a region's own items come before
    those of the regions below it, as in code order.
    """
    return f"{region_path}!{standard_order:04d}{standard_code}!{seq:06d}"


def region_key_range(region_path: str) -> tuple[str, str]:
    """``(low, high)``: the keys of items at or below the region are ``low <= key < high``.

    The path ends with '/', and '0' is the character after '/', so the range holds exactly
    the keys that start with the path (in byte order: the column's collation is "C").
    """
    return region_path, region_path[:-1] + "0"


def index_fields(catalog, item) -> dict[str, str]:
    """The index columns of ``item`` published in ``catalog`` (region and standard loaded)."""
    return {
        "search_key": search_key(
            catalog.region.path, catalog.standard.order, catalog.standard.code, item.seq
        ),
        "search_bigrams": item_bigram_text(item),
    }


# ---------------------------------------------------------------------------
# Telling the caches of published data that something was published
# ---------------------------------------------------------------------------

# A number in the cache that moves on with every publication: the public site keys its
# caches of published totals, choices and counts by it (portal.caching).
PUBLICATION_STATE_KEY = "items:publication-state"


def publication_state() -> int:
    """The current value, started from the clock when the cache has none (so never reused)."""
    state = cache.get(PUBLICATION_STATE_KEY)
    if state is None:
        cache.add(PUBLICATION_STATE_KEY, time.time_ns(), None)
        state = cache.get(PUBLICATION_STATE_KEY) or time.time_ns()
    return state


def _move_state_on() -> None:
    try:
        cache.incr(PUBLICATION_STATE_KEY)
    except ValueError:  # not in the cache (first use, evicted, restarted)
        cache.set(PUBLICATION_STATE_KEY, time.time_ns(), None)


def publications_changed() -> None:
    """Call where publications are written: now, and again once the transaction commits.

    Now, so that the same transaction reads fresh values; on commit, so that a request that
    read the old data in between does not keep it.
    """
    _move_state_on()
    transaction.on_commit(_move_state_on)
