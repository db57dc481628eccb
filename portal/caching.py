"""Caching what citizens read: published data only changes when something is published.

Two kinds of entries, both in Django's cache (Redis, shared by every app server and the
worker, when ``REDIS_URL`` is set; otherwise each process's memory):

- **by publication**: a rendered catalog or item page, a catalog's API body. A publication
  never changes, so its id (with the few region and standard rows the page shows) names
  the entry for good; publishing again makes a new id. Drafts never reach public pages.
- **by publication state**: totals, the 一级事项 choices, search counts, the sitemap's plan.
  They depend on every current publication, so their keys carry
  ``items.search.publication_state()``, a number in the cache that every publication
  moves on (at once and again on commit). No query: a request reads it once.

Entries by state also expire after ``PUBLISHED_STATE_SECONDS``, as long as a CDN may keep a
public page (``PUBLIC_CACHE_SECONDS``). That bounds what a process-local cache (no Redis)
misses of another process's publication, a deleted catalog still counted, or totals read
from a replica in the instant it lags behind a publication.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache as memoize
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone

from catalogs.models import Catalog, Region
from items import search as items_search
from items.models import Publication, PublishedItem
from records.models import RecordsStamp

T = TypeVar("T")

PREFIX = "portal"
# Entries keyed by a publication (a rendered page, a catalog's API body): an hour. Their
# keys hold what may change under a publication (see catalog_publications); what they do
# not hold (the names of the regions above, a standard's title) shows within the hour.
PUBLICATION_SECONDS = 3600
# What public pages show of a catalog's region (the contact card): part of their keys.
REGION_SHOWN = ("name", "office_name", "contact_name", "contact_phone", "contact_email", "address")
# Entries keyed by the publication state.
PUBLISHED_STATE_SECONDS = settings.PUBLIC_CACHE_SECONDS

_memo: ContextVar[dict | None] = ContextVar("portal_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Remember ``publication_state()`` for the rest of one request."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def publication_state() -> int:
    """``items.search.publication_state()``, read once per request."""
    memo = _memo.get()
    if memo is not None and "state" in memo:
        return memo["state"]
    state = items_search.publication_state()
    if memo is not None:
        memo["state"] = state
    return state


def digest(*parts) -> str:
    """A short stable hash of ``parts`` (their ``repr``), for cache keys."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=12).hexdigest()


def key(*parts) -> str:
    return ":".join([PREFIX, *(str(part) for part in parts)])


def cached(name: str, parts: tuple, compute: Callable[[], T], timeout: int) -> T:
    """``compute()``, kept in the cache under ``name`` and a digest of ``parts``."""
    entry = key(name, digest(*parts))
    value = cache.get(entry)
    if value is None:
        value = compute()
        cache.set(entry, value, timeout)
    return value


def cached_by_state(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` until the next publication (or ``PUBLISHED_STATE_SECONDS``)."""
    return cached(name, (publication_state(), *parts), compute, PUBLISHED_STATE_SECONDS)


# ---------------------------------------------------------------------------
# What a cached catalog or item page is keyed by: one narrow query
# ---------------------------------------------------------------------------
# Raw SQL on purpose: on a cache hit this is all the page does, and compiling the same
# joins through the ORM cost twice as much CPU as running them.

_KEY_COLUMNS = (
    "c.title, s.changed_at, "
    + ", ".join(f"r.{name}" for name in REGION_SHOWN)
    + " FROM {publication} p "
    "JOIN {catalog} c ON c.id = p.catalog_id "
    "JOIN {region} r ON r.id = c.region_id "
    "LEFT JOIN {stamp} s ON s.catalog_id = c.id "
)


def _tables() -> dict[str, str]:
    return {
        "publication": Publication._meta.db_table,
        "catalog": Catalog._meta.db_table,
        "region": Region._meta.db_table,
        "stamp": RecordsStamp._meta.db_table,
        "item": PublishedItem._meta.db_table,
    }


def _read(sql: str, params: list) -> tuple[list[tuple], object]:
    """Rows of ``sql`` from the database public reads use (``portal.routers``)."""
    connection = connections[router.db_for_read(Publication)]
    with _key_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), connection


@memoize
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, the statement prepared on its connection the first time."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


def _key_cursor(connection):
    """A cursor for the key queries, which run on every hit of a cached page.

    On PostgreSQL the statement is prepared once per connection (psycopg keeps it):
    planning these five-table joins cost several times their execution (0.4 ms against
    0.06 ms), and Django does not prepare statements by default."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns preparing off; only statements asked for explicitly are prepared
        # (its own cursors bind on the client side and are never prepared).
        connection.connection.prepare_threshold = 2**31 - 1
    raw = _prepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _moment(value, connection):
    """A datetime column as Django would give it (aware), from a raw cursor."""
    if value is not None and not isinstance(value, datetime):
        value = connection.ops.convert_datetimefield_value(value, None, connection)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def catalog_publications(catalog_id: int) -> list[Publication]:
    """The publications of a catalog, first first, each with what a cached page or API body
    of the catalog depends on besides them: ``catalog_title``, ``records_changed_at`` and
    ``region_<name>`` for ``REGION_SHOWN``. One narrow query: a cache hit runs no other.
    """
    sql = (
        "SELECT p.id, p.number, p.is_current, p.published_at, p.item_count, p.note, "
        + _KEY_COLUMNS
        + "WHERE p.catalog_id = %s ORDER BY p.number"
    ).format(**_tables())
    rows, connection = _read(sql, [catalog_id])
    publications = []
    for pk, number, current, published_at, item_count, note, title, changed, *region in rows:
        publication = Publication(
            pk=pk,
            catalog_id=catalog_id,
            number=number,
            is_current=bool(current),
            published_at=_moment(published_at, connection),
            item_count=item_count,
            note=note,
        )
        publication._state.db = connection.alias
        publication.catalog_title = title
        publication.records_changed_at = _moment(changed, connection)
        for name, value in zip(REGION_SHOWN, region, strict=True):
            setattr(publication, f"region_{name}", value)
        publications.append(publication)
    return publications


def item_key(public_id) -> tuple | None:
    """What a cached item page depends on, or None when no current item has ``public_id``:
    ``(item id, publication id, published_at, records_changed_at, *rest)``."""
    field = PublishedItem._meta.get_field("public_id")
    connection = connections[router.db_for_read(PublishedItem)]
    sql = (
        "SELECT i.id, p.id, p.published_at, "
        + _KEY_COLUMNS.replace(
            "FROM {publication} p", "FROM {item} i JOIN {publication} p ON p.id = i.publication_id"
        )
        + "WHERE i.public_id = %s AND p.is_current"
    ).format(**_tables())
    rows, connection = _read(sql, [field.get_db_prep_value(public_id, connection)])
    if not rows:
        return None
    pk, publication_id, published_at, title, changed, *region = rows[0]
    return (
        pk,
        publication_id,
        _moment(published_at, connection),
        _moment(changed, connection),
        title,
        *region,
    )


def publications_key(publications: list[Publication]) -> tuple:
    """Key parts of what ``catalog_publications`` loaded (the current one last loaded)."""
    current = next(p for p in publications if p.is_current)
    return (
        *((p.pk, p.number, p.published_at, p.item_count, p.note) for p in publications),
        current.catalog_title,
        current.records_changed_at,
        *(getattr(current, f"region_{name}") for name in REGION_SHOWN),
    )


def changed_at(published_at, records_changed_at):
    """Last-Modified of a published page: its publication, or a later change of its records
    (``records.selectors.last_changed``, from values already loaded)."""
    return max(moment for moment in (published_at, records_changed_at) if moment)
