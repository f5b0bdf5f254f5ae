"""Demo data: one clinic, its staff and eight patients at different points of their recovery.

The patients span the range a care team follows: day 2 after surgery to month 6, one who has
gone quiet, one who answered an emergency question today and one whose pain came back after
improving. All dates are counted back from today, so the demo reads right on any day.

Everything a patient "entered" goes through the same recording functions as real use, so
the demo raises the same safety findings and flags a real diary would; as for any past data,
they are raised quietly (no e-mail).
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.auth.second_factor import DEVICE_NAME
from tracker.checkins.questionnaire_responses import record_response
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient
from tracker.models import (
    CareTeamMember,
    Clinic,
    ClinicianKind,
    LegSide,
    Patient,
    Role,
    Source,
    User,
)
from tracker.programmes.demo import demo_exercise_answers, give_demo_programme
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

DEMO_PASSWORD = "laminar-demo"  # noqa: S105 - documented demo sign-in
# "Laminar-demo-key----" in hex; base32 JRQW22LOMFZC2ZDFNVXS223FPEWS2LJN for an authenticator.
DEMO_TOTP_KEY = "4c616d696e61722d64656d6f2d6b65792d2d2d2d"

# The quiet patient's last check-in, in days before today.
SILENT_DAYS = 5
# The last days of every other patient's diary are complete: their stories happen there.
STORY_DAYS = 3
# Patients skip a day now and then, more often as recovery goes on, but never more than
# MAX_SKIPPED days in a row (longer silences are the quiet patient's story).
SKIP_SHARE_EARLY = 0.08
SKIP_SHARE_LATER = 0.15
SKIP_LATER_FROM_DAY = 42
MAX_SKIPPED = 2
# The rebound patient's pain starts to come back this many days before today.
REBOUND_DAYS = 16
# The low-adherence patient's walking falls over this many days before today.
WALKING_DECLINE_DAYS = 20


@dataclass(frozen=True)
class DemoPatient:
    email: str
    name: str
    story: str
    baseline_back: int
    baseline_leg: int
    levels: str
    days_since_surgery: int
    skip_share: float | None = None  # None: SKIP_SHARE_EARLY, then SKIP_SHARE_LATER


PATIENTS = [
    DemoPatient("patient@example.com", "Alex Morgan", "normal", 6, 8, "L4–L5", 86),
    DemoPatient("early@example.com", "Gus Okafor", "early", 5, 7, "L4–L5", 2),
    DemoPatient("wound@example.com", "Dana Fischer", "wound", 5, 7, "L4–L5", 10),
    DemoPatient("emergency@example.com", "Chris Adeyemi", "emergency", 6, 7, "L3–L4", 23),
    DemoPatient("quiet@example.com", "Hana Sato", "silent", 6, 7, "L5–S1", 37),
    DemoPatient("rebound@example.com", "Bea Kowalski", "rebound", 7, 8, "L5–S1", 64),
    DemoPatient(
        "adherence@example.com", "Eli Novak", "low_adherence", 6, 6, "L4–L5, L5–S1", 100, 0.25
    ),
    DemoPatient("mood@example.com", "Fran O'Neill", "low_mood", 7, 7, "L4–L5", 182, 0.2),
]


class Command(BaseCommand):
    help = "Load the demo clinic, staff and patients (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any clinic exists already."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        # The demo accounts share a published password and authenticator key.
        if not settings.LOCAL:
            raise CommandError("seed_demo is for development and tests only.")
        if if_empty and Clinic.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded.")
            return
        created = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new patients). Sign in with any of "
                f"{', '.join(sorted(SIGN_INS))}, password {DEMO_PASSWORD}."
            )
        )


SIGN_INS = {"patient@example.com", "physio@example.com", "surgeon@example.com", "admin@example.com"}


def seed_demo(today: date | None = None) -> int:
    """Create what is missing of the demo; returns the number of patients created.

    `today` is the clinic's today unless given: every demo date is counted back from it.
    """
    with transaction.atomic():
        clinic, _ = Clinic.objects.get_or_create(
            name="Laminar Demo Spine Clinic",
            defaults={
                "time_zone": "Europe/London",
                "emergency_number": "999",
                "surgical_team_phone": "020 7946 0123",
                "out_of_hours_phone": "020 7946 0999",
                "crisis_line": "Samaritans 116 123 (free, day or night)",
            },
        )
        surgeon = staff_member(
            clinic, "surgeon@example.com", "Dr Samira Patel", Role.CLINICIAN, ClinicianKind.SURGEON
        )
        physio = staff_member(clinic, "physio@example.com", "Jordan Lee", Role.PHYSIO)
        nurse = staff_member(
            clinic, "nurse@example.com", "Morgan Blake", Role.CLINICIAN, ClinicianKind.NURSE
        )
        staff_member(clinic, "admin@example.com", "Robin Hughes", Role.ADMIN)
    today = today or clinic.local_date()
    created = 0
    for index, demo in enumerate(PATIENTS):
        if User.objects.filter(email=demo.email).exists():
            continue
        with transaction.atomic():
            patient = enrol_demo_patient(clinic, demo, surgeon, (surgeon, physio, nurse), today)
            give_demo_programme(patient, physio)
            write_history(patient, demo, random.Random(1000 + index), today)  # noqa: S311
            # What the nightly run (`evaluate_flags`) would have noticed by now: the rules
            # that depend on time passing, such as the quiet patient's silence.
            evaluate_patient(patient, today, include_time_rules=True, notify=False)
        created += 1
    return created


def staff_member(clinic, email, name, role, kind=ClinicianKind.NONE) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            role=role,
            clinician_kind=kind,
            clinic=clinic,
        )
        # Demo staff share one published authenticator key, so the demo can be tried without
        # setting up an app: `manage.py demo_code EMAIL` prints the current code.
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
    return user


def enrol_demo_patient(clinic, demo: DemoPatient, surgeon, team, today: date) -> Patient:
    user = User.objects.create_user(
        email=demo.email,
        password=DEMO_PASSWORD,
        full_name=demo.name,
        role=Role.PATIENT,
        clinic=clinic,
    )
    patient = Patient.objects.create(
        user=user,
        clinic=clinic,
        date_of_birth=date(1958 + len(demo.name), 3, 14),
        surgery_date=today - timedelta(days=demo.days_since_surgery),
        procedure="Lumbar laminectomy",
        levels=demo.levels,
        surgeon=surgeon,
        baseline_back_pain=demo.baseline_back,
        baseline_leg_pain=demo.baseline_leg,
        time_zone=clinic.time_zone,
        enrolled_by=surgeon,
    )
    CareTeamMember.objects.bulk_create([CareTeamMember(patient=patient, staff=s) for s in team])
    return patient


def recovering(start: float, floor: float, day: int, speed: float = 18.0) -> float:
    """Pain that falls from `start` towards `floor`, fastest in the first weeks."""
    return floor + (start - floor) * math.exp(-day / speed)


def checkin_days(demo: DemoPatient, rng: random.Random) -> list[int]:
    """The days since surgery on which `demo` checked in (none on the day of surgery).

    Days are missed here and there, never more than MAX_SKIPPED in a row; the last
    STORY_DAYS are all there, except for the quiet patient, silent for the last SILENT_DAYS.
    """
    last = demo.days_since_surgery
    if demo.story == "silent":
        last -= SILENT_DAYS
    days, skipped = [], 0
    for n in range(1, last + 1):
        share = demo.skip_share
        if share is None:
            share = SKIP_SHARE_EARLY if n < SKIP_LATER_FROM_DAY else SKIP_SHARE_LATER
        in_story = demo.days_since_surgery - n < STORY_DAYS or n == last
        if not in_story and skipped < MAX_SKIPPED and rng.random() < share:
            skipped += 1
            continue
        skipped = 0
        days.append(n)
    return days


def write_history(patient: Patient, demo: DemoPatient, rng: random.Random, today: date):
    for n in checkin_days(demo, rng):
        day = patient.surgery_date + timedelta(days=n)
        answers = day_answers(demo, n, rng, ago=(today - day).days)
        answers["exercises"] = demo_exercise_answers(patient, demo.story, day)
        record_checkin(
            patient,
            day,
            answers,
            by=patient.user,
            submission_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{demo.email}:{day}"),
            source=Source.DEMO,
            notify=False,
        )
        write_questionnaires(patient, demo, n, day, rng)


def clamp(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, round(value)))


def day_answers(demo: DemoPatient, n: int, rng: random.Random, *, ago: int) -> dict:
    """The answers of day `n` after surgery, `ago` days before today."""
    noise = lambda: rng.gauss(0, 0.6)  # noqa: E731
    back = recovering(demo.baseline_back, 1.5, n)
    leg = recovering(demo.baseline_leg, 1.0, n, speed=12)
    walking = min(60, 8 + n * 0.8)
    symptoms: dict[str, str] = {}
    safety: dict[str, bool] = {}
    temperature = None
    note = ""
    opioids = 3 if n < 10 else (1 if n < 21 else 0)
    sleep = clamp(back * 0.8 + noise())

    match demo.story:
        case "early" if n == 1:
            note = "Home from hospital. The wound is sore when I get up."
        case "rebound" if ago < REBOUND_DAYS:
            # Improving well, then leg pain comes back over the last two weeks.
            leg = 1.5 + (REBOUND_DAYS - ago) * 0.3
            back = 2.5 + (REBOUND_DAYS - ago) * 0.1
            symptoms["radiating_pain"] = "left"
            if ago < 7:
                symptoms["numbness_tingling"] = "left"
            note = "Shooting pain down my left leg again." if ago == 6 else ""
        case "emergency" if ago == 0:
            back, leg = 8, 7
            safety.update(bladder_change=True, saddle_numbness=True)
            symptoms["numbness_tingling"] = "both"
            note = "Could not pass water this morning and it feels numb down below."
        case "wound" if ago < STORY_DAYS:
            safety.update(wound_infection_signs=True, feverish=True)
            temperature = 38.4 if ago < 2 else 37.9
            symptoms["incision_pain"] = ""
            back += 2
            note = "Wound is red and warm, some yellow discharge."
        case "low_adherence":
            # Walks less and less over the last three weeks.
            declined = max(0, WALKING_DECLINE_DAYS - ago)
            walking = max(4, 25 - declined * 1.1)
            back += 1
        case "low_mood":
            back = recovering(demo.baseline_back, 4.5, n, speed=25)
            leg = recovering(demo.baseline_leg, 3.5, n, speed=20)
            sleep = clamp(6 + noise())
            walking = 12
            if n % 9 == 0:
                note = "Hard to get motivated. Stayed in bed most of the day."
        case _:
            pass
    if n < 14:
        symptoms.setdefault("incision_pain", "")
    if n < 25 and rng.random() < 0.4:
        symptoms.setdefault("muscle_spasm", "")
    for code in SAFETY_ANSWER_CODES:
        safety.setdefault(code, False)
    leg_pain = clamp(leg + noise())
    if demo.story == "emergency" and ago == 0:
        side = LegSide.BOTH
    elif leg_pain == 0:
        side = LegSide.NONE
    else:
        side = LegSide.LEFT
    return {
        "back_pain": clamp(back + noise()),
        "leg_pain": leg_pain,
        "leg_side": side,
        "symptoms": symptoms,
        "safety": safety,
        "temperature_c": temperature,
        "walking_minutes": clamp(walking + rng.gauss(0, 3), 0, 600),
        "opioid_doses": opioids,
        "took_other_painkillers": n < 40,
        "took_nerve_pain_medicine": demo.story in ("rebound", "low_mood") and n > 30,
        "sleep_disturbance": sleep,
        "note": note,
    }


def write_questionnaires(patient, demo: DemoPatient, n: int, day: date, rng: random.Random):
    """The weekly PEG and fortnightly PHQ-2 (PHQ-9 after a positive one), on check-in days."""
    mood = demo.story == "low_mood"
    if n % 7 == 0:
        pain = clamp(recovering(demo.baseline_back, 4 if mood else 1.5, n) + rng.gauss(0, 0.5))
        record_response(
            patient,
            "peg",
            day,
            {
                "peg-pain": pain,
                "peg-enjoyment": clamp(pain + (2 if mood else 0)),
                "peg-activity": clamp(pain + (1 if mood else 0)),
            },
            by=patient.user,
            notify=False,
        )
    if n % 14 == 0:
        low = 2 if mood and n > 20 else 0
        record_response(
            patient,
            "phq2",
            day,
            {"phq-q1": low, "phq-q2": min(3, low + 1) if mood else 0},
            by=patient.user,
            notify=False,
        )
        if mood and n > 20:
            record_response(
                patient,
                "phq9",
                day,
                {f"phq-q{n}": score for n, score in enumerate((2, 2, 2, 2, 1, 2, 1, 1, 0), 1)},
                by=patient.user,
                notify=False,
            )
