"""Search over what citizens may see: the items of each catalog's current publication.

The public /search/ page and /api/v1/search/ both validate the query string with
``SearchForm`` and run ``search_published_items(form.cleaned_data)``, so a filter behaves
the same in both places.

A term matches when it is a substring of the item's ``SearchDocument`` (the searched
elements joined by spaces), ignoring case. On PostgreSQL that is ``document LIKE
'%term%'`` for terms without letter case (all of Chinese) and ``ILIKE`` otherwise, and
migration ``items.0002_search_trigram_indexes`` builds one GIN trigram index on exactly
that document expression, which serves both operators. Chinese terms use plain LIKE
because ILIKE and UPPER() cost several times more per row whenever the planner has to
scan (terms of one or two characters have no trigrams, so they always scan). Five
per-column indexes OR-ed together were tried first: the planner priced them above a
sequential scan and never used them. SQLite scans, which is fine at its scale.
"""

import json

from django import forms
from django.db.models import F, Func, Lookup, Min, QuerySet, TextField
from django.db.models.lookups import IContains
from django.utils.choices import BaseChoiceIterator, normalize_choices

from catalogs import vocabulary
from catalogs.models import Region
from items.models import Publication, PublishedItem

# The element columns a search term is looked for in, in the order the index joins them.
SEARCHED_FIELDS = ("level1", "level2", "content", "basis", "subject")
QUERY_MAX_LENGTH = 100
QUERY_MAX_TERMS = 10

# Column order of results: by region, then each region's catalogs in standard order.
RESULT_ORDERING = (
    "publication__catalog__region__code",
    "publication__catalog__standard__order",
    "publication__catalog__standard__code",
    "seq",
    "pk",
)


