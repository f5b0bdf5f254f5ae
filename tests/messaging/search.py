"""Search every text column of every table for a string (for "nothing is left behind" tests)."""

from __future__ import annotations

import json

from django.apps import apps
from django.db import connection, models

TEXT_FIELD_TYPES = {"CharField", "TextField", "JSONField", "EmailField", "SlugField", "URLField"}


def text_columns() -> dict[str, set[str]]:
    """Table -> its character, text and JSON columns, as the database itself describes them."""
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                if _is_text(column):
                    found.setdefault(table, set()).add(column.name)
    return found


def _is_text(column) -> bool:
    declared = str(column.type_code).lower()
    if any(word in declared for word in ("char", "text", "json", "clob")):
        return True
    try:
        kind = connection.introspection.get_field_type(column.type_code, column)
    except KeyError:
        return False
    return kind in TEXT_FIELD_TYPES


def model_text_columns() -> dict[str, set[str]]:
    """The same, from the models of every installed app (the task table and axes included)."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                found.setdefault(model._meta.db_table, set()).add(field.column)
    return found


def occurrences(needle: str) -> list[tuple[str, str, int]]:
    """(table, column, rows) wherever `needle` appears, ignoring case. JSON kept as text on
    SQLite spells non-ASCII letters as \\u escapes, so that spelling is searched too."""
    forms = {needle, json.dumps(needle)[1:-1]}
    hits = []
    with connection.cursor() as cursor:
        for table, columns in sorted(text_columns().items()):
            for column in sorted(columns):
                count = sum(_count(cursor, table, column, form) for form in forms)
                if count:
                    hits.append((table, column, count))
    return hits


def _count(cursor, table: str, column: str, needle: str) -> int:
    quote = connection.ops.quote_name
    cursor.execute(
        f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - names come from introspection
        f"WHERE UPPER(CAST({quote(column)} AS TEXT)) LIKE UPPER(%s)",
        [f"%{needle}%"],
    )
    return cursor.fetchone()[0]
