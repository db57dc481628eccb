"""Publishing guides with their catalogs: a ``PublishedGuide`` per draft guide, per publication.

``items.signals.catalogs_published`` comes once per publishing call, with one publication
or thousands. The receiver writes in a fixed number of queries whatever their number: the
guides of the publications' catalogs, their materials, steps and questions, the linked
政务服务事项库 entries, then one bulk insert (in batches).
"""

from __future__ import annotations

from collections import defaultdict

from guides.models import (
    GuideMaterial,
    GuideQuestion,
    GuideStep,
    PublishedGuide,
    ServiceGuide,
    guide_title,
)
from guides.snapshot import material_data, question_data, step_data
from matters import selectors as matters_selectors

# Catalog ids per query: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def publish_guides(publications) -> int:
    """Copy the guides of each publication's catalog into it; returns the number copied."""
    by_catalog = {publication.catalog_id: publication for publication in publications}
    if not by_catalog:
        return 0
    catalog_ids = sorted(by_catalog)
    guides: list[ServiceGuide] = []
    materials, steps, questions = defaultdict(list), defaultdict(list), defaultdict(list)
    for chunk in _chunks(catalog_ids):
        found = list(ServiceGuide.objects.filter(item__catalog_id__in=chunk).select_related("item"))
        if not found:
            continue
        guides += found
        for row in GuideMaterial.objects.filter(guide__item__catalog_id__in=chunk).order_by(
            "guide_id", "order", "pk"
        ):
            materials[row.guide_id].append(material_data(row))
        for row in GuideStep.objects.filter(guide__item__catalog_id__in=chunk).order_by(
            "guide_id", "seq"
        ):
            steps[row.guide_id].append(step_data(row))
        for row in GuideQuestion.objects.filter(guide__item__catalog_id__in=chunk).order_by(
            "guide_id", "order", "pk"
        ):
            questions[row.guide_id].append(question_data(row))
    if not guides:
        return 0
    matters = matters_selectors.matters_for_items([guide.item_id for guide in guides])
    copies = []
    for guide in guides:
        item = guide.item
        matter = matters.get(item.pk)
        copies.append(
            PublishedGuide(
                publication=by_catalog[item.catalog_id],
                public_id=item.public_id,
                item_id=item.pk,
                title=guide_title(item.level1, item.level2)[:200],
                matter_code=str(getattr(matter, "code", "") or "")[:100],
                matter_name=str(getattr(matter, "name", "") or "")[:200],
                materials=materials.get(guide.pk, []),
                steps=steps.get(guide.pk, []),
                questions=questions.get(guide.pk, []),
                guide_version=guide.version,
                **{name: getattr(guide, name) for name in GUIDE_FIELD_NAMES},
            )
        )
    # A copy never changes: a signal sent twice for a publication adds nothing.
    PublishedGuide.objects.bulk_create(copies, batch_size=1000, ignore_conflicts=True)
    return len(copies)


GUIDE_FIELD_NAMES = (
    "legal_basis",
    "conditions",
    "legal_days",
    "promised_days",
    "fee",
    "location",
    "office_hours",
    "phone",
    "complaint_phone",
    "online_url",
    "progress_url",
)


def on_catalogs_published(sender, publications, **kwargs) -> None:
    publish_guides(publications)
