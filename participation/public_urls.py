"""Public (citizen-facing) URLs of the participation app, mounted at the site root in the "site"
namespace (portal.site_urls): name them "participation_..."."""

from django.urls import path, re_path

from participation import views

urlpatterns = [
    re_path(
        r"^regions/(?P<code>[0-9]{6})/participation/$",
        views.catalog_page,
        name="participation_catalog",
    ),
    re_path(
        r"^regions/(?P<code>[0-9]{6})/participation/(?P<number>[0-9]{1,6})/$",
        views.catalog_page,
        name="participation_publication",
    ),
    path("consultations/<int:pk>/", views.consultation_page, name="participation_consultation"),
    path(
        "consultations/<int:pk>/comment/",
        views.comment_page,
        name="participation_comment",
    ),
]
