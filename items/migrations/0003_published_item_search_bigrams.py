"""The public search index on published items (items.search), replacing the trigram index.

``search_key`` (region path, standard, 序号) orders results and bounds a region filter;
``search_bigrams`` (a tsvector) holds the character bigrams of the searched elements. Both
are filled here for every current publication's items, and from now on when an item is
published.

On PostgreSQL only:
- ``search_key`` compares in byte order (COLLATE "C") whatever the database's collation,
  so that a region is one key range and the range equals the key prefix;
- a GIN index on ``search_bigrams`` (``portal.search.BigramMatch`` queries it);
- the trigram index of 0002 goes: two-character words never used it, and it cost every
  publication a GIN update over the whole document. pg_trgm itself stays installed.

No model state beyond the two fields and the key index, so ``makemigrations --check``
stays clean.
"""

import django.contrib.postgres.search
from django.db import migrations, models

from items.search import SEARCHED_FIELDS, bigram_text, search_key

BIGRAM_INDEX = "items_publisheditem_search_bigrams"
TRIGRAM_INDEX = "items_publisheditem_search_trgm"
TRIGRAM_DOCUMENT = (
    """("level1" || ' ' || "level2" || ' ' || "content" || ' ' || "basis" || ' ' || "subject")"""
)
BATCH = 2000


def key_in_byte_order(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE "items_publisheditem" ALTER COLUMN "search_key" TYPE varchar(200) COLLATE "C"'
    )


def fill_current_items(apps, schema_editor):
    PublishedItem = apps.get_model("items", "PublishedItem")
    db = schema_editor.connection.alias
    current = (
        PublishedItem.objects.using(db)
        .filter(publication__is_current=True)
        .order_by("pk")
        .values_list(
            "pk",
            "seq",
            "publication__catalog__region__path",
            "publication__catalog__standard__order",
            "publication__catalog__standard__code",
            *SEARCHED_FIELDS,
        )
    )
    last = 0
    while rows := list(current.filter(pk__gt=last)[:BATCH]):
        PublishedItem.objects.using(db).bulk_update(
            [
                PublishedItem(
                    pk=pk,
                    search_key=search_key(path, order, code, seq),
                    search_bigrams=bigram_text(*texts),
                )
                for pk, seq, path, order, code, *texts in rows
            ],
            ["search_key", "search_bigrams"],
        )
        last = rows[-1][0]


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{BIGRAM_INDEX}" ON "items_publisheditem" '
        'USING gin ("search_bigrams")'
    )
    schema_editor.execute(f'DROP INDEX IF EXISTS "{TRIGRAM_INDEX}"')


def restore_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{BIGRAM_INDEX}"')
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{TRIGRAM_INDEX}" ON "items_publisheditem" '
        f"USING gin ({TRIGRAM_DOCUMENT} gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0002_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="publisheditem",
            name="search_key",
            field=models.CharField(
                blank=True, editable=False, max_length=200, null=True, verbose_name="检索排序键"
            ),
        ),
        migrations.AddField(
            model_name="publisheditem",
            name="search_bigrams",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, default="", editable=False, verbose_name="检索二元组"
            ),
        ),
        migrations.RunPython(key_in_byte_order, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="publisheditem",
            index=models.Index(fields=["search_key", "id"], name="published_item_search_key"),
        ),
        migrations.RunPython(fill_current_items, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(swap_indexes, restore_trigram_index, elidable=False),
    ]
