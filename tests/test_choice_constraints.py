"""Every choice field of catalogs, items and review is guarded by a CheckConstraint: the
database itself refuses a value outside the choices, whatever code writes it."""

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from catalogs.models import Catalog, CatalogEvent, Region, StaffProfile, StandardEdition
from review.models import AcceptanceDecision, Finding, FindingEvent, Milestone, Severity
from review.services import ensure_default_campaign, finding_create

APPS = ["catalogs", "items", "review"]


def _guarded_values(model, field_name: str) -> set | None:
    """The values a ``<field>__in`` CheckConstraint of ``model`` allows, if there is one."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            for child in constraint.condition.children:
                if isinstance(child, tuple) and child[0] == f"{field_name}__in":
                    return set(child[1])
    return None


@pytest.mark.parametrize("app_label", APPS)
def test_every_choice_field_has_a_matching_check_constraint(app_label):
    unguarded = []
    for model in apps.get_app_config(app_label).get_models():
        if model._meta.proxy or model._meta.label.startswith(f"{app_label}.Historical"):
            continue  # a proxy shares its model's table; history copies carry no constraints
        for field in model._meta.local_fields:
            if not field.choices:
                continue
            allowed = {value for value, _label in field.flatchoices}
            if field.blank:
                allowed.add("")
            if _guarded_values(model, field.name) != allowed:
                unguarded.append(f"{model.__name__}.{field.name}")
    assert unguarded == []


def _refused(queryset, constraint: str, **values) -> None:
    # SQLite says "CHECK constraint failed: NAME", PostgreSQL '... check constraint "NAME"'.
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        queryset.update(**values)


@pytest.mark.parametrize(
    ("model", "field", "constraint"),
    [
        (Region, "level", "region_level_valid"),
        (StaffProfile, "role", "staff_profile_role_valid"),
        (StandardEdition, "status", "edition_status_valid"),
        (Catalog, "status", "catalog_status_valid"),
        (CatalogEvent, "from_status", "catalog_event_from_status_valid"),
        (CatalogEvent, "to_status", "catalog_event_to_status_valid"),
    ],
)
def test_catalogs_database_refuses_values_outside_the_choices(
    users, published, model, field, constraint
):
    queryset = model.objects.all()
    assert queryset.exists()
    # A finding that is not the reviewer's must name its rule (finding_rule_has_code): give
    # it one, so that only the constraint under test can refuse the row, on every database.
    others = {"rule_code": "R01-coverage", "fingerprint": "x"} if field == "source" else {}
    _refused(queryset, constraint, **{field: "bogus"}, **others)
    assert not model.objects.filter(**{field: "bogus"}).exists()


@pytest.mark.parametrize(
    ("model", "field", "constraint"),
    [
        (Milestone, "completion", "milestone_completion_valid"),
        (Finding, "element", "finding_element_valid"),
        (Finding, "severity", "finding_severity_valid"),
        (Finding, "state", "finding_state_valid"),
        (Finding, "source", "finding_source_valid"),
        (FindingEvent, "kind", "finding_event_kind_valid"),
        (FindingEvent, "from_state", "finding_event_from_state_valid"),
        (FindingEvent, "to_state", "finding_event_to_state_valid"),
    ],
)
def test_review_database_refuses_values_outside_the_choices(
    users, published, model, field, constraint
):
    ensure_default_campaign()
    finding_create(
        actor=users.reviewer,
        catalog=published.catalog,
        item=published.catalog.items.first(),
        element="subject",
        severity=Severity.WARNING,
        description="公开主体未写明单位",
    )
    queryset = model.objects.all()
    assert queryset.exists()
    # A finding that is not the reviewer's must name its rule (finding_rule_has_code): give
    # it one, so that only the constraint under test can refuse the row, on every database.
    others = {"rule_code": "R01-coverage", "fingerprint": "x"} if field == "source" else {}
    _refused(queryset, constraint, **{field: "bogus"}, **others)
    assert not model.objects.filter(**{field: "bogus"}).exists()


def test_review_database_refuses_an_unknown_acceptance_decision(published):
    """Decisions are immutable (their queryset refuses ``update``), so the constraint is
    checked on insert, past the model's own validation."""
    decision = AcceptanceDecision(
        catalog=published.catalog,
        decision="bogus",
        decided_at=timezone.now(),
        note="意见",
        item_count=0,
        snapshot={},
    )
    with pytest.raises(IntegrityError, match="decision_value_valid"), transaction.atomic():
        AcceptanceDecision.objects.bulk_create([decision])
    assert not AcceptanceDecision.objects.exists()
