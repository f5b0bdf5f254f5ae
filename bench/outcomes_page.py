"""Time /clinic/outcomes/ at clinic scale, in process, on a scratch database.

    DATABASE_URL=sqlite:////tmp/outcomes-10k.sqlite3 .venv/bin/python bench/outcomes_page.py \
        --seed --patients 1000 --copies 10
    DATABASE_URL=sqlite:////tmp/outcomes-10k.sqlite3 .venv/bin/python bench/outcomes_page.py

`--seed` migrates the (empty) scratch database and fills it with bench.seed.seed (a year of
daily check-ins per patient) plus a year of questionnaires (PEG weekly, PHQ-2 fortnightly, an
ODI before surgery and at each audit point), so every figure of the page has rows to count.
`--copies N` then makes the patients N times as many in SQL (seeding 10,000 one by one takes
most of an hour). Without either, the page is timed on what the database holds. Never point it
at db.sqlite3.

From other code (e.g. a larger benchmark that has already seeded with bench.seed.seed, which
writes in bulk and so leaves every patient's outcome row to be written):

    from bench.outcomes_page import time_outcomes_page
    from tracker.outcomes.upkeep import refresh_outcome_rows
    refresh_outcome_rows()  # as the nightly update_recovery_bands does
    result = time_outcomes_page(surgeon)  # {"p50_ms": ..., "queries": ..., ...}
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _year_of_questionnaires(rng: random.Random) -> list[tuple[str, int, float]]:
    """(instrument, post-operative day, total) of one patient's year."""
    answered = []
    peg_start = rng.uniform(5, 8)
    for day_number in range(0, 366, 7):
        day = day_number + rng.randint(0, 2)
        answered.append(("peg", day, peg_start * (0.4 + 0.6 * 0.97**day_number)))
    for day_number in range(0, 366, 14):
        if rng.random() < 0.85:
            answered.append(("phq2", day_number + rng.randint(0, 3), rng.randint(0, 4)))
    odi_start = rng.uniform(30, 60)
    answered.append(("odi", -7, odi_start))
    for day_number in (42, 84, 182, 365):
        if rng.random() < 0.8:
            day = day_number + rng.randint(-2, 2)
            answered.append(("odi", day, odi_start * rng.uniform(0.3, 0.9)))
    return answered


def seed_questionnaires(seed: int = 11) -> int:
    """A year of questionnaires for every patient in the database; returns how many rows."""
    from tracker.models import Patient, QuestionnaireResponse, ResponseSource

    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    rows: list[QuestionnaireResponse] = []
    written = 0
    for patient in Patient.objects.order_by("pk").iterator(chunk_size=2000):
        today = patient.local_date()
        for instrument, day_number, total in _year_of_questionnaires(rng):
            day = patient.surgery_date + timedelta(days=day_number)
            if day > today:
                continue
            source = ResponseSource.PAPER if instrument == "odi" else ResponseSource.PATIENT
            rows.append(
                QuestionnaireResponse(
                    patient=patient,
                    instrument=instrument,
                    day=day,
                    total=round(max(0.0, min(total, 100.0)), 2),
                    source=source,
                )
            )
        if len(rows) >= 20000:
            QuestionnaireResponse.objects.bulk_create(rows)
            written += len(rows)
            rows = []
    QuestionnaireResponse.objects.bulk_create(rows)
    return written + len(rows)


