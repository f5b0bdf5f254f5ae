"""Each patient's outcome values (tracker.models.outcome_points), and the triggers that delete
a patient's rows whenever what they are computed from changes, whatever writes it (a form, an
import, a bulk insert, raw SQL); the outcome figures write missing rows before they count."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


POINTS = "tracker_outcomepoints"
DUE = "tracker_duepointanswers"

# (table, columns whose change matters, the derived tables to clear for the row's patient)
WATCHED = [
    ("tracker_checkin", ("patient_id", "day", "back_pain", "leg_pain"), (POINTS,)),
    (
        "tracker_questionnaireresponse",
        ("patient_id", "instrument", "day", "total"),
        (POINTS, DUE),
    ),
]
PATIENT_COLUMNS = ("surgery_date", "baseline_back_pain", "baseline_leg_pain")


def _deletes(tables, row):
    return " ".join(f"DELETE FROM {t} WHERE patient_id = {row}.patient_id;" for t in tables)


def _sqlite_triggers():
    statements = []
    for table, columns, cleared in WATCHED:
        name = f"{table}_outcome_values"
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        statements += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
            f"BEGIN {_deletes(cleared, 'NEW')} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
            f"BEGIN {_deletes(cleared, 'OLD')} END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} WHEN {changed} "
            f"BEGIN {_deletes(cleared, 'OLD')} {_deletes(cleared, 'NEW')} END",
        ]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PATIENT_COLUMNS)
    statements.append(
        "CREATE TRIGGER tracker_patient_outcome_values_update AFTER UPDATE ON tracker_patient "
        f"WHEN {changed} BEGIN DELETE FROM {POINTS} WHERE patient_id = OLD.id; "
        f"DELETE FROM {DUE} WHERE patient_id = OLD.id; END"
    )
    return statements


def _sqlite_drops():
    names = [
        f"{table}_outcome_values_{event}"
        for table, _, _ in WATCHED
        for event in ("insert", "delete", "update")
    ]
    names.append("tracker_patient_outcome_values_update")
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _postgresql_triggers():
    statements = []
    for table, columns, cleared in WATCHED:
        name = f"{table}_outcome_values"
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_deletes(cleared, 'OLD')} END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_deletes(cleared, 'NEW')} END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()",
        ]
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in PATIENT_COLUMNS)
    statements += [
        "CREATE FUNCTION tracker_patient_outcome_values() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN DELETE FROM {POINTS} WHERE patient_id = OLD.id; "
        f"DELETE FROM {DUE} WHERE patient_id = OLD.id; RETURN NULL; END $$",
        "CREATE TRIGGER tracker_patient_outcome_values_update AFTER UPDATE ON tracker_patient "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION tracker_patient_outcome_values()",
    ]
    return statements


def _postgresql_drops():
    names = [f"{table}_outcome_values" for table, _, _ in WATCHED]
    names.append("tracker_patient_outcome_values")
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in names]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite_triggers, "postgresql": _postgresql_triggers}[vendor]()
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": _sqlite_drops, "postgresql": _postgresql_drops}[vendor]():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_patient_summaries"),
        # Also after 0012, written at the same time and after 0010 as well: two migrations
        # after 0010 alone would leave the graph two leaves.
        ("tracker", "0012_job_batches"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutcomePoints",
            fields=[
                (
                    "patient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="outcome_points",
                        serialize=False,
                        to="tracker.patient",
                    ),
                ),
                ("basis", models.CharField(max_length=200)),
                ("first_checkin", models.DateField(blank=True, null=True)),
                ("last_checkin", models.DateField(blank=True, null=True)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("leg_pain_baseline", models.FloatField(blank=True, null=True)),
                ("leg_pain_6w", models.FloatField(blank=True, null=True)),
                ("leg_pain_6w_days", models.PositiveSmallIntegerField()),
                ("leg_pain_12w", models.FloatField(blank=True, null=True)),
                ("leg_pain_12w_days", models.PositiveSmallIntegerField()),
                ("leg_pain_6m", models.FloatField(blank=True, null=True)),
                ("leg_pain_6m_days", models.PositiveSmallIntegerField()),
                ("leg_pain_1y", models.FloatField(blank=True, null=True)),
                ("leg_pain_1y_days", models.PositiveSmallIntegerField()),
                ("back_pain_baseline", models.FloatField(blank=True, null=True)),
                ("back_pain_6w", models.FloatField(blank=True, null=True)),
                ("back_pain_6w_days", models.PositiveSmallIntegerField()),
                ("back_pain_12w", models.FloatField(blank=True, null=True)),
                ("back_pain_12w_days", models.PositiveSmallIntegerField()),
                ("back_pain_6m", models.FloatField(blank=True, null=True)),
                ("back_pain_6m_days", models.PositiveSmallIntegerField()),
                ("back_pain_1y", models.FloatField(blank=True, null=True)),
                ("back_pain_1y_days", models.PositiveSmallIntegerField()),
                ("peg_baseline", models.FloatField(blank=True, null=True)),
                ("peg_6w", models.FloatField(blank=True, null=True)),
                ("peg_12w", models.FloatField(blank=True, null=True)),
                ("peg_6m", models.FloatField(blank=True, null=True)),
                ("peg_1y", models.FloatField(blank=True, null=True)),
                ("odi_baseline", models.FloatField(blank=True, null=True)),
                ("odi_6w", models.FloatField(blank=True, null=True)),
                ("odi_12w", models.FloatField(blank=True, null=True)),
                ("odi_6m", models.FloatField(blank=True, null=True)),
                ("odi_1y", models.FloatField(blank=True, null=True)),
                ("week_0_days", models.PositiveSmallIntegerField()),
                ("week_1_days", models.PositiveSmallIntegerField()),
                ("week_2_days", models.PositiveSmallIntegerField()),
                ("week_3_days", models.PositiveSmallIntegerField()),
                ("week_4_days", models.PositiveSmallIntegerField()),
                ("week_5_days", models.PositiveSmallIntegerField()),
                ("week_6_days", models.PositiveSmallIntegerField()),
                ("week_7_days", models.PositiveSmallIntegerField()),
                ("week_8_days", models.PositiveSmallIntegerField()),
                ("week_9_days", models.PositiveSmallIntegerField()),
                ("week_10_days", models.PositiveSmallIntegerField()),
                ("week_11_days", models.PositiveSmallIntegerField()),
                ("week_12_days", models.PositiveSmallIntegerField()),
                ("week_13_days", models.PositiveSmallIntegerField()),
                ("week_14_days", models.PositiveSmallIntegerField()),
                ("week_15_days", models.PositiveSmallIntegerField()),
                ("week_16_days", models.PositiveSmallIntegerField()),
                ("week_17_days", models.PositiveSmallIntegerField()),
                ("week_18_days", models.PositiveSmallIntegerField()),
                ("week_19_days", models.PositiveSmallIntegerField()),
                ("week_20_days", models.PositiveSmallIntegerField()),
                ("week_21_days", models.PositiveSmallIntegerField()),
                ("week_22_days", models.PositiveSmallIntegerField()),
                ("week_23_days", models.PositiveSmallIntegerField()),
                ("week_24_days", models.PositiveSmallIntegerField()),
                ("week_25_days", models.PositiveSmallIntegerField()),
                ("week_26_days", models.PositiveSmallIntegerField()),
                ("week_27_days", models.PositiveSmallIntegerField()),
                ("week_28_days", models.PositiveSmallIntegerField()),
                ("week_29_days", models.PositiveSmallIntegerField()),
                ("week_30_days", models.PositiveSmallIntegerField()),
                ("week_31_days", models.PositiveSmallIntegerField()),
                ("week_32_days", models.PositiveSmallIntegerField()),
                ("week_33_days", models.PositiveSmallIntegerField()),
                ("week_34_days", models.PositiveSmallIntegerField()),
                ("week_35_days", models.PositiveSmallIntegerField()),
                ("week_36_days", models.PositiveSmallIntegerField()),
                ("week_37_days", models.PositiveSmallIntegerField()),
                ("week_38_days", models.PositiveSmallIntegerField()),
                ("week_39_days", models.PositiveSmallIntegerField()),
                ("week_40_days", models.PositiveSmallIntegerField()),
                ("week_41_days", models.PositiveSmallIntegerField()),
                ("week_42_days", models.PositiveSmallIntegerField()),
                ("week_43_days", models.PositiveSmallIntegerField()),
                ("week_44_days", models.PositiveSmallIntegerField()),
                ("week_45_days", models.PositiveSmallIntegerField()),
                ("week_46_days", models.PositiveSmallIntegerField()),
                ("week_47_days", models.PositiveSmallIntegerField()),
                ("week_48_days", models.PositiveSmallIntegerField()),
                ("week_49_days", models.PositiveSmallIntegerField()),
                ("week_50_days", models.PositiveSmallIntegerField()),
                ("week_51_days", models.PositiveSmallIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="DuePointAnswers",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("instrument", models.CharField(max_length=32)),
                ("windows", models.CharField(max_length=64)),
                ("answered", models.BigIntegerField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracker.patient",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("patient", "instrument"), name="one_due_point_row_per_instrument"
                    )
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
