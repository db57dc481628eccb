from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.dashboard, name="dashboard"),
    path("regions/<str:code>/items/", views.grid, name="grid"),
    path("regions/<str:code>/round/", views.monitoring_round, name="round"),
    path("regions/<str:code>/report.xlsx", views.report, name="report"),
    path("items/<id:pk>/override/", views.override, name="override"),
]
