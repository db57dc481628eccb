"""Fixtures for review tests: the 2020 campaign, catalogs at given lifecycle states, times."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from catalogs.models import Catalog, CatalogStatus
from catalogs.permissions import SYSTEM
from items.services import catalog_publish
from review.services import checks_run, ensure_default_campaign
from tests.conftest import localise
from tests.factories import advance


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An aware datetime in the project's time zone."""
    return datetime.combine(
        date(year, month, day), time(hour), tzinfo=timezone.get_current_timezone()
    )


def set_status(catalog: Catalog, status: str) -> Catalog:
    """Force a catalog's status without the services (no event, no publication or decision).

    For tests of the lifecycle table itself; elsewhere ``tests.factories.advance`` reaches a
    state by the real moves."""
    Catalog.objects.filter(pk=catalog.pk).update(status=status)
    catalog.refresh_from_db()
    return catalog


def publish(catalog: Catalog, when: datetime | None = None) -> Catalog:
    localise(catalog)
    catalog_publish(actor=SYSTEM, catalog=catalog, note="发布", now=when)
    catalog.refresh_from_db()
    return catalog


@pytest.fixture
def campaign(db):
    """The default campaign: the 2020 schedule of 吉民发〔2020〕13号."""
    return ensure_default_campaign()


@pytest.fixture
def milestones(campaign):
    return {milestone.code: milestone for milestone in campaign.milestones.all()}


@pytest.fixture
def all_published(catalogs):
    """Every fixture catalog published (in 2020, before the 6/15 deadline)."""
    for catalog in vars(catalogs).values():
        publish(catalog, at(2020, 6, 1))
    return catalogs


@pytest.fixture
def accepting(all_published):
    """农安县's social-assistance catalog under acceptance, reached by the real moves, its
    publication checked (acceptance requires a check run after the latest publication)."""
    catalog = advance(all_published.nongan_social, CatalogStatus.ACCEPTING, at=at(2020, 10, 20))
    checks_run(actor=SYSTEM, catalog=catalog)
    return catalog


__all__ = ["at", "publish", "set_status", "CatalogStatus"]
