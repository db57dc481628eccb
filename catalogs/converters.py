"""URL converters shared by every app's URLs."""


class IdConverter:
    """A database id: at most 18 digits, so it always fits a 64-bit integer column.

    ``<int:pk>`` accepts any length, and SQLite raises OverflowError (a 500) on ids beyond
    2**63 instead of finding nothing; this makes them an ordinary 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
