"""Checks of what citizens type (questions, corrections, comments), shared by the apps that
take it: text with a link is held for staff instead of being published."""

from __future__ import annotations

import re
import unicodedata

# Links, bare domain names and e-mail-like addresses: a question or a comment never needs
# one. Checked on the NFKC form, so full-width "ｗｗｗ．ｘ．ｃｎ" is caught like "www.x.cn";
# a name ends where no ASCII name character follows, so "spam.cn看看" is a link too.
LINK_PATTERN = re.compile(
    r"(?:https?://|ftp://|www\.|[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|info|cc|vip|shop|club|"
    r"site|online|io|me|tk|ru|biz|co)(?![a-z0-9-]))",
    re.IGNORECASE,
)


def has_link(text: str) -> bool:
    return bool(LINK_PATTERN.search(unicodedata.normalize("NFKC", text or "")))
