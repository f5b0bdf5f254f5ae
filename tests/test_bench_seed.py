"""The benchmark's bulk path writes the rows the normal recording path writes."""

import random
from datetime import timedelta

from django.utils import timezone

from bench.seed import bulk_checkin_rows, realistic_answers, seed
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, CheckInRevision, Patient, Source

COMPARED = ("patient_id", "day", "updated_by_id", *CheckIn.ANSWER_FIELDS)


def test_bulk_rows_equal_those_of_record_checkin(patient):
    rng = random.Random(3)
    for offset, side in ((1, "left"), (2, "both"), (40, "right")):
        day = patient.surgery_date + timedelta(days=offset)
        answers = realistic_answers(rng, patient, offset, side)
        answers["symptoms"] = {"radiating_pain": "", "numbness_tingling": side}
        answers["safety"]["fall"] = True
        record_checkin(patient, day, answers, by=patient.user, source=Source.IMPORT, notify=False)
        recorded = CheckIn.objects.get(patient=patient, day=day)
        revision = recorded.revisions.get()

        bulk, bulk_revision = bulk_checkin_rows(
            patient, day, answers, by=patient.user, at=timezone.now(), source=Source.IMPORT
        )
        bulk.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
        assert {f: getattr(bulk, f) for f in COMPARED} == {
            f: getattr(recorded, f) for f in COMPARED
        }
        assert (bulk_revision.source, bulk_revision.before, bulk_revision.changed_by) == (
            revision.source,
            revision.before,
            revision.changed_by,
        )
        assert bulk_revision.after == revision.after


def test_seed_writes_a_year_for_each_patient_and_the_caseloads(db):
    today = timezone.localdate()
    people = seed(patients=3, days=30, today=today)
    assert Patient.objects.count() == 3
    per_patient = CheckIn.objects.filter(patient=people["patient"]).count()
    assert 20 <= per_patient <= 30
    assert CheckInRevision.objects.count() == CheckIn.objects.count()
    assert not CheckIn.objects.filter(day__gt=today).exists()
    assert people["physio100"].caseload.count() == 3


def test_the_baseline_view_is_not_routed_in_normal_use(client):
    assert client.get("/bench/baseline").status_code == 404


def test_the_baseline_view_answers_a_constant(rf):
    from tracker.views.bench import baseline

    response = baseline(rf.get("/bench/baseline"))
    assert (response.status_code, response.content) == (200, b"ok")
    assert baseline(rf.post("/bench/baseline")).status_code == 405


def test_copies_are_patients_of_their_own_with_their_own_rows(db):
    from bench.outcomes_page import copy_patients, seed_questionnaires
    from tracker.models import CareTeamMember, QuestionnaireResponse

    people = seed(patients=2, days=20)
    seed_questionnaires()
    assert copy_patients(1, up_to=5) == 5
    original = people["patient"]
    copies = Patient.objects.filter(user__email__endswith=original.user.email).exclude(
        pk=original.pk
    )
    assert copies.count() == 2  # the third copy is of the other patient
    copy = copies.first()
    days = list(CheckIn.objects.filter(patient=original).order_by("day").values_list("day"))
    assert list(CheckIn.objects.filter(patient=copy).order_by("day").values_list("day")) == days
    # Each copied day has its own revision, not the original's.
    assert CheckInRevision.objects.filter(checkin__patient=copy).count() == len(days)
    assert CheckInRevision.objects.values("submission_id").distinct().count() == (
        CheckInRevision.objects.count()
    )
    assert QuestionnaireResponse.objects.filter(patient=copy).count() == (
        QuestionnaireResponse.objects.filter(patient=original).count()
    )
    # On the surgeon's list; the physiotherapists' caseloads keep their seeded sizes.
    assert CareTeamMember.objects.filter(patient=copy, staff=people["surgeon"]).exists()
    assert people["physio100"].caseload.count() == 2
