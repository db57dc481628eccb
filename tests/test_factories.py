"""The catalog factory's state traits reach each state by the real services."""

import pytest

from catalogs.models import CatalogEvent, CatalogStatus
from items.models import Publication
from review.models import AcceptanceDecision, Decision
from tests.factories import CatalogFactory, advance

S = CatalogStatus

# trait -> the moves its catalog's event log shows, and the acceptance decision it carries.
TRAITS = {
    "draft": ([], None),
    "published": ([(S.DRAFTING, S.PUBLISHED)], None),
    "reviewed": ([(S.DRAFTING, S.PUBLISHED), (S.PUBLISHED, S.REVIEWED)], None),
    "accepted": (
        [
            (S.DRAFTING, S.PUBLISHED),
            (S.PUBLISHED, S.REVIEWED),
            (S.REVIEWED, S.ENTERED),
            (S.ENTERED, S.ACCEPTING),
            (S.ACCEPTING, S.ACCEPTED),
        ],
        Decision.ACCEPT,
    ),
    "returned": (
        [
            (S.DRAFTING, S.PUBLISHED),
            (S.PUBLISHED, S.REVIEWED),
            (S.REVIEWED, S.ENTERED),
            (S.ENTERED, S.ACCEPTING),
            (S.ACCEPTING, S.RETURNED),
        ],
        Decision.RETURN,
    ),
}


@pytest.mark.parametrize("trait", list(TRAITS))
def test_each_trait_reaches_its_state_through_the_services(db, trait):
    moves, decision = TRAITS[trait]
    catalog = CatalogFactory(**{trait: True})
    expected_status = moves[-1][1] if moves else S.DRAFTING
    assert catalog.status == expected_status
    events = CatalogEvent.objects.filter(catalog=catalog).order_by("at", "pk")
    assert [(event.from_status, event.to_status) for event in events] == moves
    assert Publication.objects.filter(catalog=catalog).count() == (0 if trait == "draft" else 1)
    assert list(
        AcceptanceDecision.objects.filter(catalog=catalog).values_list("decision", flat=True)
    ) == ([decision] if decision else [])
    assert catalog.items.exists()


def test_advance_refuses_to_go_back(db):
    catalog = CatalogFactory(reviewed=True)
    assert advance(catalog, S.REVIEWED) == catalog  # already there: nothing happens
    assert catalog.events.count() == 2
    with pytest.raises(ValueError, match="cannot advance a reviewed catalog to published"):
        advance(catalog, S.PUBLISHED)
