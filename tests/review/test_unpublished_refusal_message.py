"""The refusal for unpublished changes names the only way out: publishing (no undo exists)."""

import pytest
from django.core.exceptions import ValidationError

from catalogs.models import CatalogStatus
from items.models import Item
from items.services import item_update
from review.services import catalog_move
from tests.factories import advance
from tests.review.conftest import at

S = CatalogStatus


def test_editing_back_still_needs_a_publication_and_the_message_says_so(all_published, users):
    catalog = advance(all_published.nongan_social, S.REVIEWED, at=at(2020, 8, 20))
    item = Item.objects.filter(catalog=catalog).order_by("seq").first()
    published_deadline = item.deadline
    item_update(actor=users.county_editor, item=item, deadline="7个工作日内")
    # Typed back to the published text: still a change to publish, as the message says.
    item.refresh_from_db()
    item_update(actor=users.county_editor, item=item, deadline=published_deadline)
    with pytest.raises(ValidationError) as refused:
        catalog_move(actor=users.county_editor, catalog=catalog, to_status=S.ENTERED)
    (message,) = refused.value.messages
    assert message == (
        f"“{catalog}”有尚未发布的修改，不能确认录入查询系统：确认录入查询系统以群众看到的"
        "公开版本为准，请先发布修改后再办理（把内容改回原样也须重新发布）。"
    )
    assert "撤销" not in message
