"""A clinic's own recovery band (§5 [D]): computed from its patients once 30 have data for a
week, drawn on the care team's pain charts in those weeks instead of the population band."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_patient
from tracker.charts.figures import Period
from tracker.charts.patient_charts import build_chart
from tracker.charts.svg import chart_svg
from tracker.models import CheckIn, Patient, RecoveryBand
from tracker.models.timelines import patient_timeline
from tracker.outcomes.bands import compute_band

pytestmark = pytest.mark.django_db


def week_six(clinic, count, pains=(2, 4, 6)):
    """`count` patients with a leg-pain baseline of 8 and 7 days of week 6 at 2, 4 or 6 in turn
    (25 %, 50 % and 75 % of the baseline)."""
    rows = []
    for number in range(count):
        patient = make_patient(f"w6-{number}@example.org", clinic, surgery_days_ago=60)
        Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
        pain = pains[number % len(pains)]
        rows += [
            CheckIn(
                patient=patient,
                day=patient.surgery_date + timedelta(days=day),
                leg_pain=pain,
                back_pain=3,
            )
            for day in range(42, 49)
        ]
    CheckIn.objects.bulk_create(rows)


def test_thirty_patients_make_a_week_of_the_band(clinic):
    week_six(clinic, 30)
    band = compute_band(clinic)
    assert band["leg_pain"] == {"6": [25.0, 50.0, 75.0, 30]}
    assert band["back_pain"] == {}  # no back-pain baseline was entered, and day 1-14 is empty


def test_twenty_nine_are_not_enough(clinic, settings):
    week_six(clinic, 29)
    assert compute_band(clinic)["leg_pain"] == {}
    settings.RECOVERY_BAND_MIN_PATIENTS = 29  # the [D] figure is a setting
    assert compute_band(clinic)["leg_pain"]["6"][3] == 29


def test_the_command_stores_every_clinics_band(clinic, other_clinic):
    week_six(clinic, 30)
    out = StringIO()
    call_command("update_recovery_bands", stdout=out)
    assert "1 clinic(s) have weeks with at least 30 patients" in out.getvalue()
    stored = RecoveryBand.objects.get(clinic=clinic)
    assert stored.computed_on == timezone.localdate()
    assert clinic.__class__.objects.get(pk=clinic.pk).own_recovery_band() == {
        "back_pain": {},
        "leg_pain": {6: (25.0, 50.0, 75.0, 30)},
    }
    assert RecoveryBand.objects.get(clinic=other_clinic).weeks == {"back_pain": {}, "leg_pain": {}}


def test_the_care_teams_chart_draws_the_clinic_band_in_its_weeks(clinic, patient):
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    patient.refresh_from_db()
    timeline = patient_timeline(patient)
    start = patient.surgery_date + timedelta(days=40)
    period = Period(start, start + timedelta(days=10))  # days 40-50: weeks 5, 6 and 7
    chart = build_chart(
        "leg-pain",
        timeline,
        period,
        care_team=True,
        clinic_bands={"leg_pain": {6: (25.0, 50.0, 75.0, 31)}},
    )
    series = {s.key: s for s in chart.series}
    day_numbers = [(day - patient.surgery_date).days for day in chart.days]
    week_six_days = [i for i, n in enumerate(day_numbers) if n // 7 == 6]
    other_days = [i for i, n in enumerate(day_numbers) if n // 7 != 6]
    assert {series["clinic-band-high"].values[i] for i in week_six_days} == {6.0}  # 75 % of 8
    assert {series["clinic-band-low"].values[i] for i in week_six_days} == {2.0}
    assert all(series["clinic-band-high"].values[i] is None for i in other_days)
    assert all(series["band-high"].values[i] is not None for i in other_days)
    assert all(series["band-high"].values[i] is None for i in week_six_days)
    assert series["clinic-band-high"].label == "This clinic's patients (middle half)"
    assert any("31 to 31 patients a week" in note for note in chart.notes)


def test_without_a_clinic_band_the_population_band_is_drawn(clinic, patient):
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    patient.refresh_from_db()
    start = patient.surgery_date + timedelta(days=40)
    chart = build_chart(
        "leg-pain",
        patient_timeline(patient),
        Period(start, start + timedelta(days=10)),
        care_team=True,
    )
    keys = {s.key for s in chart.series}
    assert {"band-high", "band-low"} <= keys
    assert "clinic-band-high" not in keys


def test_the_patients_own_chart_never_has_a_band(clinic, patient):
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    patient.refresh_from_db()
    start = patient.surgery_date + timedelta(days=40)
    chart = build_chart(
        "leg-pain",
        patient_timeline(patient),
        Period(start, start + timedelta(days=10)),
        clinic_bands={"leg_pain": {6: (25.0, 50.0, 75.0, 31)}},
    )
    assert not {s.key for s in chart.series} & {"clinic-band-high", "band-high"}


def test_the_care_page_shows_the_clinic_band_without_another_query(
    client, surgeon, clinic, patient
):
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    CheckIn.objects.bulk_create(
        CheckIn(patient=patient, day=patient.surgery_date + timedelta(days=n), leg_pain=4)
        for n in range(12, 20)
    )
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/"

    def page():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return html, len(queries)

    before, count_before = page()
    assert "middle half" not in before
    RecoveryBand.objects.create(
        clinic=clinic,
        computed_on=timezone.localdate(),
        min_patients=30,
        weeks={"leg_pain": {"2": [20.0, 40.0, 60.0, 35]}, "back_pain": {}},
    )
    after, count_after = page()
    assert "patients (middle half)" in after
    assert count_after == count_before


def test_the_pdf_draws_both_bands_in_their_own_colours(clinic, patient):
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    patient.refresh_from_db()
    start = patient.surgery_date + timedelta(days=40)
    chart = build_chart(
        "leg-pain",
        patient_timeline(patient),
        Period(start, start + timedelta(days=10)),
        care_team=True,
        clinic_bands={"leg_pain": {6: (25.0, 50.0, 75.0, 31)}},
    )
    svg = str(chart_svg(chart))
    assert svg.count("<polygon") == 2
    assert 'fill="#0b5cad"' in svg and 'fill="#1d6b34"' in svg
    assert "This clinic&#x27;s patients (middle half)" in svg or "middle half" in svg
