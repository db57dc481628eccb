"""What inquiries adds to public pages (see ``portal.sections``): on an item page, the link to
leave a question or correction and the answers staff chose to publish. Only the text, kind,
dates and answer are shown; never the citizen's name or phone."""

from catalogs.sections import Section

STATE = "inquiries"
PUBLIC_FIELDS = ("kind", "text", "received_on", "answer", "answered_on", "item_public_id")
SHOWN_ANSWERS = 20


def item_section(item, catalog) -> Section:
    from inquiries.models import Inquiry

    answers = list(
        Inquiry.objects.public_answers()
        .filter(item_public_id=item.public_id)
        .order_by("-answered_at", "-pk")
        .only(*PUBLIC_FIELDS)[: SHOWN_ANSWERS + 1]
    )
    return Section(
        template="inquiries/_item_section.html",
        context={
            "answers": answers[:SHOWN_ANSWERS],
            "more": len(answers) > SHOWN_ANSWERS,
            "answering_office": catalog.region.office_name or catalog.region.name,
        },
        slot="main",
        order=70,
    )
