from django.core.management import call_command
from django.db import migrations

# The access log refuses UPDATE and DELETE on SQLite too (PostgreSQL has had a trigger since
# 0002), so code that goes round the model's guards (bulk_create with update_conflicts,
# _base_manager, raw SQL) cannot rewrite or remove a row.
#
# - INSERT over an existing id is refused as well: SQLite's INSERT OR REPLACE deletes the old
#   row without firing DELETE triggers.
# - DELETE passes only while tracker_accesslog_purge holds its row. Nothing in the app writes
#   it: `manage.py flush` (tracker/management/commands/flush.py) does, around its DELETE of
#   every table, as PostgreSQL's TRUNCATE passes the row trigger there. The table is not a
#   model, so flush never empties it. Erasing a patient keeps their log rows (they hold only
#   the pseudonymous patient_ref), so erasure needs no way through.
SQLITE_TRIGGERS = [
    """
    CREATE TABLE tracker_accesslog_purge (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        reason TEXT NOT NULL
    )
    """,
    """
    CREATE TRIGGER tracker_accesslog_no_update BEFORE UPDATE ON tracker_accesslog
    BEGIN
        SELECT RAISE(ABORT, 'tracker_accesslog is append-only');
    END
    """,
    """
    CREATE TRIGGER tracker_accesslog_no_delete BEFORE DELETE ON tracker_accesslog
    WHEN NOT EXISTS (SELECT 1 FROM tracker_accesslog_purge)
    BEGIN
        SELECT RAISE(ABORT, 'tracker_accesslog is append-only');
    END
    """,
    """
    CREATE TRIGGER tracker_accesslog_no_replace BEFORE INSERT ON tracker_accesslog
    WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM tracker_accesslog WHERE id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'tracker_accesslog is append-only');
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tracker_accesslog_no_replace",
    "DROP TRIGGER IF EXISTS tracker_accesslog_no_delete",
    "DROP TRIGGER IF EXISTS tracker_accesslog_no_update",
    "DROP TABLE IF EXISTS tracker_accesslog_purge",
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def create_cache_table(apps, schema_editor):
    # Rate-limit counters live in the database cache (settings.CACHES); creating its table
    # here means a deployment needs nothing beyond `migrate`. It skips tables that exist.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0005_privacy_and_reminders")]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