def copy_patients(copies: int, up_to: int | None = None) -> int:
    """Make the database's patients `copies` times as many (or, with `up_to`, as many as
    that, the last copy partial), in SQL: seeding 10,000 patients one by one takes most of an
    hour. Each copy is a patient of its own (user, patient row) with its own rows of the
    original's check-ins and their revisions, questionnaires, and care-team memberships except
    the physiotherapists' (their caseloads keep the sizes bench.seed gives them). Returns how
    many patients there are. The copies' caseload summaries and outcome rows are left to
    write: `refresh_summaries` and `refresh_outcome_rows` after the last copy."""
    from django.db import connection, transaction

    from tracker.models import (
        CareTeamMember,
        CheckIn,
        CheckInRevision,
        Patient,
        QuestionnaireResponse,
        Role,
        User,
    )

    originals = list(
        Patient.objects.select_related("user").prefetch_related("memberships__staff").order_by("pk")
    )
    if not originals:
        return 0
    wanted = up_to if up_to is not None else len(originals) * copies
    if connection.vendor == "postgresql":
        new_uuid = "gen_random_uuid()"
    else:
        new_uuid = "lower(hex(randomblob(16)))"

    def columns(model, *skip: str) -> list[str]:
        left_out = {"id", "public_id", *skip}
        return [f.column for f in model._meta.concrete_fields if f.column not in left_out]

    checkin_columns = columns(CheckIn, "patient_id")
    answered = columns(QuestionnaireResponse, "patient_id")
    revised = columns(CheckInRevision, "checkin_id", "submission_id")
    revisions, checkins = CheckInRevision._meta.db_table, CheckIn._meta.db_table
    fields = [
        f.name for f in Patient._meta.concrete_fields if f.name not in {"id", "public_id", "user"}
    ]
    total, copy = len(originals), 0
    while total < wanted:
        copy += 1
        batch = originals[: wanted - total]
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"copy{copy}-{p.user.email}",
                    full_name=p.user.full_name,
                    role=p.user.role,
                    clinic_id=p.user.clinic_id,
                    password=p.user.password,
                )
                for p in batch
            )
            patients = Patient.objects.bulk_create(
                Patient(user=user, **{name: getattr(p, name) for name in fields})
                for p, user in zip(batch, users, strict=True)
            )
            CareTeamMember.objects.bulk_create(
                CareTeamMember(patient=new, staff_id=member.staff_id)
                for old, new in zip(batch, patients, strict=True)
                for member in old.memberships.all()
                if member.staff.role != Role.PHYSIO
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE bench_patient_map (old_id integer, new_id integer)"
                )
                cursor.executemany(
                    "INSERT INTO bench_patient_map VALUES (%s, %s)",
                    [(old.pk, new.pk) for old, new in zip(batch, patients, strict=True)],
                )
                for table, listed in (
                    (checkins, checkin_columns),
                    (QuestionnaireResponse._meta.db_table, answered),
                ):
                    cursor.execute(
                        f"INSERT INTO {table} (public_id, patient_id, {', '.join(listed)}) "  # noqa: S608
                        f"SELECT {new_uuid}, m.new_id, {', '.join('t.' + c for c in listed)} "
                        f"FROM {table} t JOIN bench_patient_map m ON t.patient_id = m.old_id"
                    )
                # Each copied check-in gets its own copy of the original day's revisions.
                cursor.execute(
                    f"INSERT INTO {revisions} (checkin_id, submission_id, "  # noqa: S608
                    f"{', '.join(revised)}) "
                    f"SELECT n.id, {new_uuid}, {', '.join('r.' + c for c in revised)} "
                    f"FROM {revisions} r JOIN {checkins} o ON r.checkin_id = o.id "
                    f"JOIN bench_patient_map m ON o.patient_id = m.old_id "
                    f"JOIN {checkins} n ON n.patient_id = m.new_id AND n.day = o.day"
                )
                cursor.execute("DROP TABLE bench_patient_map")
        total += len(batch)
        print(f"copy {copy} written: {total:,} patients", flush=True)
    return Patient.objects.count()


def time_outcomes_page(surgeon, repeats: int = 7, query: dict | None = None) -> dict:
    """Load the outcomes page `repeats` times as `surgeon` (a clinician of the clinic), through
    the view as a request would, and return the times (ms), their median and the queries of
    the last load. The first load is also timed separately: it may warm caches."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from tracker.views.outcomes import outcomes

    factory = RequestFactory()

    def load() -> tuple[float, float, int]:
        request = factory.get("/clinic/outcomes/", query or {})
        request.user = surgeon
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = outcomes(request)
            body = response.content
        elapsed = 1000 * (time.perf_counter() - started)
        cpu = 1000 * (time.process_time() - cpu)
        if response.status_code != 200 or b"Meaningful improvement" not in body:
            raise RuntimeError(f"the outcomes page answered {response.status_code}")
        return elapsed, cpu, len(queries)

    first, _, _ = load()
    times, cpus, counts = [], [], []
    for _ in range(max(repeats, 1)):
        elapsed, cpu, count = load()
        times.append(elapsed)
        cpus.append(cpu)
        counts.append(count)
    return {
        "first_ms": round(first, 1),
        "p50_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        # CPU time of this process (the whole query on SQLite, none of PostgreSQL's server):
        # on a busy machine the wall time above also counts the time spent waiting for a core.
        "cpu_p50_ms": round(statistics.median(cpus), 1),
        "queries": counts[-1],
        "times_ms": [round(t, 1) for t in times],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed first")
    parser.add_argument("--patients", type=int, default=10000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--copies", type=int, default=1, help="then copy the patients N times")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.rstrip("/").endswith("db.sqlite3"):
        raise SystemExit("Set DATABASE_URL to a scratch database (never db.sqlite3).")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from tracker.models import User

    if args.seed:
        from bench.seed import seed

        call_command("migrate", "--noinput", verbosity=0)
        started = time.monotonic()
        seed(patients=args.patients, days=args.days)
        answered = seed_questionnaires()
        print(f"seeded {args.patients} patients, {answered} questionnaires", flush=True)
        print(f"seeding took {time.monotonic() - started:.0f} s", flush=True)
    if args.copies > 1:
        started = time.monotonic()
        print(f"{copy_patients(args.copies)} patients", flush=True)
        print(f"copying took {time.monotonic() - started:.0f} s", flush=True)
    if args.seed or args.copies > 1:
        # What the nightly update_recovery_bands does after a bulk import: each patient's row.
        from tracker.care.summary import refresh_summaries
        from tracker.models import Patient
        from tracker.outcomes.upkeep import refresh_outcome_rows

        refresh_summaries(Patient.objects.order_by("pk"))  # the copies' caseload rows

        started = time.monotonic()
        written = refresh_outcome_rows()
        print(f"outcome rows of {written} patients written in {time.monotonic() - started:.1f} s")
    surgeon = User.objects.get(email="surgeon@bench.test")
    result = time_outcomes_page(surgeon, repeats=args.repeats)
    print(result)


if __name__ == "__main__":
    main()
