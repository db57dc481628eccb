"""The citizen-facing site (issue 3)."""

app_name = "site"
urlpatterns: list = []
