"""Every temperature reading of a check-in with its time, and the side of new numbness.

A check-in saved before kept one temperature a day: it becomes that day's one reading, its
time not known (the rules then count it with the readings of the day before and after).
"""

from django.db import migrations, models

import tracker.models.checkins


def single_temperature_to_reading(apps, schema_editor):
    CheckIn = apps.get_model("tracker", "CheckIn")
    measured = CheckIn.objects.filter(temperature_c__isnull=False)
    for checkin in measured.iterator(chunk_size=2000):
        checkin.temperature_readings = [{"at": None, "temperature_c": str(checkin.temperature_c)}]
        checkin.save(update_fields=["temperature_readings"])


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0006_access_log_append_only_everywhere'),
    ]

    operations = [
        migrations.AddField(
            model_name='checkin',
            name='new_numbness_side',
            field=models.CharField(blank=True, choices=[('left', 'Left'), ('right', 'Right'), ('both', 'Both sides')], default='', max_length=8),
        ),
        migrations.AddField(
            model_name='checkin',
            name='temperature_readings',
            field=models.JSONField(blank=True, default=list, validators=[tracker.models.checkins.validate_readings]),
        ),
        migrations.RunPython(single_temperature_to_reading, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('new_numbness_side__in', ['', 'left', 'right', 'both'])), name='checkin_new_numbness_side_choice'),
        ),
    ]
