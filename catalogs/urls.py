app_name = "catalogs"
urlpatterns: list = []
