"""The citizen-facing site: places, published catalogs and items, search, downloads.

Citizens only ever read what has been published: current ``Publication`` rows and their
``PublishedItem`` rows (``PublishedItem.objects.visible_to_public()``). A draft edit never
reaches these pages, the downloads or the sitemap until the catalog is published again.

Every page runs a fixed number of queries whatever the number of items (pinned in
tests/portal/test_views.py) and sends headers a CDN may cache by.
"""

from portal.views.base import (
    CONTENT_SECURITY_POLICY,
    PLACE_LEVELS,
    PLACE_MATCH_LIMIT,
    REGION_CHAIN,
    SEARCH_PAGE_SIZE,
    TEMPLATE_DIR,
    cached_by_state,
    cached_page,
    public_page,
    render_version,
)
from portal.views.catalogs import (
    CSV_HEADER,
    DOWNLOADS,
    catalog_detail,
    catalog_download,
)
from portal.views.home import (
    PlaceChoice,
    home,
    published_totals,
)
from portal.views.items import (
    item_detail,
)
from portal.views.pages import (
    about,
    accessibility,
    robots_txt,
    sitemap,
    sitemap_file,
)
from portal.views.regions import (
    SubRegion,
    catalog_poster,
    region_detail,
)
from portal.views.searching import (
    PICKER_FIELDS,
    PICKER_LEVELS,
    RegionPicker,
    search,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "PLACE_LEVELS",
    "PLACE_MATCH_LIMIT",
    "REGION_CHAIN",
    "SEARCH_PAGE_SIZE",
    "TEMPLATE_DIR",
    "cached_by_state",
    "cached_page",
    "public_page",
    "render_version",
    "PlaceChoice",
    "home",
    "published_totals",
    "SubRegion",
    "region_detail",
    "catalog_poster",
    "CSV_HEADER",
    "DOWNLOADS",
    "catalog_detail",
    "catalog_download",
    "item_detail",
    "PICKER_FIELDS",
    "PICKER_LEVELS",
    "RegionPicker",
    "search",
    "about",
    "accessibility",
    "robots_txt",
    "sitemap",
    "sitemap_file",
]
