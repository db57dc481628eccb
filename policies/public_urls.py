"""Public (citizen-facing) URLs of the policies app, mounted at the site root in the "site"
namespace (portal.site_urls). Under /regions/<code>/ (the region page's own pattern ends
there, so these never collide with it); /policies/ itself is the staff prefix."""

from django.urls import re_path

from policies import views

urlpatterns = [
    re_path(
        r"^regions/(?P<code>[0-9]{6,12})/policies/$",
        views.region_documents_page,
        name="policies_region",
    ),
    re_path(
        r"^regions/(?P<code>[0-9]{6,12})/policies/(?P<pk>[0-9]{1,12})/$",
        views.document_page,
        name="policies_detail",
    ),
]
