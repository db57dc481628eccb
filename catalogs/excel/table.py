"""What the reader returns and refuses with, and the field tables both directions share."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogs import vocabulary

MAX_HEADER_SEARCH_ROWS = 15
MAX_DATA_ROWS = 5000
# Columns a sheet may use: the official 14, local extras, and formatting to the old .xls edge (IV).
MAX_COLUMNS = 256
# Reading a file stops with a refusal after this long (the limits above keep it far shorter).
READ_TIME_LIMIT_SECONDS = 20
MAX_REPORTED_ERRORS = 20

# Lengths of the database columns the text lands in (Item and StandardItem agree).
TEXT_LIMITS = {"level1": 100, "level2": 200, "deadline": 200, "subject": 200, "channel_other": 200}
EXTRA_NAME_LIMIT = 50

FIELD_LABELS = {
    name: label for name, label in vocabulary.FIELD_LABELS.items() if name != "channel_other"
}
REQUIRED_FIELDS = vocabulary.STANDARD_ROW_FIELDS
TERM_FIELDS = {
    "audience": (vocabulary.AUDIENCES, vocabulary.AUDIENCE_ALIASES),
    "method": (vocabulary.METHODS, vocabulary.METHOD_ALIASES),
    # 村级 is read too (village catalogs); county and township catalogs are validated
    # against their own level elsewhere.
    "levels": (vocabulary.ITEM_LEVELS, vocabulary.LEVEL_ALIASES),
}


class ExcelFormatError(ValueError):
    """The file cannot be read as the official table; ``messages`` say where and why."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


@dataclass
class ParsedRow:
    row_number: int
    seq: int
    level1: str
    level2: str
    content: str
    basis: str
    deadline: str
    subject: str
    channels: list[str]
    channel_other: str
    audience: list[str]
    method: list[str]
    levels: list[str]
    extras: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    ELEMENT_FIELDS = vocabulary.ITEM_ELEMENT_FIELDS

    @property
    def name(self) -> str:
        return f"{self.level1} · {self.level2}" if self.level2 else self.level1

    def element_values(self) -> dict:
        return {name: getattr(self, name) for name in self.ELEMENT_FIELDS}


@dataclass
class ParsedTable:
    rows: list[ParsedRow]
    warnings: list[str]
    # field name (or "extra:<name>") -> column letter, to name columns in later messages
    columns: dict[str, str]
    extra_names: list[str]
    header_row: int
    sheet_title: str = ""
