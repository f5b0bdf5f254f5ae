"""A clinic's own §2 meaningful change reaches the rule, the charts, the wording and the report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_patient
from tracker.charts.figures import Period
from tracker.exports.content import build_report
from tracker.exports.pdf import report_html
from tracker.flags.engine import evaluate_patient
from tracker.models import CheckIn, ClinicThresholds, Flag


@pytest.fixture
def week_6_patient(clinic, surgeon):
    """Leg pain 5 before surgery; at week 6 its 7-day mean is 3.5: 1.5 points and 30 % lower,
    meaningful by the reference (≥ 30 %) and not by a clinic asking for 40 %."""
    patient = make_patient(
        "six@clinic.test", clinic, surgery_days_ago=42, team=(surgeon,), baseline_leg_pain=5
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            day=patient.surgery_date + timedelta(days=n),
            back_pain=2,
            leg_pain=3 if n % 2 else 4,
            leg_side="left",
        )
        for n in range(37, 43)
    )
    return patient


def with_40_percent(clinic):
    ClinicThresholds.objects.create(clinic=clinic, values={"mcid_pain_percent": 40})


def week_6(patient):
    return patient.surgery_date + timedelta(days=42)


def improvement_line(client, patient) -> float:
    data = client.get(f"/care/patients/{patient.public_id}/trends/data/leg-pain.json").json()
    line = next(d for d in data["datasets"] if d["label"] == "Meaningful improvement")
    return line["data"][-1]


def report_text(patient) -> tuple[str, bool]:
    report = build_report(
        patient,
        Period(patient.surgery_date, week_6(patient)),
        generated_by="Sam Surgeon (Surgeon)",
        generated_at=timezone.now(),
    )
    leg = next(row for row in report.measures if row.label == "Leg pain")
    return report_html(report), leg.meaningful


def test_without_clinic_values_everything_uses_the_reference_30_percent(
    week_6_patient, client, surgeon
):
    evaluate_patient(week_6_patient, week_6(week_6_patient))
    assert not Flag.objects.filter(rule_id="P3-LEG-NO-MCID-6W").exists()
    client.force_login(surgeon)
    assert improvement_line(client, week_6_patient) == 3.5  # 30 % of 5 is less than 2 points
    client.force_login(week_6_patient.user)
    html = client.get("/me/trends/").content.decode()
    assert "Your leg pain is 30 % lower than before surgery." in html
    assert "That is a meaningful improvement." in html
    html, meaningful = report_text(week_6_patient)
    assert meaningful is True
    assert "≥ 2 points or ≥ 30 % (§2, Ostelo 2008 [E])" in html
    assert "clinic setting" not in html


def test_a_clinic_40_percent_reaches_p3_the_chart_the_sentence_and_the_report(
    week_6_patient, clinic, client, surgeon
):
    with_40_percent(clinic)
    evaluate_patient(week_6_patient, week_6(week_6_patient))
    flag = Flag.objects.get(rule_id="P3-LEG-NO-MCID-6W")
    assert "≥ 2 points or ≥ 40 %" in flag.clinician_explanation
    client.force_login(surgeon)
    assert improvement_line(client, week_6_patient) == 3  # 40 % of 5 is 2 points
    summary = client.get(f"/care/patients/{week_6_patient.public_id}/").content.decode()
    assert "≥ 2 points or ≥ 40 % below the baseline" in summary  # the chart's note
    client.force_login(week_6_patient.user)
    html = client.get("/me/trends/").content.decode()
    assert "Your leg pain is 30 % lower than before surgery." in html
    assert "That is a small change so far." in html
    html, meaningful = report_text(week_6_patient)
    assert meaningful is False
    assert "≥ 2 points or ≥ 40 % (clinic setting; §2: ≥ 2 points or ≥ 30 %, Ostelo 2008 [E])" in (
        html
    )
