"""Benchmark data: patients with a year of daily check-ins, written in bulk.

`bulk_checkin_rows` builds the CheckIn and CheckInRevision rows that
`tracker.checkins.recording.record_checkin(..., source=Source.IMPORT, notify=False)`
writes for a new day (the same field values, the same revision), without running the rules
after each day: the flags are raised afterwards for every patient at once by
`manage.py evaluate_flags`, which the benchmark times.
tests/test_bench_seed.py holds the two paths to the same rows.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tracker.care.summary import refresh_summaries
from tracker.checkins.recording import set_answers
from tracker.models import (
    CareTeamMember,
    CheckIn,
    CheckInRevision,
    Clinic,
    ClinicianKind,
    Patient,
    Role,
    Source,
    User,
)
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

FIRST_NAMES = ["Alex", "Sam", "Jo", "Priya", "Tomasz", "Aisha", "Ewan", "Mei", "Kofi", "Ines"]
LAST_NAMES = ["Morgan", "Okafor", "Novak", "Shah", "Byrne", "Lindqvist", "Reyes", "Tanaka"]
CASELOADS = (100, 200, 1000)  # patients on the care team of one physiotherapist each


def bulk_checkin_rows(
    patient: Patient, day: date, answers: dict, *, by: User | None, at: datetime, source: str
) -> tuple[CheckIn, CheckInRevision]:
    """The unsaved rows record_checkin writes when `answers` create `patient`'s `day`."""
    checkin = CheckIn(patient=patient, day=day, created_at=at, updated_at=at, updated_by=by)
    set_answers(checkin, answers)
    revision = CheckInRevision(
        checkin=checkin,
        submission_id=uuid.uuid4(),
        changed_by=by,
        changed_at=at,
        source=source,
        before={},
        after=checkin.answers(),
    )
    return checkin, revision


def realistic_answers(rng: random.Random, patient: Patient, day_number: int, side: str) -> dict:
    """One day of a recovery that mostly goes well: pain falls, walking grows, opioids stop."""
    fade = math.exp(-day_number / 30)
    back = round((patient.baseline_back_pain or 7) * (0.3 + 0.7 * fade) + rng.gauss(0, 1))
    leg = round((patient.baseline_leg_pain or 7) * (0.2 + 0.8 * fade) + rng.gauss(0, 1))
    back, leg = min(max(back, 0), 10), min(max(leg, 0), 10)
    symptoms = {}
    if leg >= 4 and rng.random() < 0.6:
        symptoms["radiating_pain"] = ""
    if rng.random() < 0.1:
        symptoms["numbness_tingling"] = side if side != "none" else "left"
    safety = dict.fromkeys(SAFETY_ANSWER_CODES, False)
    safety["feverish"] = rng.random() < 0.002
    safety["fall"] = rng.random() < 0.002
    return {
        "back_pain": back,
        "leg_pain": leg,
        "leg_side": side if leg > 0 else "none",
        "symptoms": symptoms,
        "safety": safety,
        "temperature_c": None,
        "walking_minutes": min(600, int(5 + day_number * 0.4 + rng.randint(0, 15))),
        "opioid_doses": max(0, round(3 * fade * 2 + rng.gauss(0, 0.5))) if day_number < 60 else 0,
        "took_other_painkillers": rng.random() < 0.5 * (0.3 + fade),
        "took_nerve_pain_medicine": leg >= 5 and rng.random() < 0.5,
        "sleep_disturbance": min(10, max(0, back // 2 + rng.randint(-1, 1))),
        "note": "",
    }


def seed(
    patients: int = 1000, days: int = 365, today: date | None = None, seed: int = 9
) -> dict[str, User | Patient]:
    """A clinic with `patients` patients, each with `days` days since surgery, nearly all
    checked in; physiotherapists whose care teams hold 100, 200 and all patients.
    Returns the people the benchmark signs in as."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    today = today or timezone.localdate()
    clinic = Clinic.objects.create(
        name="Benchmark Spine Clinic",
        time_zone="UTC",
        emergency_number="999",
        surgical_team_phone="020 7946 0000",
        out_of_hours_phone="020 7946 0999",
    )
    password = make_password(uuid.uuid4().hex)
    staff = {
        f"physio{n}": User(
            email=f"physio{n}@bench.test",
            full_name=f"Physio With {n}",
            role=Role.PHYSIO,
            clinic=clinic,
            password=password,
        )
        for n in CASELOADS
    }
    staff["surgeon"] = User(
        email="surgeon@bench.test",
        full_name="Surgeon Bench",
        role=Role.CLINICIAN,
        clinician_kind=ClinicianKind.SURGEON,
        clinic=clinic,
        password=password,
    )
    User.objects.bulk_create(staff.values())
    users = User.objects.bulk_create(
        User(
            email=f"patient{i:04d}@bench.test",
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {i:04d}",
            role=Role.PATIENT,
            clinic=clinic,
            password=password,
        )
        for i in range(patients)
    )
    people = Patient.objects.bulk_create(
        Patient(
            user=user,
            clinic=clinic,
            date_of_birth=date(1950 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)),
            surgery_date=today - timedelta(days=days),
            levels=rng.choice(["L3–L4", "L4–L5", "L5–S1"]),
            surgeon=staff["surgeon"],
            baseline_back_pain=rng.randint(5, 9),
            baseline_leg_pain=rng.randint(5, 9),
            time_zone="UTC",
        )
        for user in users
    )
    members = [CareTeamMember(patient=p, staff=staff["surgeon"]) for p in people]
    for n in CASELOADS:
        members += [CareTeamMember(patient=p, staff=staff[f"physio{n}"]) for p in people[:n]]
    CareTeamMember.objects.bulk_create(members)
    for patient in people:
        write_year(rng, patient, days, today)
    refresh_summaries(people)  # the caseload's rows, which the bulk inserts skip
    return {**staff, "patient": people[0]}


def write_year(rng: random.Random, patient: Patient, days: int, today: date) -> None:
    side = rng.choice(["left", "right", "both"])
    rows = []
    for day_number in range(1, days + 1):
        day = patient.surgery_date + timedelta(days=day_number)
        if day > today or rng.random() < 0.07:  # about one day in fourteen is missed
            continue
        at = datetime.combine(day, time(19, rng.randint(0, 59)), tzinfo=UTC)
        answers = realistic_answers(rng, patient, day_number, side)
        rows.append(
            bulk_checkin_rows(patient, day, answers, by=patient.user, at=at, source=Source.IMPORT)
        )
    with transaction.atomic():
        CheckIn.objects.bulk_create([checkin for checkin, _ in rows])
        for checkin, revision in rows:
            revision.checkin = checkin
        CheckInRevision.objects.bulk_create([revision for _, revision in rows])
