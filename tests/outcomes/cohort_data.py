"""A small cohort whose outcome figures are worked out by hand in the tests."""

from datetime import timedelta

from tests.factories import make_patient, make_user
from tracker.models import CheckIn, Patient, QuestionnaireResponse, Role


def leg(patient, **values_by_day):
    for name, value in values_by_day.items():
        number = int(name.removeprefix("d"))
        CheckIn.objects.create(
            patient=patient,
            day=patient.surgery_date + timedelta(days=number),
            leg_pain=value,
            back_pain=3,
        )


def peg(patient, **totals_by_day):
    for name, total in totals_by_day.items():
        number = int(name.removeprefix("d").replace("m", "-"))
        QuestionnaireResponse.objects.create(
            patient=patient,
            instrument="peg",
            day=patient.surgery_date + timedelta(days=number),
            total=total,
        )


def build_cohort(clinic):
    """Five patients: at 6 weeks, leg pain improved for p1 and p3 of the 3 with data."""
    first = make_user("first@example.org", Role.CLINICIAN, clinic, full_name="Ann First")
    second = make_user("second@example.org", Role.CLINICIAN, clinic, full_name="Bo Second")
    p1 = make_patient("p1@example.org", clinic, surgery_days_ago=100, surgeon=first)
    Patient.objects.filter(pk=p1.pk).update(baseline_leg_pain=8)
    leg(p1, **{f"d{day}": 4 for day in range(39, 46)})  # 8 → 4: improved by 4 points
    peg(p1, dm5=8, d80=5)  # 8 → 5: 37.5 %, improved

    p2 = make_patient("p2@example.org", clinic, surgery_days_ago=100, surgeon=first)
    leg(p2, d0=10, d1=6, d2=7, d3=8, d5=2)  # day 0 left out; baseline mean(6, 7, 8) = 7
    leg(p2, d39=6, d40=6, d41=6, d42=6)  # 7 → 6: 1 point, 14 %: not improved
    peg(p2, d3=6, d77=6, d88=3)  # baseline 6; day 88 is closer to 84 than day 77: 6 → 3

    p3 = make_patient("p3@example.org", clinic, surgery_days_ago=100, surgeon=second)
    leg(p3, d2=5, d10=5, d14=5, d20=1)  # baseline 5 from the first 3 recorded days
    leg(p3, d40=3, d41=4, d42=3, d43=4)  # 5 → 3.5: exactly 30 %, improved
    peg(p3, d30=5)  # no baseline in the first 3 weeks, no score at 12 weeks

    p4 = make_patient("p4@example.org", clinic, surgery_days_ago=100, surgeon=first)
    Patient.objects.filter(pk=p4.pk).update(baseline_leg_pain=6)
    leg(p4, d41=1, d42=1, d43=1)  # 3 days in the window: fewer than 4, no value

    make_patient("p5@example.org", clinic, surgery_days_ago=20)  # 6 weeks not reached
    return Patient.objects.all()