class SearchDocument(Func):
    """The searched elements joined by single spaces, as one text expression.

    The SQL must stay exactly what items.0002_search_trigram_indexes indexes:
    ``"level1" || ' ' || "level2" || ' ' || "content" || ' ' || "basis" || ' ' || "subject"``
    (tests/portal/test_search.py checks on PostgreSQL that the planner uses the index).
    Terms never contain white space, so no term can match across two elements.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self):
        super().__init__(*(F(name) for name in SEARCHED_FIELDS))


class ContainsTerm(IContains):
    """``lhs`` contains the term, ignoring case; on PostgreSQL in a trigram-indexable form.

    Django's own ``icontains`` renders ``UPPER(lhs::text) LIKE UPPER(%s)`` on PostgreSQL,
    which neither matches the index on the bare document nor scans cheaply.
    """

    def as_postgresql(self, compiler, connection):
        # Compiled as is: BuiltinLookup.process_lhs would wrap it in UPPER(...::text).
        lhs, params = compiler.compile(self.lhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # '%term%', LIKE-escaped
        operator = "LIKE" if self.rhs.upper() == self.rhs.lower() else "ILIKE"
        return f"{lhs} {operator} {rhs}", [*params, *rhs_params]


class JSONListContains(Lookup):
    """A JSON list column holds a string element, on SQLite and PostgreSQL alike.

    Django's JSONField ``contains`` is not supported on SQLite, and matching the JSON text
    depends on how each backend spells non-ASCII text, so each backend gets its own SQL.
    Used as an expression: ``filter(JSONListContains(F("audience"), "全社会"))``.
    """

    lookup_name = "list_contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # SQLite (JSON1 functions)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # ``lhs`` is the compiled column reference; the value travels as a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, [*lhs_params, self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*lhs_params, json.dumps([self.rhs])]


def published_level1_values() -> list[str]:
    """The first-level items (一级事项) present among published items, in catalog order."""
    rows = (
        PublishedItem.objects.visible_to_public()
        .order_by()
        .values("level1")
        .annotate(
            standard_order=Min("publication__catalog__standard__order"),
            first_seq=Min("seq"),
        )
        .order_by("standard_order", "first_seq", "level1")
    )
    return [row["level1"] for row in rows]


def _choices(terms, empty_label: str = "不限") -> list[tuple[str, str]]:
    return [("", empty_label), *((term, term) for term in terms)]


def level1_choices() -> list[tuple[str, str]]:
    return _choices(published_level1_values())


class CachedChoiceIterator(BaseChoiceIterator):
    """Choices from ``func``, called on first iteration only."""

    def __init__(self, func):
        self.func = func
        self.cached = None

    def __iter__(self):
        if self.cached is None:
            self.cached = list(normalize_choices(self.func()))
        yield from self.cached


def _invalid_choice(label: str, terms) -> dict[str, str]:
    return {"invalid_choice": f"{label}只能是{'、'.join(terms)}之一。"}


class SearchForm(forms.Form):
    """The search query string: every field optional; bad values get a Chinese message."""

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={"max_length": f"关键词不能超过{QUERY_MAX_LENGTH}个字。"},
    )
    region = forms.CharField(
        label="地区",
        required=False,
        max_length=12,
        error_messages={"max_length": "地区应为不超过12位数字的行政区划代码。"},
    )
    catalog = forms.IntegerField(
        label="目录",
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "invalid": "目录编号必须是正整数。",
            "min_value": "目录编号必须是正整数。",
            "max_value": "目录编号过大。",
        },
    )
    level1 = forms.ChoiceField(
        label="一级事项",
        required=False,
        error_messages={"invalid_choice": "没有名为“%(value)s”的一级事项。"},
    )
    audience = forms.ChoiceField(
        label="公开对象",
        required=False,
        choices=_choices(vocabulary.AUDIENCES),
        error_messages=_invalid_choice("公开对象", vocabulary.AUDIENCES),
    )
    method = forms.ChoiceField(
        label="公开方式",
        required=False,
        choices=_choices(vocabulary.METHODS),
        error_messages=_invalid_choice("公开方式", vocabulary.METHODS),
    )
    level = forms.ChoiceField(
        label="公开层级",
        required=False,
        choices=_choices(vocabulary.LEVELS),
        error_messages=_invalid_choice("公开层级", vocabulary.LEVELS),
    )
    page = forms.IntegerField(
        label="页码",
        required=False,
        min_value=1,
        error_messages={"invalid": "页码必须是正整数。", "min_value": "页码必须是正整数。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Queried on first use (validating a value, rendering the select) and then kept;
        # the field and its widget share the one iterator. The API never renders it.
        self.fields["level1"].choices = CachedChoiceIterator(level1_choices)

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if len(search_terms(query)) > QUERY_MAX_TERMS:
            raise forms.ValidationError(f"关键词最多{QUERY_MAX_TERMS}个，请用空格分隔。")
        return query

    def clean_region(self) -> Region | None:
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first() if code.isdigit() else None
        if region is None:
            raise forms.ValidationError(f"没有代码为“{code}”的地区。")
        return region

    def clean_catalog(self):
        pk = self.cleaned_data["catalog"]
        if pk is None:
            return None
        publication = (
            Publication.objects.current()
            .select_related("catalog__region", "catalog__standard")
            .filter(catalog_id=pk)
            .first()
        )
        if publication is None:
            raise forms.ValidationError(f"编号为{pk}的目录不存在或尚未公开。")
        return publication.catalog


def with_standard_item_key(items: QuerySet[PublishedItem]) -> QuerySet[PublishedItem]:
    """Annotate ``standard_key``/``standard_seq`` (None for local items) in the same query."""
    return items.annotate(
        standard_key=F("standard_item__key"), standard_seq=F("standard_item__seq")
    )


def search_terms(query: str) -> list[str]:
    """Whitespace-separated terms (full-width spaces too), each kept once."""
    return list(dict.fromkeys((query or "").split()))


def search_published_items(cleaned_data: dict) -> QuerySet[PublishedItem]:
    """Published items matching ``SearchForm.cleaned_data``; only current publications.

    Every term must match (AND), each anywhere in the searched elements. ``region``
    takes the region and everything below it. Missing keys mean "no filter", so callers
    may pass a partial dict such as ``{"q": "低保"}``.
    """
    items = with_standard_item_key(
        PublishedItem.objects.visible_to_public().select_related(
            "publication__catalog__region", "publication__catalog__standard"
        )
    )
    for term in search_terms(cleaned_data.get("q") or ""):
        items = items.filter(ContainsTerm(SearchDocument(), term))
    if region := cleaned_data.get("region"):
        items = items.filter(publication__catalog__region__path__startswith=region.path)
    if catalog := cleaned_data.get("catalog"):
        items = items.filter(publication__catalog=catalog)
    if level1 := cleaned_data.get("level1"):
        items = items.filter(level1=level1)
    for key, column in (("audience", "audience"), ("method", "method"), ("level", "levels")):
        if value := cleaned_data.get(key):
            items = items.filter(JSONListContains(F(column), value))
    return items.order_by(*RESULT_ORDERING)
