from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "基层政务公开标准目录管理"
admin.site.site_title = "基层政务公开标准目录"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("records/", include("records.urls")),
    path("assessment/", include("assessment.urls")),
    path("guides/", include("guides.urls")),
    path("matters/", include("matters.urls")),
    path("policies/", include("policies.urls")),
    path("inquiries/", include("inquiries.urls")),
    path("participation/", include("participation.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("", include("portal.site_urls")),
]

# Chinese error pages (JSON under /api/); see portal.errors.
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
