"""Village catalogs stay out of the city's roll-up and the year's assessment: both are about
the county and township catalogs the province accepts."""

import pytest

from assessment.scoring import item_grid
from catalogs.models import RegionLevel
from catalogs.permissions import SYSTEM
from items.villages import township_village_catalogs_derive
from review.selectors.rollup import rollup_item_rows

pytestmark = pytest.mark.django_db


def test_village_catalogs_are_neither_rolled_up_nor_assessed(
    regions, villages, village_edition, catalogs
):
    township_village_catalogs_derive(actor=SYSTEM, township=regions.nongan_town)
    rows = rollup_item_rows(regions.changchun)
    assert rows and {row.catalog.region.level for row in rows} <= {
        RegionLevel.COUNTY,
        RegionLevel.TOWNSHIP,
    }
    grid = item_grid(root=regions.nongan, year=2026, today=village_edition.created_at.date())
    assert grid.rows and {row.catalog.region.level for row in grid.rows} <= {
        RegionLevel.COUNTY,
        RegionLevel.TOWNSHIP,
    }
