"""Signals for the apps above items (a lower app never imports a higher one).

``catalogs_published`` is sent inside the publishing transaction, once per call of
``items.services.catalog_publish`` (one publication) or of the bulk path in
``items.publishing`` (many), after the ``Publication`` and ``PublishedItem`` rows exist,
with ``publications``: the new ``Publication`` rows. Receivers (for example the service
guides, which publish a copy of each guide with the catalog) must write in bulk: the
bulk path publishes thousands of catalogs in one call.
"""

from django.dispatch import Signal

catalogs_published = Signal()
