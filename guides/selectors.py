"""Reads of published guides for the pages and the API above (portal)."""

from __future__ import annotations

from django.core.cache import cache

from guides.models import PublishedGuide
from guides.snapshot import guide_payload
from matters import selectors as matters_selectors

# A publication's guides never change: their index is kept for a day (then read again).
INDEX_SECONDS = 24 * 3600


def guide_index(publication_id: int) -> dict:
    """Item public id -> a summary of its published guide (what the item and catalog pages
    show), for one publication; one query on a cache miss, none on a hit. Pages of items
    without a guide then cost no query at all."""
    key = f"guides:index:{publication_id}"
    found = cache.get(key)
    if found is None:
        found = {
            guide.public_id: {
                "public_id": guide.public_id,
                "name": guide.name,
                "matter_code": guide.matter_code,
                "material_count": len(guide.materials or []),
                "step_count": len(guide.steps or []),
                "legal_days": guide.legal_days,
                "promised_days": guide.promised_days,
                "fee": guide.fee,
                "phone": guide.phone,
                "pk": guide.pk,
            }
            for guide in PublishedGuide.objects.filter(publication_id=publication_id).order_by("pk")
        }
        cache.set(key, found, INDEX_SECONDS)
    return found


def with_current_matters(guides: list[PublishedGuide]) -> list[PublishedGuide]:
    """The guides named by the 政务服务事项库 entries their items link to now (one query).

    A link is reference data kept outside publications: the copy made at publication
    (``matter_code``/``matter_name``) stands only where the item has no link now. The rows
    are changed in memory only; a published copy is never saved again.
    """
    if not guides:
        return guides
    matters = matters_selectors.matters_for_public_ids([guide.public_id for guide in guides])
    for guide in guides:
        matter = matters.get(guide.public_id)
        if matter is not None:
            guide.matter_code = str(getattr(matter, "code", "") or "")
            guide.matter_name = str(getattr(matter, "name", "") or "")
    return guides


def guide_payloads(publication_id: int, *, base_url: str = "") -> dict:
    """Item public id -> its published guide as the API shows it, for one publication:
    no query for a publication known to have no guides (``guide_index``), else two
    whatever the number of guides (the guides, their linked entries)."""
    if not guide_index(publication_id):
        return {}
    guides = list(PublishedGuide.objects.filter(publication_id=publication_id).order_by("pk"))
    return {
        guide.public_id: guide_payload(guide, base_url=base_url)
        for guide in with_current_matters(guides)
    }
