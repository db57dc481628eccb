"""The guides demo: complete guides for 长春市's counties and 农安镇, published, linked."""

import time
from datetime import date

from django.urls import reverse

from catalogs.models import Catalog, Region
from guides import demo
from guides.models import PublishedGuide, ServiceGuide
from review.checks import run_checks


def test_demo_guides_are_complete_published_and_fast(client, regions, standards, users):
    from matters import demo as matters_demo
    from portal.demo import compile_city

    Region.objects.update(office_name="")  # compile_city fills in every contact card
    compile_city("2201")
    matters_demo.seed(date(2024, 5, 6))
    started = time.monotonic()
    counts = demo.seed(date(2024, 5, 6))
    elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed
    # 农安县, 双阳区, 农安镇 and 伏龙泉镇 (three each); 伏龙泉镇's catalog is an unfinished
    # draft, so three catalogs are published again.
    assert counts == {"guides": 12, "republished": 3}
    assert ServiceGuide.objects.count() == 12
    current = PublishedGuide.objects.filter(publication__is_current=True)
    assert current.count() == 9
    titles = sorted(set(current.values_list("title", flat=True)))
    assert titles == ["临时救助", "最低生活保障", "特困人员救助供养"]
    # Every guide passes R20, on the draft and as published.
    social = Catalog.objects.filter(
        region__code__in=["220122", "220112", "220122100"], standard__code="social-assistance"
    )
    assert [r.message for r in run_checks(social, rules=["R20-guide-incomplete"])] == []
    # Forms are real files that download.
    guide = current.get(publication__catalog__region__code="220122", title="最低生活保障")
    assert guide.materials[0]["file_type"] == "application/pdf"
    response = client.get(reverse("site:guides_file", args=[guide.public_id, 1]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert guide.materials[1]["file_label"] == "家庭经济状况核对授权书.docx"
    page = client.get(reverse("site:guides_detail", args=[guide.public_id]))
    assert page.status_code == 200
    assert "最低生活保障" in page.content.decode()
    # Running it again adds nothing.
    assert demo.seed(date(2024, 5, 6)) == {"guides": 0, "republished": 0}
