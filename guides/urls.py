"""URLs of the guides app."""

from django.urls import path

from guides import views

app_name = "guides"
urlpatterns: list = [
    path("items/<int:item_id>/", views.edit_for_item, name="edit_for_item"),
]
