from datetime import date

import pytest

from assessment.demo import TITLE_PREFIX, seed_assessment
from assessment.models import MarkOverride
from assessment.scoring import assess
from catalogs.permissions import SYSTEM
from items.services import catalog_derive
from records.models import DisclosureRecord
from tests.assessment.conftest import TODAY, YEAR

pytestmark = pytest.mark.django_db


def test_the_demo_records_a_share_of_each_county_once(regions, standards, campaign):
    catalog_derive(actor=SYSTEM, region=regions.shuangyang, standard=standards.social)
    before = assess(root=regions.changchun, year=YEAR, today=TODAY).of(regions.shuangyang).score
    message = seed_assessment(today=TODAY)
    assert message.startswith("1个县的")
    records = DisclosureRecord.objects.filter(title__startswith=TITLE_PREFIX)
    assert records.exists()
    assert records.first().formed_on == date(2026, 9, 25)
    assert MarkOverride.objects.count() == 1
    after = assess(root=regions.changchun, year=YEAR, today=TODAY).of(regions.shuangyang).score
    assert after > before
    count = records.count()
    assert seed_assessment(today=TODAY) == "评估示例已存在"
    assert records.count() == count and MarkOverride.objects.count() == 1
