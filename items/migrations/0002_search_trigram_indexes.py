"""A trigram index for the public search (PostgreSQL only; other databases skip this).

``portal.search`` matches each term against ``SearchDocument``, the searched elements
joined by spaces, as ``document LIKE '%term%'`` (``ILIKE`` for terms with letter case).
A GIN index with ``gin_trgm_ops`` on exactly that document expression answers both from
the index. If SearchDocument ever changes, a new migration must rebuild this index with
the new expression (tests/portal/test_search.py checks on PostgreSQL that it is used).

pg_trgm only extracts trigrams from Chinese when the database's LC_CTYPE is a UTF-8
locale (``SELECT show_trgm('最低生活保障')`` must not be empty); otherwise search stays
correct but scans. Terms of one or two characters have no trigrams and scan too.

No model state changes, so ``makemigrations --check`` stays clean.
"""

from django.db import migrations

INDEX_NAME = "items_publisheditem_search_trgm"
DOCUMENT = """("level1" || ' ' || "level2" || ' ' || "content" || ' ' || "basis" || ' ' || "subject")"""


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "items_publisheditem" '
        f"USING gin ({DOCUMENT} gin_trgm_ops)"
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other objects may depend on it.
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
