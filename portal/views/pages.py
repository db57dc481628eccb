"""Static pages, sitemap, robots.txt."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portal.sitemaps import sitemap_file_xml, sitemap_index_xml, sitemap_plan
from portal.views.base import (
    public_page,
)

# ---------------------------------------------------------------------------
# Static pages, sitemap, robots.txt
# ---------------------------------------------------------------------------


@public_page
def accessibility(request):
    return render(request, "portal/accessibility.html")


@public_page
def about(request):
    return render(request, "portal/about.html")


def _xml(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/xml; charset=utf-8")


@public_page
def sitemap(request):
    """The sitemap index: one entry per file of at most ``SITEMAP_MAX_URLS`` URLs."""
    base_url = f"{request.scheme}://{request.get_host()}"
    return _xml(sitemap_index_xml(base_url, len(sitemap_plan())))


@public_page
def sitemap_file(request, number):
    plan = sitemap_plan()
    if not 1 <= number <= len(plan):
        raise Http404
    base_url = f"{request.scheme}://{request.get_host()}"
    return _xml(sitemap_file_xml(base_url, plan[number - 1]))


@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /review/",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('site:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
