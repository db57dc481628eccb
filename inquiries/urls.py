"""URLs of the inquiries app (staff pages, under /inquiries/)."""

from django.urls import path

from inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("", views.overview, name="overview"),
]
