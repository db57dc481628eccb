"""Defect found in review: a bare domain followed directly by Chinese text was not seen as
a link, so such spam was published instead of held."""

import pytest

from catalogs.citizen_text import has_link


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加spam.cn领补贴", True),
        ("看看 spam.top。", True),
        ("ｗｗｗ．ｓｐａｍ．ｃｎ", True),
        ("请问低保标准是多少？", False),
        ("我在2.5号去过窗口", False),
        ("文件名是申请书.docx吗", False),
    ],
)
def test_links_next_to_chinese_text(text, expected):
    assert has_link(text) is expected
