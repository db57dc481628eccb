"""Reads of the public site and the open-data API may go to a read replica.

With ``DATABASE_REPLICA_URL`` set, settings define a second database alias, ``replica``
(a PostgreSQL streaming replica of the primary). ``PublicReadRouter`` sends a read there
only while a public page or an API endpoint is answering: ``portal.views.public_page`` and
``portal.api.endpoint`` run the view inside ``public_reads()``. Everything else (staff pages,
logins and sessions, management commands, the worker, every write) uses ``default``, the
primary. Without the alias every read goes to ``default`` as before.

Citizens only ever read published data, which changes a few times a day; a replica that
lags by a second shows the previous publication for that second, as a CDN would for
``PUBLIC_CACHE_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_public_read = ContextVar("public_read", default=False)


@contextmanager
def public_reads() -> Iterator[None]:
    """Within this block, reads may go to the replica (if there is one)."""
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


def reading_publicly() -> bool:
    return _public_read.get()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PublicReadRouter:
    """Public reads to ``replica`` when it is configured; all else to ``default``."""

    def db_for_read(self, model, **hints):
        if _public_read.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from either may be related
        # to one read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS
