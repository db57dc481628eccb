"""Search over what citizens may see: the items of each catalog's current publication.

The public /search/ page and /api/v1/search/ both validate the query string with
``SearchForm`` and page through ``search_paginator(form.cleaned_data, …)``, so a filter
behaves the same in both places.

A term matches when it, or one of its synonyms (``matters.SearchSynonym``, the table the
province edits: 低保 ↔ 最低生活保障, 五保 ↔ 特困人员救助供养 ...), is a substring of the
item's ``SearchDocument`` (the searched elements joined by spaces), ignoring case: each
term becomes an OR of its group, the terms are ANDed, and the bigram index gets the same
OR (``groups_tsquery``). When the query names a benefit (a term holds a synonym-table
term), the first page also lists up to three service items (办事指南, 业务办理) in result
order, so the chosen place's own guide comes first (``featured_services``). Results come in region, standard and 序号 order,
which is ``PublishedItem.search_key`` (items.search): a page of results walks that index
from the start and stops after 20 rows however many items match, and a region or catalog
filter is one range of it. Counts stop past ``COUNT_CAP`` ("1,000+") and are kept until
the next publication (``portal.caching``): counting needs up to 1,001 matching rows, a page
only 20.

On PostgreSQL the substring test is ``strpos()`` (``LIKE '%…%'`` costs ten times more per
row on UTF-8 text), and ``items.search`` keeps a GIN index of each current item's character
bigrams. The index finds the few items holding a rare term without reading the others. A
frequent term (低保, 救助) is found sooner the other way round: walk the results in order,
test each row, stop at the 20th match; a bitmap of every item holding it would read a
posting list as long as the country. The count tells the two apart: past ``COUNT_CAP``
matches the page walks (``frequent``), otherwise it asks the index. SQLite scans, which is
fine at its scale.
"""

import json
import time

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.db.models import BooleanField, F, Func, Lookup, Min, Q, QuerySet, TextField, Value
from django.db.models.lookups import IContains
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.functional import cached_property

from catalogs import vocabulary
from catalogs.models import Region
from items.models import Publication, PublishedItem
from items.search import SEARCHED_FIELDS, bigram_tsquery, region_key_range, search_key
from matters.selectors import expand_term, synonym_groups
from portal.caching import cached_by_state

QUERY_MAX_LENGTH = 100
QUERY_MAX_TERMS = 10
# Counting stops here: past it a search says "1,000+" and lists the first 1,000.
COUNT_CAP = 1000

# Results in region (path), standard and 序号 order; see items.search.search_key.
RESULT_ORDERING = ("search_key", "pk")


class SearchDocument(Func):
    """The searched elements joined by single spaces, as one text expression.

    Terms never contain white space, so no term can match across two elements.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self):
        super().__init__(*(F(name) for name in SEARCHED_FIELDS))


class ContainsTerm(IContains):
    """``lhs`` contains the term, ignoring case.

    PostgreSQL: ``strpos``, on ``lower()`` of both sides only for terms with letter case
    (Chinese has none). Django's ``icontains`` would render ``UPPER(lhs::text) LIKE
    UPPER(%s)``, several times slower per row.
    """

    def as_postgresql(self, compiler, connection):
        # Compiled as is: BuiltinLookup.process_lhs would wrap it in UPPER(...::text).
        lhs, params = compiler.compile(self.lhs)
        term = str(self.rhs)
        if term.upper() == term.lower():
            return f"strpos({lhs}, %s) > 0", [*params, term]
        return f"strpos(lower({lhs}), lower(%s)) > 0", [*params, term]


class BigramMatch(Func):
    """The item's bigram index holds every bigram of the terms (PostgreSQL only).

    ``search_bigrams @@ 'tsquery'::tsquery``: the literal is cast, not parsed, so its
    tokens are compared exactly as ``items.search`` wrote them (GIN index of items.0003).
    """

    output_field = BooleanField()

    def __init__(self, tsquery: str):
        super().__init__(F("search_bigrams"), Value(tsquery))

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError("the bigram index exists on PostgreSQL only")

    def as_postgresql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        query, query_params = compiler.compile(self.source_expressions[1])
        return f"{column} @@ ({query})::tsquery", [*column_params, *query_params]


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


def _level1_positions(items) -> dict[str, tuple[int, int]]:
    """一级事项 -> (its standard's order, its first 序号) among ``items``: one query."""
    rows = (
        items.order_by()
        .values("level1")
        .annotate(
            standard_order=Min("publication__catalog__standard__order"),
            first_seq=Min("seq"),
        )
        .values_list("level1", "standard_order", "first_seq")
    )
    return {level1: (order or 0, seq or 0) for level1, order, seq in rows}


def published_level1_values() -> list[str]:
    """The first-level items (一级事项) present among published items, in catalog order."""
    return _in_order(_level1_positions(PublishedItem.objects.visible_to_public()))


def _in_order(positions: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(positions, key=lambda level1: (*positions[level1], level1))


# The choices are kept for LEVEL1_SECONDS, not until the next publication: the aggregate
# reads every published item (0.4–0.7 s with all of China loaded), and a province publishes
# all day. Each publication adds its own 一级事项 at once (``level1_values_add``, from the
# ``catalogs_published`` signal: one query over the new items); a value whose last item was
# superseded stays a choice (finding nothing) until the entry is rebuilt.
LEVEL1_KEY = "portal:level1-positions"
LEVEL1_SECONDS = 6 * 3600


def level1_values() -> list[str]:
    kept = cache.get(LEVEL1_KEY)
    if kept is None:
        positions = _level1_positions(PublishedItem.objects.visible_to_public())
        cache.set(LEVEL1_KEY, (time.time() + LEVEL1_SECONDS, positions), LEVEL1_SECONDS)
        return _in_order(positions)
    return _in_order(kept[1])


def level1_values_add(publications) -> None:
    """Merge the 一级事项 of newly published items into the kept choices (if any are kept)."""
    if cache.get(LEVEL1_KEY) is None:
        return  # the next reader aggregates everything
    added = _level1_positions(PublishedItem.objects.filter(publication__in=publications))

    def merge() -> None:
        kept = cache.get(LEVEL1_KEY)
        if kept is None:
            return
        expires_at, positions = kept
        for level1, position in added.items():
            positions[level1] = min(position, positions.get(level1, position))
        # The entry keeps its first expiry: merging never makes it live for ever.
        remaining = int(expires_at - time.time())
        if remaining > 0:
            cache.set(LEVEL1_KEY, (expires_at, positions), remaining)

    # Now, for the rest of this transaction; again on commit, over a concurrent merge.
    merge()
    transaction.on_commit(merge)


def _choices(terms, empty_label: str = "不限") -> list[tuple[str, str]]:
    return [("", empty_label), *((term, term) for term in terms)]


def level1_choices() -> list[tuple[str, str]]:
    """The 一级事项 filter's choices, aggregated once per publication state (cached)."""
    return _choices(level1_values())


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
        # 村级 too: village catalogs are searchable like the others (issue 14).
        choices=_choices(vocabulary.ITEM_LEVELS),
        error_messages=_invalid_choice("公开层级", vocabulary.ITEM_LEVELS),
    )
    page = forms.IntegerField(
        label="页码",
        required=False,
        min_value=1,
        error_messages={"invalid": "页码必须是正整数。", "min_value": "页码必须是正整数。"},
    )

    def __init__(self, *args, known_regions: dict[str, Region] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Regions the caller has loaded already (by code), so as not to load them twice.
        self.known_regions = known_regions or {}
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
        region = self.known_regions.get(code)
        if region is None and code.isdigit():
            region = Region.objects.filter(code=code).first()
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


# ---------------------------------------------------------------------------
# Synonyms (matters.SearchSynonym): what citizens say for what the catalogs say
# ---------------------------------------------------------------------------


def term_groups(cleaned_data: dict) -> list[tuple[str, ...]]:
    """Each query term with its synonyms: an item must hold one of every group.

    The synonym table is read from the cache (no query on a hit); the groups go into the
    cache keys of counts and featured services, so an edit of the table shows at once.
    """
    terms = search_terms(cleaned_data.get("q") or "")
    if not terms:
        return []
    groups = synonym_groups()
    return [tuple(expand_term(term, groups)[0]) for term in terms]


def groups_tsquery(groups: list[tuple[str, ...]]) -> str:
    """``bigram_tsquery`` of every group, its alternatives joined by OR; empty when an
    alternative has no letter or digit (the substring test alone decides then)."""
    parts = []
    for alternatives in groups:
        queries = [bigram_tsquery([alternative]) for alternative in alternatives]
        if not all(queries):
            return ""
        parts.append(queries[0] if len(queries) == 1 else " | ".join(f"({q})" for q in queries))
    if len(parts) == 1:
        return parts[0]
    return " & ".join(f"({part})" for part in parts)


def highlight_terms(cleaned_data: dict) -> str:
    """The terms and their synonyms, space-separated, for highlighting results."""
    return " ".join(alt for group in term_groups(cleaned_data) for alt in group)


# Items that tell citizens how to obtain a service: the standard's 办事指南 rows and the
# 养老服务业务办理 rows (养老机构备案, 老年人补贴 ...).
SERVICE_CONDITION = Q(level2__contains="办事指南") | Q(level1__contains="业务办理")
FEATURED_LIMIT = 3


def names_a_benefit(cleaned_data: dict) -> bool:
    """The query names a benefit or service: a term is, or holds, a term of the synonym
    table, which lists the catalogs' services under every name citizens use (低保,
    最低生活保障, 临时救助申请 ...). No query: the table comes from the cache."""
    terms = search_terms(cleaned_data.get("q") or "")
    if not terms:
        return False
    members = {member.lower() for group in synonym_groups() for member in group}
    return any(any(member in term.lower() for member in members) for term in terms)


def featured_services(cleaned_data: dict, *, frequent: bool = False) -> list[PublishedItem]:
    """Up to ``FEATURED_LIMIT`` service guides matching the query, in result order (the
    chosen place first), when the query names a benefit; else none. One query, kept by
    publication state like the count."""
    if not names_a_benefit(cleaned_data):
        return []
    region, catalog = cleaned_data.get("region"), cleaned_data.get("catalog")
    parts = (
        tuple(term_groups(cleaned_data)),
        region.path if region else None,
        catalog.pk if catalog else None,
        *(cleaned_data.get(name) or None for name in ("level1", "audience", "method", "level")),
    )

    def load() -> list[PublishedItem]:
        items = search_published_items(cleaned_data, frequent=frequent).filter(SERVICE_CONDITION)
        return list(items[:FEATURED_LIMIT])

    return cached_by_state("search-featured", parts, load)


# ---------------------------------------------------------------------------
# The queries
# ---------------------------------------------------------------------------


def _vendor() -> str:
    return connections[router.db_for_read(PublishedItem)].vendor


def _key_ranges(cleaned_data: dict) -> list[tuple[str, str]]:
    """Region and catalog filters as ranges of ``search_key``: no join, one index range."""
    ranges = []
    if region := cleaned_data.get("region"):
        ranges.append(region_key_range(region.path))
    if catalog := cleaned_data.get("catalog"):
        key = search_key(catalog.region.path, catalog.standard.order, catalog.standard.code, 0)
        prefix = key[: key.rindex("!") + 1]
        ranges.append((prefix, prefix[:-1] + '"'))  # '"' follows '!'
    return ranges


def _element_filters(
    items: QuerySet[PublishedItem], cleaned_data: dict, *, frequent: bool = False
) -> QuerySet:
    """Terms and the filters on the item's own columns (no join).

    ``frequent``: more than ``COUNT_CAP`` items match, so the first page is found soonest
    by walking the results in order without the bigram index (see the module docstring).
    """
    groups = term_groups(cleaned_data)
    for alternatives in groups:
        condition = Q()
        for alternative in alternatives:
            condition |= Q(ContainsTerm(SearchDocument(), alternative))
        items = items.filter(condition)
    tsquery = groups_tsquery(groups)
    if tsquery and not frequent and _vendor() == "postgresql":
        items = items.filter(BigramMatch(tsquery))
    if level1 := cleaned_data.get("level1"):
        items = items.filter(level1=level1)
    for key, column in (("audience", "audience"), ("method", "method"), ("level", "levels")):
        if value := cleaned_data.get(key):
            items = items.filter(JSONListContains(F(column), value))
    for low, high in _key_ranges(cleaned_data):
        items = items.filter(search_key__gte=low, search_key__lt=high)
    return items


def search_published_items(
    cleaned_data: dict, *, frequent: bool = False
) -> QuerySet[PublishedItem]:
    """Published items matching ``SearchForm.cleaned_data``; only current publications.

    Every term must match (AND), each anywhere in the searched elements. ``region``
    takes the region and everything below it. Missing keys mean "no filter", so callers
    may pass a partial dict such as ``{"q": "低保"}``. Slice it: it is meant to be read a
    page at a time.
    """
    items = with_standard_item_key(
        PublishedItem.objects.visible_to_public().select_related(
            "publication__catalog__region", "publication__catalog__standard"
        )
    )
    # The joins say exactly what is asked; the key range in _element_filters lets the
    # database read only that part of the index.
    if region := cleaned_data.get("region"):
        items = items.filter(publication__catalog__region__path__startswith=region.path)
    if catalog := cleaned_data.get("catalog"):
        items = items.filter(publication__catalog=catalog)
    return _element_filters(items, cleaned_data, frequent=frequent).order_by(*RESULT_ORDERING)


def _count(cleaned_data: dict, cap: int) -> int:
    # Only current items carry a search key (items.search), so no join is needed.
    items = _element_filters(PublishedItem.objects.filter(search_key__isnull=False), cleaned_data)
    return items.order_by()[: cap + 1].count()


def count_published_items(cleaned_data: dict, cap: int | None = None) -> int:
    """How many items ``search_published_items`` finds, counted to ``cap + 1`` at most.

    ``cap`` is ``COUNT_CAP`` unless given. Kept until the next publication: a count needs
    up to ``cap`` matching rows, the page itself only 20.
    """
    cap = COUNT_CAP if cap is None else cap
    region, catalog = cleaned_data.get("region"), cleaned_data.get("catalog")
    parts = (
        tuple(term_groups(cleaned_data)),
        region.path if region else None,
        catalog.pk if catalog else None,
        *(cleaned_data.get(name) or None for name in ("level1", "audience", "method", "level")),
        cap,
    )
    return cached_by_state("search-count", parts, lambda: _count(cleaned_data, cap))


class SearchPaginator(Paginator):
    """Pages over at most ``cap`` results, the count given (``count_published_items``)."""

    def __init__(self, object_list, per_page, *, found: int, cap: int):
        super().__init__(object_list, per_page)
        self.found, self.cap = found, cap

    @property
    def capped(self) -> bool:
        """More than ``cap`` items match; only the first ``cap`` can be paged to."""
        return self.found > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.found, self.cap)


def search_paginator(cleaned_data: dict, per_page: int) -> SearchPaginator:
    """The results of ``cleaned_data`` page by page, counted first (``COUNT_CAP``)."""
    cap = COUNT_CAP
    found = count_published_items(cleaned_data, cap)
    items = search_published_items(cleaned_data, frequent=found > cap)
    return SearchPaginator(items, per_page, found=found, cap=cap)
