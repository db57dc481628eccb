"""Staff URLs of the records app (to be included under /records/ by portal/urls.py)."""

from django.urls import path

from records import views

app_name = "records"
urlpatterns = [
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("catalogs/<int:catalog_id>/evidence/", views.evidence, name="evidence"),
]
