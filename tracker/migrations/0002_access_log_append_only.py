from django.db import migrations

# Row triggers refuse UPDATE and DELETE. TRUNCATE is left to the database owner: the test
# runner empties tables with it between transactional tests.

TRIGGER = """
CREATE OR REPLACE FUNCTION tracker_accesslog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tracker_accesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_accesslog_append_only
    BEFORE UPDATE OR DELETE ON tracker_accesslog
    FOR EACH ROW EXECUTE FUNCTION tracker_accesslog_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS tracker_accesslog_append_only ON tracker_accesslog;
DROP FUNCTION IF EXISTS tracker_accesslog_refuse_change();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]

    operations = [migrations.RunPython(add_trigger, drop_trigger)]
