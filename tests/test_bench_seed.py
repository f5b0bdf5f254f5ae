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
