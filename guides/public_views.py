"""The citizen's guide page (with its 一次性告知单 print view) and the material files.

Only published copies (``PublishedGuide`` of a catalog's current publication) are read. The
page is cached until its publication, its region's contact details or the region's
监督举报 channels change (``catalogs.states`` of ``matters`` and ``guides``).
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.core.cache import cache as page_cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, quote_etag
from django.views.decorators.http import require_safe

from catalogs import states
from catalogs.web import public_page
from guides import public as guides_public
from guides.models import PublishedGuide
from guides.selectors import with_current_matters
from matters import public as matters_public
from matters import selectors as matters_selectors

PAGE_SECONDS = 3600
REGION_SHOWN = ("name", "office_name", "contact_name", "contact_phone", "contact_email", "address")
REGION_CHAIN = "publication__catalog__region__parent__parent__parent"


@cache
def render_version() -> str:
    """This code, its templates and static files: a deployment changing them starts anew."""
    here = Path(__file__).parent
    templates = Path(settings.BASE_DIR) / "templates"
    sources = [
        here / "public_views.py",
        *sorted((templates / "guides").glob("*.html")),
        templates / "base.html",
    ]
    hashed = hashlib.blake2b(digest_size=12)
    for source in sources:
        hashed.update(source.read_bytes())
    for name in ("guides/css/guide.css", "portal/css/site.css", "portal/js/site.js"):
        hashed.update(static(name).encode())
    return hashed.hexdigest()


def current_guide(public_id) -> PublishedGuide:
    """The published guide of the item's current publication (one query), or 404."""
    guide = (
        PublishedGuide.objects.filter(public_id=public_id, publication__is_current=True)
        .select_related(REGION_CHAIN, "publication__catalog__standard")
        .first()
    )
    if guide is None:
        raise Http404("该事项没有已公开的办事指南。")
    return guide


def _ancestors(region) -> list:
    chain, node = [], region
    while node.parent_id is not None:
        node = node.parent
        chain.append(node)
    return chain[::-1]


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (attributes only: no inline style, CSP-safe)."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=3, border=2, title="扫码查看本办事指南", svgclass="guide-qr-code", lineclass=None
    )
    return svg.replace("<svg ", '<svg role="img" aria-label="扫码查看本办事指南" ', 1)


def place_name(region, ancestors) -> str:
    return region.full_name_from({ancestor.code: ancestor.name for ancestor in ancestors})


@public_page
def guide_detail(request, public_id):
    guide = current_guide(public_id)
    publication = guide.publication
    catalog = publication.catalog
    region = catalog.region
    parts = (
        request.scheme,
        request.get_host(),
        render_version(),
        guide.pk,
        publication.pk,
        catalog.title,
        *(getattr(region, name) for name in REGION_SHOWN),
        states.states([matters_public.STATE, guides_public.STATE]),
    )
    entry = "guides:page:" + hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    found = page_cache.get(entry)
    if found is not None:
        content, etag = found
        response = HttpResponse(content)
        response["ETag"] = etag
        return response
    with_current_matters([guide])
    ancestors = _ancestors(region)
    page_url = request.build_absolute_uri(reverse("site:guides_detail", args=[public_id]))
    materials = [
        {
            **material,
            "number": number,
            "url": reverse("site:guides_file", args=[public_id, number])
            if material.get("file")
            else "",
            "size_label": _size_label(material.get("file_size") or 0),
        }
        for number, material in enumerate(guide.materials or [], start=1)
    ]
    response = render(
        request,
        "guides/detail.html",
        {
            "guide": guide,
            "materials": materials,
            "publication": publication,
            "catalog": catalog,
            "region": region,
            "ancestors": ancestors,
            "place_name": place_name(region, ancestors),
            "permalink": page_url,
            "qr_svg": qr_svg(page_url),
            "complaint_channels": matters_selectors.complaint_channels_for(region),
        },
    )
    response["ETag"] = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    page_cache.set(entry, (response.content, response["ETag"]), PAGE_SECONDS)
    return response


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节" if size else ""


@require_safe
def guide_file(request, public_id, number: int):
    """A material's form or sample file, only while a current published guide lists it."""
    guide = (
        PublishedGuide.objects.filter(public_id=public_id, publication__is_current=True)
        .only("materials", "public_id")
        .first()
    )
    materials = guide.materials if guide is not None else []
    if not 1 <= number <= len(materials) or not materials[number - 1].get("file"):
        raise Http404("文件不存在或已不再公开。")
    material = materials[number - 1]
    name = material["file"]
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("文件不存在或已不再公开。") from error
    extension = name.rsplit(".", 1)[-1]
    content_type = material.get("file_type") or mimetypes.types_map.get(
        f".{extension}", "application/octet-stream"
    )
    label = material.get("file_label") or f"附件.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=label, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    return response
