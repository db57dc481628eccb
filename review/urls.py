from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.home, name="home"),
    path("province/", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<id:pk>/copy/", views.campaign_copy, name="campaign_copy"),
    path("campaigns/<id:pk>/current/", views.campaign_make_current, name="campaign_current"),
    path("cities/<str:code>/", views.city, name="city"),
    path("cities/<str:code>/rollup.xlsx", views.city_rollup, name="city_rollup"),
    path("cities/<str:code>/rollup/submit/", views.city_rollup_submit, name="city_rollup_submit"),
    path("regions/<str:code>/check/", views.region_check, name="region_check"),
    path(
        "milestones/<id:pk>/regions/<str:code>/confirm/",
        views.milestone_confirm,
        name="milestone_confirm",
    ),
    path("catalogs/<id:pk>/", views.catalog_detail, name="catalog"),
    path("catalogs/<id:pk>/move/", views.catalog_move, name="catalog_move"),
    path("catalogs/<id:pk>/check/", views.catalog_check, name="catalog_check"),
    path("catalogs/<id:pk>/findings/", views.finding_add, name="finding_add"),
    path("catalogs/<id:pk>/findings/new/", views.finding_new, name="finding_new"),
    path("catalogs/<id:pk>/correct/", views.catalog_correct, name="catalog_correct"),
    path("catalogs/<id:pk>/resubmit/", views.catalog_resubmit, name="catalog_resubmit"),
    path("catalogs/<id:pk>/verify/", views.catalog_verify, name="catalog_verify"),
    path("catalogs/<id:pk>/decide/", views.catalog_decide, name="catalog_decide"),
    path("catalogs/<id:pk>/compare/", views.catalog_compare, name="catalog_compare"),
    path("decisions/<id:pk>/", views.decision_report, name="decision"),
    path("decisions/<id:pk>/report.xlsx", views.decision_xlsx, name="decision_xlsx"),
    path("findings/<id:pk>/", views.finding_detail, name="finding"),
    path("findings/<id:pk>/answer/", views.finding_answer, name="finding_answer"),
    path("findings/<id:pk>/verify/", views.finding_verify, name="finding_verify"),
    path("findings/<id:pk>/reopen/", views.finding_reopen, name="finding_reopen"),
]
