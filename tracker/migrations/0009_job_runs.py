"""Records of the nightly jobs (JobRun), read by /healthz/ready and the clinic page."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0008_clinic_recovery_band'),
    ]

    operations = [
        migrations.CreateModel(
            name='JobRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job', models.CharField(max_length=40)),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('patients', models.PositiveIntegerField(default=0)),
                ('flags_opened', models.PositiveIntegerField(default=0)),
                ('failures', models.PositiveIntegerField(default=0)),
            ],
            options={
                'ordering': ['-started_at'],
                'indexes': [models.Index(fields=['job', '-finished_at'], name='jobrun_latest_idx')],
            },
        ),
    ]
