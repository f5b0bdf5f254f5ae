"""Django's flush, able to empty the append-only access log on SQLite as well.

On PostgreSQL flush empties tables with TRUNCATE, which the access log's row trigger lets
through (it is the database owner's tool, and the test runner's between transactional
tests). SQLite has no TRUNCATE: flush deletes rows, which the triggers of migration 0006
refuse unless tracker_accesslog_purge holds its row. This command puts it there for the
length of the flush, in the same transaction.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        if (
            connection.vendor != "sqlite"
            or "tracker_accesslog_purge" not in connection.introspection.table_names()
        ):
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("INSERT INTO tracker_accesslog_purge (id, reason) VALUES (1, 'flush')")
            super().handle(**options)
            cursor.execute("DELETE FROM tracker_accesslog_purge")
