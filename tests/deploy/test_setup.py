"""Set-up never changes existing data: `setup_demo` twice, with people's work in between,
leaves every row of every app byte for byte as it was.

The demo takes ~45 s to build, so this runs once, on SQLite (the CI's first pass); the
demo's own content is tested in tests/review/test_demo.py.
"""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalogs.models import Catalog, CatalogStatus, Region
from items.services import catalog_publish, item_update
from portal import demo
from portal.models import SetupMarker
from review import services as review_services
from review.models import Finding, FindingSource, FindingState

S = CatalogStatus

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="builds the whole demo; once per CI run is enough"
)


def _full_dump() -> str:
    """Every row of every app, as `manage.py dumpdata` writes it."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _setup(today) -> str:
    out = io.StringIO()
    call_command("setup_demo", today=today.isoformat(), stdout=out)
    return out.getvalue()


def _user(username):
    return get_user_model().objects.get(username=username)


def test_setup_twice_with_changes_between_changes_nothing(db, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "LOGINS_FILE", tmp_path / ".demo-logins.json")
    today = timezone.localdate()
    first = _setup(today)
    assert "演示数据已生成" in first
    assert SetupMarker.objects.filter(name=demo.DEMO_MARKER).exists()
    changchun = Region.objects.get(code=demo.DEMO_CITY)
    assert Catalog.objects.within(changchun).count() > 400

    # People work: the township editor edits an item and publishes again; the county editor
    # confirms 复核 of a published township catalog; a finding is answered; a password changes.
    town_editor, county_editor = _user("nonganzhen"), _user("nongan")
    town = Catalog.objects.get(region__code="220122100", standard__code="social-assistance")
    assert town.is_editable
    item = town.items.order_by("seq").first()
    item_update(actor=town_editor, item=item, deadline="制定或获取信息之日起5个工作日内")
    publication = catalog_publish(actor=town_editor, catalog=town, note="缩短公开时限")
    town.refresh_from_db()
    assert town.status == S.PUBLISHED
    moved = (
        Catalog.objects.filter(region__parent__code="220122", status=S.PUBLISHED)
        .exclude(pk=town.pk)
        .order_by("pk")
        .first()
    )
    review_services.catalog_move(
        actor=county_editor, catalog=moved, to_status=S.REVIEWED, note="已完成复核"
    )
    finding = Finding.objects.filter(
        source=FindingSource.REVIEWER, state=FindingState.OPEN, catalog__region__code="220122100"
    ).first()
    assert finding is not None
    review_services.finding_answer(actor=town_editor, finding=finding, answer="已在各村公示。")
    county_editor.set_password("a-new-password-2026")
    county_editor.save()

    before = _full_dump()
    second = _setup(today + timedelta(days=40))  # another day, as a later `make run`
    assert "本次未改动任何数据" in second
    assert "（密码已更改）" in second  # the changed password is reported, not reset
    after = _full_dump()
    assert after == before

    town.refresh_from_db()
    assert town.status == S.PUBLISHED  # not moved on to 复核 by the demo
    assert town.publications.get(is_current=True).published_at == publication.published_at
    assert _user("nongan").check_password("a-new-password-2026")

    # A database filled before the marker existed (or by people) is never built over either.
    SetupMarker.objects.all().delete()
    before = _full_dump()
    third = _setup(today)
    assert "未写入演示数据" in third
    assert _full_dump() == before
