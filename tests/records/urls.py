"""The portal's URLs plus the records app's, as portal/urls.py will include them."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("records/", include("records.urls")), *portal_urlpatterns]
