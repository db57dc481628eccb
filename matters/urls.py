"""URLs of the matters app (staff pages under /matters/)."""

from django.urls import path

from matters import views

app_name = "matters"
urlpatterns = [
    path("unlinked/", views.unlinked_report, name="unlinked"),
]
