"""The read-only open-data JSON API under /api/v1/ (issue 3)."""

app_name = "api"
urlpatterns: list = []
