"""A clinic's own recovery band (clinical-reference §5), recomputed every night."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0007_checkin_readings_and_numbness_side'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecoveryBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('computed_on', models.DateField()),
                ('min_patients', models.PositiveSmallIntegerField()),
                ('weeks', models.JSONField(default=dict)),
                ('clinic', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_band', to='tracker.clinic')),
            ],
        ),
    ]
