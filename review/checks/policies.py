"""R22: policy documents and their 解读 (policies app).

吉民发〔2020〕13号 (七) asks that "解读材料与政策文件同步组织、同步审签、同步部署". A document a
county or township issues itself (本级制发) and that is still in force (有效) needs a 解读,
and the first one must come out within ``SYNC_WORKDAYS`` working days of the document (on
the province's holiday table, 调休 included). Relayed documents (转发) are interpreted by
the body that issued them and are not checked.

The result is attached to the catalog of the document's region and field (standard), as a
catalog-level finding (no item): one finding per document, keyed by the document's id.
``load_documents`` loads, for every context of the run, the documents with the date of
their first 解读 and the holiday table: two queries however many catalogs (one when the
record rules ran first and loaded the table).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Min

from items.deadlines import workdays_between
from policies.models import DocumentRelation, DocumentStatus, PolicyDocument
from records.calendar import load_calendar
from review.checks.records import DATA_KEY as RECORDS_KEY
from review.checks.registry import WARNING, Hit, rule
from review.checks.runner import CatalogContext

DATA_KEY = "policies"
SYNC_WORKDAYS = 3


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _shared_calendar(contexts: list[CatalogContext]):
    """The holiday table the record rules (R14–R18, prepared before R22) loaded, if any."""
    records = contexts[0].data.get(RECORDS_KEY) if contexts else None
    return getattr(records, "calendar", None)


def load_documents(contexts: list[CatalogContext]) -> None:
    """The checked documents of every context's region and field, and the calendar."""
    regions = {context.catalog.region_id for context in contexts}
    documents = (
        PolicyDocument.objects.filter(
            region_id__in=regions,
            relation=DocumentRelation.ISSUED,
            status=DocumentStatus.VALID,
        )
        .annotate(first_interpretation_on=Min("interpretations__published_on"))
        .only("pk", "region_id", "standard_id", "title", "number", "issued_on")
        .order_by("issued_on", "pk")
    )
    by_catalog_key: dict[tuple[int, int], list[PolicyDocument]] = defaultdict(list)
    for document in documents:
        by_catalog_key[(document.region_id, document.standard_id)].append(document)
    calendar = _shared_calendar(contexts) or load_calendar()
    for context in contexts:
        key = (context.catalog.region_id, context.catalog.standard_id)
        context.data[DATA_KEY] = (by_catalog_key.get(key, []), calendar)


@rule(
    "R22-interpretation",
    WARNING,
    "政策文件同步解读",
    "本级制发的有效政策文件都应有政策解读（文字、图解、视频或问答），且解读材料与政策文件同步"
    f"发布：首篇解读不晚于文件发布后{SYNC_WORKDAYS}个工作日（按节假日安排表计算，含调休）。",
    prepare=load_documents,
)
def check_interpretation(context: CatalogContext) -> Iterator[Hit]:
    if DATA_KEY not in context.data:
        load_documents([context])
    documents, calendar = context.data[DATA_KEY]
    for document in documents:
        label = f"《{document.title}》{document.number}"
        first = document.first_interpretation_on
        if first is None:
            yield Hit(
                f"政策文件{label}（{_day(document.issued_on)}发布）没有政策解读；"
                "本级制发的政策文件应同步发布解读材料。",
                key=f"policy:{document.pk}:missing",
            )
            continue
        late = workdays_between(document.issued_on, first, calendar=calendar)
        if late > SYNC_WORKDAYS:
            yield Hit(
                f"政策文件{label}的首篇解读于{_day(first)}发布，晚于文件"
                f"（{_day(document.issued_on)}）{late}个工作日，"
                f"未做到同步解读（应在{SYNC_WORKDAYS}个工作日内）。",
                key=f"policy:{document.pk}:late",
            )
