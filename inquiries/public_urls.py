"""Public (citizen-facing) URLs of the inquiries app, mounted at the site root in the "site"
namespace (portal.site_urls): name them "inquiries_..."."""

from django.urls import path

from inquiries import public_views

urlpatterns = [
    path("items/<uuid:public_id>/ask/", public_views.ask, name="inquiries_ask"),
    path(
        "items/<uuid:public_id>/ask/received/",
        public_views.received,
        name="inquiries_received",
    ),
    path("replies/", public_views.lookup, name="inquiries_lookup"),
]
