"""Clean errors: NUL bytes and out-of-range ids are 400/404 (never 500, on either database),
Chinese error pages (JSON under /api/), and the staff pages' CSP and no-store headers."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from portal.middleware import DEFAULT_STAFF_CSP
from review.models import Decision
from review.services import acceptance_decide

HUGE = "99999999999999999999"  # > 2**64
JUST_OVER = str(2**63)  # 19 digits, one past the largest 64-bit id


@pytest.fixture
def admin_client(client, login, users):
    return login(users.admin)


# ---------------------------------------------------------------------------
# NUL bytes
# ---------------------------------------------------------------------------


def test_nul_in_the_public_query_string_is_a_chinese_400(client, db):
    response = client.get("/?place=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求有误" in page and "查询参数中含有不允许的字符" in page


def test_nul_in_an_api_query_string_is_a_json_400(client, db):
    response = client.get("/api/v1/regions/?parent=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["status"] == 400
    assert "NUL" in error["message"]


STAFF_URLS_WITH_NUL = [
    "/admin/?q=%00",
    "/admin/login/?next=%00",
    "/admin/catalogs/catalog/?q=%00",
    "/admin/catalogs/catalog/?status__exact=%00",
    "/admin/items/item/?q=%00",
    "/admin/catalogs/region/?q=ab%00cd",
    "/admin/auth/user/?%00=1",
    "/review/?campaign=%00",
    "/review/province/?city=%00",
    "/review/queue/?q=%00",
    "/review/cities/22%0001/",
    "/review/cities/%00/rollup.xlsx",
    "/review/regions/%00/check/",
    "/catalogs/1/download.csv?x=%00",
    "/search/?q=%00",
]


@pytest.mark.parametrize("url", STAFF_URLS_WITH_NUL)
def test_nul_anywhere_in_a_url_is_a_400(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400, url
    assert "不允许的字符（NUL）" in response.content.decode()


def test_nul_in_form_data_is_a_400(client, db):
    response = client.post(reverse("admin:login"), {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "提交的表单中含有不允许的字符" in response.content.decode()


def test_nul_in_the_session_cookie_is_a_400(client, db):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/review/")
    assert response.status_code == 400
    assert "Cookie" in response.content.decode()


def test_nul_in_a_posted_staff_form_is_a_400(admin_client, catalogs):
    url = reverse("review:finding_add", args=[catalogs.nongan_social.pk])
    response = admin_client.post(url, {"description": "链接失效\x00", "severity": "warning"})
    assert response.status_code == 400


# ---------------------------------------------------------------------------
# Ids beyond 64 bits
# ---------------------------------------------------------------------------


def huge_id_urls(catalog_pk: int) -> list[str]:
    return [
        f"/catalogs/{HUGE}/",
        f"/catalogs/{HUGE}/download.csv",
        f"/catalogs/{JUST_OVER}/download.xlsx",
        f"/api/v1/catalogs/{HUGE}/",
        f"/review/catalogs/{HUGE}/",
        f"/review/decisions/{HUGE}/report.xlsx",
        f"/review/findings/{HUGE}/",
        f"/admin/catalogs/catalog/{HUGE}/change/",
        f"/admin/catalogs/catalog/{JUST_OVER}/change/",
        f"/admin/catalogs/catalog/{HUGE}/export-excel/",
        f"/admin/catalogs/catalog/{HUGE}/history/",
        f"/admin/items/item/{HUGE}/change/",
        f"/admin/catalogs/region/{HUGE}/change/",
        f"/admin/auth/user/{HUGE}/change/",
    ]


def test_ids_beyond_64_bits_in_a_path_are_404(admin_client, catalogs):
    for url in huge_id_urls(catalogs.nongan_social.pk):
        response = admin_client.get(url)
        assert response.status_code == 404, url


def test_ids_beyond_64_bits_in_a_query_are_400(admin_client, catalogs):
    for url in (
        f"/review/?campaign={HUGE}",
        f"/admin/items/item/?catalog__id__exact={HUGE}",
        f"/admin/catalogs/catalog/?region__id__exact={JUST_OVER}",
    ):
        response = admin_client.get(url)
        assert response.status_code == 400, url
        assert "数值超出范围" in response.content.decode()


def test_the_largest_64_bit_id_is_an_ordinary_404(admin_client, db):
    assert admin_client.get(f"/review/catalogs/{2**63 - 1}/").status_code == 404


def test_a_long_number_in_a_search_is_searched(client, db):
    assert client.get(f"/search/?q={HUGE}").status_code == 200


# ---------------------------------------------------------------------------
# Chinese error pages, JSON under /api/
# ---------------------------------------------------------------------------


def test_unknown_page_is_the_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_permission_denied_is_the_chinese_403(client, login, users, catalogs):
    login(users.reviewer)
    response = client.get(
        reverse("admin:catalogs_catalog_import", args=[catalogs.nongan_social.pk])
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "您无权修改“农安县”的目录" in page


def test_csrf_failure_is_the_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期，表单没有提交" in page
    assert "CSRF" not in page


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("api/boom/", _boom)]
handler500 = "portal.errors.server_error"


@pytest.mark.urls("tests.security.test_errors")
def test_server_error_is_the_chinese_500_and_json_under_api(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["status"] == 500


def test_nul_refusal_is_chinese_in_debug_too(client, db, settings):
    settings.DEBUG = True
    response = client.get("/?place=%00")
    assert response.status_code == 400
    assert "查询参数中含有不允许的字符" in response.content.decode()


# ---------------------------------------------------------------------------
# Staff pages: Content-Security-Policy and no-store
# ---------------------------------------------------------------------------


def assert_staff_headers(response: HttpResponse) -> None:
    assert response["Content-Security-Policy"] == DEFAULT_STAFF_CSP
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_csp_is_strict():
    directives = dict(part.split(" ", 1) for part in DEFAULT_STAFF_CSP.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_staff_pages_and_downloads_are_not_cached_and_carry_a_csp(
    admin_client, all_published, regions
):
    urls = [
        reverse("admin:index"),
        reverse("admin:catalogs_catalog_changelist"),
        reverse("admin:catalogs_catalog_export", args=[all_published.nongan_social.pk]),
        reverse("review:dashboard"),
        reverse("review:city", args=[regions.changchun.code]),
        reverse("review:city_rollup", args=[regions.changchun.code]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_staff_headers(response)


def test_acceptance_report_and_its_xlsx_are_not_cached(admin_client, accepting, users):
    decision = acceptance_decide(
        actor=users.reviewer, catalog=accepting, decision=Decision.ACCEPT, note="通过"
    )
    for url in (
        reverse("review:decision", args=[decision.pk]),
        reverse("review:decision_xlsx", args=[decision.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert_staff_headers(response)


def test_the_lockout_page_is_a_staff_page(client, db):
    response = client.get(reverse("admin:login"))
    assert_staff_headers(response)


def test_public_pages_stay_cacheable_and_without_the_staff_policy(client, published):
    response = client.get(reverse("site:catalog", args=[published.catalog.pk]))
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response or (
        response["Content-Security-Policy"] != DEFAULT_STAFF_CSP
    )
    assert "no-store" not in response.get("Cache-Control", "")
