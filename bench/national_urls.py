"""The product's URLs plus bare one-query views of the same rows (never shipped in portal/).

Each bare view runs the one query a hand-written page would need and renders the rows as
plain HTML or JSON, so `ratio_p50` says how much the product adds on top of the database.
"""

import json

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.utils.html import escape

from portal.urls import urlpatterns as product_urlpatterns

ITEM_COLUMNS = (
    "seq, level1, level2, content, basis, deadline, subject, channels, audience, method, levels"
)


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _html(rows) -> HttpResponse:
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>" for row in rows
    )
    return HttpResponse(f"<!doctype html><table>{body}</table>")


def bare_catalog(request, pk):
    return _html(
        _rows(
            f"SELECT {ITEM_COLUMNS} FROM items_publisheditem i "  # noqa: S608
            "JOIN items_publication p ON p.id = i.publication_id "
            "WHERE p.catalog_id = %s AND p.is_current ORDER BY i.seq, i.id",
            [pk],
        )
    )


def bare_item(request, public_id):
    return _html(
        _rows(
            f"SELECT {ITEM_COLUMNS} FROM items_publisheditem i "  # noqa: S608
            "JOIN items_publication p ON p.id = i.publication_id "
            "WHERE i.public_id = %s AND p.is_current",
            [str(public_id)],
        )
    )


def _search_rows(request):
    query = request.GET.get("q", "")
    region = request.GET.get("region", "")
    sql = (
        "SELECT i.level1, i.level2, i.content, r.name FROM items_publisheditem i "
        "JOIN items_publication p ON p.id = i.publication_id "
        "JOIN catalogs_catalog c ON c.id = p.catalog_id "
        "JOIN catalogs_region r ON r.id = c.region_id "
        "WHERE p.is_current AND (i.level2 LIKE %s OR i.content LIKE %s)"
    )
    params = [f"%{query}%", f"%{query}%"]
    if region:
        sql += " AND r.path LIKE %s"
        params.append(_region_path(region) + "%")
    return _rows(sql + " ORDER BY i.id LIMIT 20", params)


def _region_path(code: str) -> str:
    rows = _rows("SELECT path FROM catalogs_region WHERE code = %s", [code])
    return rows[0][0] if rows else "-"


def bare_search(request):
    return _html(_search_rows(request))


def bare_api_search(request):
    return HttpResponse(json.dumps(_search_rows(request), ensure_ascii=False))


def bare_api_catalog(request, pk):
    rows = _rows(
        f"SELECT {ITEM_COLUMNS} FROM items_publisheditem i "  # noqa: S608
        "JOIN items_publication p ON p.id = i.publication_id "
        "WHERE p.catalog_id = %s AND p.is_current ORDER BY i.seq, i.id",
        [pk],
    )
    return HttpResponse(json.dumps(rows, ensure_ascii=False, default=str))


def bare_regions(request):
    rows = _rows(
        "SELECT code, name, level FROM catalogs_region WHERE parent_id IS NULL ORDER BY code", []
    )
    return HttpResponse(json.dumps(rows, ensure_ascii=False))


def bare_home(request):
    return _html(
        _rows("SELECT code, name FROM catalogs_region WHERE level = 'city' ORDER BY code", [])
    )


bare_patterns = [
    path("catalog/<int:pk>/", bare_catalog),
    path("item/<uuid:public_id>/", bare_item),
    path("search/", bare_search),
    path("api/search/", bare_api_search),
    path("api/catalog/<int:pk>/", bare_api_catalog),
    path("api/regions/", bare_regions),
    path("home/", bare_home),
]

urlpatterns = [path("bench-bare/", include(bare_patterns)), *product_urlpatterns]
