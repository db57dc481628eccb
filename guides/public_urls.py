"""Public (citizen-facing) URLs of the guides app, mounted at the site root in the "site"
namespace (portal.site_urls): name them "guides_..."."""

from django.urls import path

from guides import public_views

urlpatterns: list = [
    path("items/<uuid:public_id>/guide/", public_views.guide_detail, name="guides_detail"),
    path(
        "items/<uuid:public_id>/guide/files/<int:number>/",
        public_views.guide_file,
        name="guides_file",
    ),
]
