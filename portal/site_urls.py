"""The citizen-facing site (issue 3)."""

from django.urls import include, path, re_path

from portal import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    re_path(r"^regions/(?P<code>[0-9]{2,12})/$", views.region_detail, name="region"),
    path("catalogs/<id:pk>/", views.catalog_detail, name="catalog"),
    # A village catalog's 公示栏 poster with its QR code (issue 14).
    path("catalogs/<id:pk>/poster/", views.catalog_poster, name="catalog_poster"),
    re_path(
        r"^catalogs/(?P<pk>[0-9]+)/download\.(?P<fmt>xlsx|csv|json)$",
        views.catalog_download,
        name="catalog_download",
    ),
    path("items/<uuid:public_id>/", views.item_detail, name="item"),
    path("search/", views.search, name="search"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("about/", views.about, name="about"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", views.sitemap_file, name="sitemap_file"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Public pages of the apps above items (service guides, policies, questions, consultations).
    path("", include("matters.public_urls")),
    path("", include("guides.public_urls")),
    path("", include("policies.public_urls")),
    path("", include("inquiries.public_urls")),
    path("", include("participation.public_urls")),
]
