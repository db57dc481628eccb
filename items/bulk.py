"""Writing many new rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` builds one ``INSERT`` with a parameter per value and runs every value
through its field's preparation; for the tens of thousands of rows of a bulk publication
or a national check, building, quoting and parsing that statement cost several times more
than storing the rows. ``COPY ... FROM STDIN`` streams the same values as plain text.

``insert_objects`` takes unsaved model instances, as ``bulk_create`` does, and writes the
same rows: every concrete field, defaults and ``auto_now_add`` applied, ids assigned (taken
from the table's own sequence first, so they are known without reading the rows back).
No signals are sent and ``save()`` is not called, as with ``bulk_create``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter

from django.db import connections, router

# Fields whose Python value is already what the database stores (an ``enum`` member is
# stored as its value); anything else goes through the field's own preparation.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "UUIDField",
}


def uses_copy(model, using: str | None = None) -> bool:
    alias = using or router.db_for_write(model)
    return connections[alias].vendor == "postgresql"


def _converter(field, connection):
    """How a field's Python value becomes what COPY writes; None when it is already that."""
    internal = field.get_internal_type()
    if internal == "JSONField":
        encoder = field.encoder

        def as_json(value):
            return None if value is None else json.dumps(value, cls=encoder, ensure_ascii=False)

        return as_json
    if internal in _PLAIN:
        if not field.choices:
            return None

        def plain(value):
            return value.value if isinstance(value, enum.Enum) else value

        return plain
    if internal == "DateTimeField":

        def moment(value):
            if isinstance(value, datetime) and value.tzinfo is not None:
                return value
            return field.get_db_prep_save(value, connection)

        return moment
    return lambda value: field.get_db_prep_save(value, connection)


def copy_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, using: str | None = None
) -> int:
    """``COPY`` ``rows`` (tuples of database values for ``columns``) into ``model``'s table.

    PostgreSQL only. Values must already be in database form: JSON as text, no enums.
    Returns the number of rows written.
    """
    connection = connections[using or router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    )
    count = 0
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def next_ids(model, count: int, *, using: str | None = None) -> list[int]:
    """``count`` new primary keys from the table's sequence, ascending (PostgreSQL)."""
    if count <= 0:
        return []
    connection = connections[using or router.db_for_write(model)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def insert_objects(model, objects: list, *, batch_size: int = 2000, using: str | None = None):
    """Insert unsaved ``objects`` of ``model`` and set their ids, like ``bulk_create``."""
    if not objects:
        return objects
    alias = using or router.db_for_write(model)
    if not uses_copy(model, alias):
        return model._default_manager.using(alias).bulk_create(objects, batch_size=batch_size)
    connection = connections[alias]
    meta = model._meta
    fields = list(meta.concrete_fields)
    pk = meta.pk
    if any(getattr(obj, pk.attname) is None for obj in objects):
        missing = [obj for obj in objects if getattr(obj, pk.attname) is None]
        for obj, new_id in zip(missing, next_ids(model, len(missing), using=alias), strict=True):
            setattr(obj, pk.attname, new_id)
    # Values are read as they are; a few fields need a conversion, and auto_now(_add)
    # fields get their moment from pre_save.
    read = attrgetter(*(field.attname for field in fields))
    converted = []
    for index, field in enumerate(fields):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            convert = _converter(field, connection)

            def stamp(value, obj, field=field, convert=convert):
                value = field.pre_save(obj, True)
                return convert(value) if convert else value

            converted.append((index, stamp, True))
        elif (convert := _converter(field, connection)) is not None:
            converted.append((index, convert, False))
    relations = [field for field in fields if field.many_to_one]

    def unsaved_relation(obj) -> bool:
        """A related object given without its id (saved since, or not at all)."""
        return any(
            getattr(obj, field.attname) is None and field.get_cached_value(obj, None) is not None
            for field in relations
        )

    def rows():
        for obj in objects:
            if unsaved_relation(obj):
                # What bulk_create does: take the id of a related object saved since (or
                # refuse one never saved).
                obj._prepare_related_fields_for_save(operation_name="insert_objects")
            row = list(read(obj))
            for index, convert, needs_obj in converted:
                row[index] = convert(row[index], obj) if needs_obj else convert(row[index])
            obj._state.adding = False
            obj._state.db = alias
            yield row

    copy_rows(model, [field.column for field in fields], rows(), using=alias)
    return objects
