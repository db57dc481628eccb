"""Reads of policy documents: by item for the public item page, by region for its list, and
the staff's scoped look-ups (another region's document is a 404, as if it did not exist)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import Http404

from catalogs.models import Catalog, Region
from items.models import Item, PublishedItem
from policies.models import Interpretation, PolicyDocument


def _interpretations() -> Prefetch:
    return Prefetch(
        "interpretations", queryset=Interpretation.objects.order_by("published_on", "pk")
    )


def documents_of_item(public_id) -> list[PolicyDocument]:
    """The documents linked to an item, valid ones first, each with its replacing document
    and its 解读: two queries (documents joined to the link table; interpretations)."""
    return list(
        PolicyDocument.objects.for_item(public_id)
        .select_related("replaced_by", "standard")
        .prefetch_related(_interpretations())
        .public_order()
    )


def region_documents(region: Region):
    """A region's own documents for its public list (a QuerySet, paginated by the view)."""
    return (
        PolicyDocument.objects.filter(region=region)
        .select_related("replaced_by", "standard")
        .annotate(interpretation_count=Count("interpretations"))
        .public_order()
    )


def region_document_count(region: Region) -> int:
    return PolicyDocument.objects.filter(region=region).count()


def public_document(region: Region, pk: int) -> PolicyDocument:
    """One document of ``region`` with its 解读 and what replaced it, or 404."""
    document = (
        PolicyDocument.objects.filter(region=region, pk=pk)
        .select_related("replaced_by", "standard")
        .prefetch_related(_interpretations())
        .first()
    )
    if document is None:
        raise Http404("该政策文件不存在。")
    return document


def published_items_of(document: PolicyDocument) -> list[PublishedItem]:
    """The linked items as citizens see them (current publications only), in one query."""
    return list(
        PublishedItem.objects.filter(
            public_id__in=document.item_links.values("item_id"), publication__is_current=True
        ).order_by("seq", "pk")
    )


def replacing_documents(document: PolicyDocument) -> list[PolicyDocument]:
    """Documents that this one modified or repealed."""
    return list(document.replaces.order_by("-issued_on", "pk"))


# ---------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------


def document_for_user(user, pk) -> PolicyDocument:
    """A document the user may see; anything else (another region's, none) is a 404."""
    document = (
        PolicyDocument.objects.for_user(user)
        .select_related("region", "standard")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("找不到该政策文件，或您无权查看。")
    return document


def pickable_items(user, *, region: Region | None = None, standard_id: int | None = None):
    """Draft items a user may link documents to: of catalogs the user may edit, narrowed to
    one region (and field) when the document's region is known."""
    catalogs = Catalog.objects.editable_by(user)
    if region is not None:
        catalogs = catalogs.filter(region=region)
    if standard_id is not None:
        catalogs = catalogs.filter(standard_id=standard_id)
    return (
        Item.objects.filter(catalog__in=catalogs)
        .select_related("catalog__region", "catalog__standard")
        .order_by("catalog__region__code", "catalog__standard__order", "seq", "pk")
    )
