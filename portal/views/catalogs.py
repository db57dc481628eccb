"""Catalog page and its downloads."""

import csv
import io
import json

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from catalogs import vocabulary
from catalogs.downloads import attachment_response
from catalogs.excel import write_catalog_workbook
from items.models import Publication, PublishedItem
from portal import caching, sections
from portal.serializers import published_catalog
from portal.views.base import (
    REGION_CHAIN,
    _ancestors,
    _current_publication,
    _last_modified,
    _place_name,
    cached_page,
    public_page,
)
from records.selectors import (
    last_changed,
    latest_publication_dates,
)

# ---------------------------------------------------------------------------
# Catalog page and downloads
# ---------------------------------------------------------------------------


@public_page
def catalog_detail(request, pk):
    publications = caching.catalog_publications(pk)
    publication = next((p for p in publications if p.is_current), None)
    if publication is None:
        raise Http404("目录不存在或尚未公开。")
    history = [{"number": p.number, "published_at": p.published_at} for p in publications]

    def render_page():
        # The items and, through them, the catalog, its region and the regions above it.
        items = list(
            publication.items.select_related(
                f"publication__catalog__{REGION_CHAIN}",
                "publication__catalog__standard",
                "publication__catalog__edition",
            ).order_by("seq", "pk")
        )
        # Publishing refuses an empty catalog; the fallback only guards old data.
        catalog = items[0].publication.catalog if items else _current_publication(pk).catalog
        ancestors = _ancestors(catalog.region)
        latest = latest_publication_dates(item.public_id for item in items)
        for item in items:
            item.latest_record_on = latest.get(item.public_id)
        return render(
            request,
            "portal/catalog.html",
            {
                "catalog": catalog,
                "region": catalog.region,
                "ancestors": ancestors,
                "place_name": _place_name(catalog.region, ancestors),
                "publication": publication,
                "first_published_at": history[0]["published_at"],
                "history": history,
                "items": items,
                "has_extras": any(item.extra_elements for item in items),
                "audiences": vocabulary.AUDIENCES,
                "methods": vocabulary.METHODS,
                # A village catalog's items are ticked 村级 as well.
                "levels": vocabulary.ITEM_LEVELS
                if catalog.region.catalog_level == vocabulary.VILLAGE_LEVEL
                else vocabulary.LEVELS,
                "sections": sections.catalog_sections(catalog, items),
            },
        )

    parts = caching.publications_key(publications)
    # The sections' counters are read with the cached page, in one round trip.
    response = cached_page(request, "catalog-page", parts, render_page, with_sections=True)
    changed = caching.changed_at(publication.published_at, publication.records_changed_at)
    return _last_modified(response, changed)


CSV_HEADER = [
    "序号",
    "一级事项",
    "二级事项",
    "公开内容(要素)",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
    "本地增加要素",
    "事项网址",
]
# A cell starting with one of these would run as a formula when the file is opened in Excel.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _download_name(publication: Publication, extension: str) -> str:
    catalog = publication.catalog
    return f"{catalog.title}（第{publication.number}次公开）.{extension}"


def _item_url(request, item: PublishedItem) -> str:
    return request.build_absolute_uri(reverse("site:item", args=[item.public_id]))


def _catalog_csv(request, publication) -> bytes:
    items = publication.items.order_by("seq", "pk")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads the file as UTF-8.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in items:
        writer.writerow(
            _csv_cell(value)
            for value in [
                item.seq,
                item.level1,
                item.level2,
                item.content,
                item.basis,
                item.deadline,
                item.subject,
                "、".join(item.channel_labels),
                "、".join(item.audience),
                "、".join(item.method),
                "、".join(item.levels),
                "；".join(f"{name}：{value}" for name, value in item.extra_elements),
                _item_url(request, item),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _catalog_json(request, publication) -> bytes:
    """The same object as ``/api/v1/catalogs/ID/``, indented for people who open the file."""
    data = published_catalog(request, publication)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _catalog_xlsx(request, publication) -> bytes:
    published = timezone.localtime(publication.published_at).strftime("%Y年%m月%d日")
    return write_catalog_workbook(
        title=publication.catalog.title,
        items=publication.items.order_by("seq", "pk"),
        subtitle=f"第{publication.number}次公开 · {published}",
    )


# Writers of the public downloads by file suffix, each ``(request, publication) -> bytes``.
DOWNLOADS = {"xlsx": _catalog_xlsx, "csv": _catalog_csv, "json": _catalog_json}


@public_page
def catalog_download(request, pk, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    publication = _current_publication(pk)
    response = attachment_response(
        DOWNLOADS[fmt](request, publication), _download_name(publication, fmt)
    )
    # The JSON download carries the items' records, which change without a publication.
    return _last_modified(response, last_changed(publication.published_at, publication.catalog))
