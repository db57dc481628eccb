"""The read-only open-data JSON API under /api/v1/ (see README.md, "Open-data API")."""

from django.urls import path, re_path

from portal import api

app_name = "api"
urlpatterns = [
    path("", api.index, name="index"),
    path("regions/", api.region_list, name="regions"),
    re_path(r"^regions/(?P<code>[0-9]{2,12})/$", api.region_detail, name="region"),
    re_path(
        r"^regions/(?P<code>[0-9]{2,12})/catalogs/$", api.region_catalogs, name="region_catalogs"
    ),
    path("catalogs/<id:pk>/", api.catalog_detail, name="catalog"),
    path("search/", api.search, name="search"),
    # Anything else under /api/v1/ answers in JSON too; the view itself appends the slash
    # where APPEND_SLASH would ("/api/v1/regions" redirects to "/api/v1/regions/").
    re_path(r"^.*$", api.not_found, name="not_found"),
]
