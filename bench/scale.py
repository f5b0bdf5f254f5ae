"""`make bench-scale`: the nightly evaluation at scale, inline and fanned out over RQ workers.

Seeds 10,000 patients x 365 days into a scratch database, never db.sqlite3 (the first 1,000
one by one with bench/seed.py, a year of questionnaires each, the others copies of them made in
SQL by bench/outcomes_page.copy_patients; then every caseload summary and outcome row written):
a database named laminar_bench_scale on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), dropped and created again, or with `--database sqlite`
bench-results/scale.sqlite3. Then, from the same starting point each time (the flags, their
e-mails, reminders and run records of the previous measurement deleted):

- the loop the nightly run was before it fanned out (every patient in one process, no batches),
  for the per-patient comparison;
- `evaluate_flags --inline`: the batches worked through in one process;
- `evaluate_flags` on RQ with 1 worker, then with 2 (`rqworker --job-class django_tasks_rq.Job`
  processes started before the run): wall time from queueing to the end of the last batch.

It prints the seeding time, the wall times, the time per patient and the speed-up of 2 workers
over 1, then loads the clinic outcomes page at this many patients against the signed-in
baseline (gunicorn -w 2, wrk, as `make bench`): requests/s with 16 connections and its ratio to
the baseline's, and the median with 1 connection (what one clinician waits). Redis must answer
at --redis-url (a database of its own, emptied).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402 (the repository root goes on the path first)
    PYTHON,
    RESULTS,
    ROOT,
    manage,
    production_environment,
    start_server,
    step,
    wrk,
)

SCRATCH = "laminar_bench_scale"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--seeded",
        type=int,
        default=1000,
        help="patients seeded one by one; the rest are copies of them made in SQL",
    )
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, in order")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a kept scratch database, without seeding"
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="with --reuse: only the outcomes page"
    )
    return parser.parse_args()


def scratch_url(args) -> str:
    if args.database == "sqlite":
        RESULTS.mkdir(exist_ok=True)
        return f"sqlite:///{RESULTS / 'scale.sqlite3'}"
    source = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not source.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database postgresql needs DATABASE_URL=postgres://... (its server)")
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(source)._replace(path=f"/{SCRATCH}"))


def recreate(url: str, *, drop_only: bool = False) -> None:
    if url.startswith("sqlite"):
        Path(urllib.parse.urlsplit(url).path).unlink(missing_ok=True)
        return
    import psycopg

    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if not drop_only:
            connection.execute(f"CREATE DATABASE {SCRATCH}")


def django_code(env: dict[str, str], code: str) -> str:
    """Run `code` after django.setup() in a child with `env`; returns what it printed."""
    result = subprocess.run(
        [PYTHON, "-c", "import django\ndjango.setup()\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


# The scratch database's patients: the first seeded one by one (bench/seed.py: a year of
# check-ins each, then a year of questionnaires), the others copies of them made in SQL, each
# a patient of its own. Then what a bulk import leaves to write: every caseload summary and
# every clinic outcome row (as `manage.py refresh_summaries` and the nightly
# update_recovery_bands do), so no page or run measured later writes them on its way.
SEED = """
import json, time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from bench.outcomes_page import copy_patients, seed_questionnaires
from bench.seed import seed
from tracker.care.summary import refresh_summaries
from tracker.models import Patient
from tracker.outcomes.upkeep import refresh_outcome_rows
times = {}
started = time.monotonic()
people = seed(patients=min(__PATIENTS__, __SEEDED__), days=__DAYS__)
seed_questionnaires()
times["seeded one by one"] = time.monotonic() - started
started = time.monotonic()
copy_patients(1, up_to=__PATIENTS__)
times["copied in SQL"] = time.monotonic() - started
started = time.monotonic()
refresh_summaries(Patient.objects.order_by("pk"))
times["caseload summaries"] = time.monotonic() - started
started = time.monotonic()
refresh_outcome_rows()
times["outcome rows"] = time.monotonic() - started
user = people["surgeon"]
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store.create()
print("SEEDED " + json.dumps({"surgeon": store.session_key, "times": times}))
"""


def seed_scaled(env: dict[str, str], args) -> dict:
    """Seed as SEED says, printing the time of each part; returns the surgeon's session."""
    code = (
        SEED.replace("__PATIENTS__", str(args.patients))
        .replace("__SEEDED__", str(max(args.seeded, 1)))
        .replace("__DAYS__", str(args.days))
    )
    out = django_code(env, code)
    data = json.loads(next(x for x in out.splitlines() if x.startswith("SEEDED "))[7:])
    for part, seconds in data["times"].items():
        print(f"   {part}: {seconds:.0f} s", flush=True)
    return {"surgeon": data["surgeon"]}


# What one measurement leaves behind, deleted so that the next starts from the same data.
RESET = """
from django.db import connection
from tracker.models import Flag, JobRun, Notification, PatientReminder
from django_tasks_db.models import DBTaskResult
Notification.objects.all().delete()
Flag.objects.all().delete()
PatientReminder.objects.all().delete()
JobRun.objects.all().delete()
DBTaskResult.objects.all().delete()
"""

# The nightly run as it was before it fanned out, the per-patient baseline: every patient in
# one loop, no batches, each with their whole history (patient_timelines), as it then read.
OLD_LOOP = "single loop, whole histories"
SINGLE_LOOP = """
import time
from tracker.flags.engine import evaluate_patient
from tracker.models import Patient
from tracker.models.timelines import patient_timelines
started = time.monotonic()
patients = Patient.objects.select_related("user", "clinic", "clinic__thresholds").order_by("pk")
for patient, timeline in patient_timelines(patients):
    day = patient.local_date()
    evaluate_patient(patient, day, timeline=timeline.until(day), include_time_rules=True)
print(f"SECONDS {time.monotonic() - started}")
"""

FINISHED = """
from tracker.models import JobRun
run = JobRun.objects.filter(job="evaluate_flags").order_by("-started_at").first()
print("RUN", run.finished_at is not None, run.seconds or 0, run.patients, run.failures,
      run.flags_opened, run.batches_done, run.batches)
"""


def run_state(env: dict[str, str]) -> list[str]:
    line = next(x for x in django_code(env, FINISHED).splitlines() if x.startswith("RUN "))
    return line.split()[1:]


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def fanned_out(env: dict[str, str], workers: int, args) -> tuple[float, list[str]]:
    """Wall time of `evaluate_flags` on RQ with `workers` worker processes: from queueing the
    batches to the end of the last one (the run's own record)."""
    django_code(env, RESET)
    flush_redis(args.redis_url)
    RESULTS.mkdir(exist_ok=True)
    log = (RESULTS / f"scale-rq-{workers}-workers.log").open("w")
    processes = [
        subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "rqworker",
                "--job-class",
                "django_tasks_rq.Job",
                # No fork per job: each worker keeps its database connection from batch to
                # batch, as a long-running worker does.
                "--worker-class",
                "rq.worker.SimpleWorker",
                "default",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(5)  # the workers import Django and connect before the clock starts
        manage(env, "evaluate_flags")
        while True:
            state = run_state(env)
            if state[0] == "True":
                break
            if any(process.poll() is not None for process in processes):
                raise SystemExit("an RQ worker stopped during the run")
            time.sleep(0.5)
        # The run's own record: from its creation (the batches queued) to its last batch.
        return float(state[1]), state
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()


def outcomes_page(env: dict[str, str], sessions: dict, args) -> list[tuple[str, float, float]]:
    """(label, requests/s, median ms) of the signed-in baseline and of the outcomes page under
    args.connections connections, then of the outcomes page alone with 1 connection: its median
    there is the time one clinician waits (the aim: within 1 s)."""
    server = start_server(env, args.port)
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        cookie = f"sessionid={sessions['surgeon']}"
        page = f"clinic outcomes, {args.patients:,} patients"
        for label, path in (
            ("baseline (constant response, signed in)", "/bench/baseline"),
            (page, "/clinic/outcomes/"),
        ):
            data = wrk(base + path, cookie, args)
            rows.append((label, data["rps"], data.get("p50_us", 0) / 1000))
        rows.append((f"{page}, 1 connection", *one_connection(args, "/clinic/outcomes/", cookie)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: its workers did not stop in time
            server.kill()
            server.wait(timeout=30)
    return rows


def one_connection(args, path: str, cookie: str) -> tuple[float, float]:
    """(requests/s, median ms) of `path` asked for again and again over one kept-alive
    connection for args.duration seconds (wrk needs a connection per thread)."""
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    times = []
    started = time.monotonic()
    try:
        while time.monotonic() - started < args.duration or len(times) < 3:
            sent = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            times.append(time.perf_counter() - sent)
    finally:
        connection.close()
    return len(times) / (time.monotonic() - started), 1000 * statistics.median(times)


def main() -> None:
    args = parse_args()
    try:
        import redis

        redis.Redis.from_url(args.redis_url, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure to reach it stops the benchmark
        raise SystemExit(f"Redis does not answer at {args.redis_url}: {error}") from None
    url = scratch_url(args)
    env = production_environment(url)
    env.update(
        TASKS_BACKEND="rq",
        REDIS_URL=args.redis_url,
        NIGHTLY_BATCH_SIZE=str(args.batch_size),
        DB_CONN_MAX_AGE="0",
    )
    inline_env = {**env, "TASKS_BACKEND": "db"}
    results: dict[str, float] = {}
    seeded: float | None = None
    try:
        if not args.reuse:
            t = step(f"scratch {args.database} database {url.rsplit('/', 1)[-1]}, migrate")
            recreate(url)
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "collectstatic", "--noinput", "-v", "0")
            t = step(
                f"seed {args.patients:,} patients x {args.days} days "
                f"({min(args.patients, args.seeded):,} one by one, then copied in SQL)"
            )
            sessions = seed_scaled(env, args)
            seeded = time.monotonic() - t
            print(f"   seeded in {seeded:.0f} s", flush=True)
        else:
            sessions = seed_and_sign_in_existing(env)
        if args.pages_only:
            step("clinic outcomes page against the signed-in baseline (gunicorn -w 2, wrk)")
            print_results({}, outcomes_page(inline_env, sessions, args), args, seeded)
            return
        step("the nightly evaluation, each from the same data")
        django_code(env, RESET)
        out = django_code(inline_env, SINGLE_LOOP)
        results[OLD_LOOP] = float(out.split("SECONDS ")[1])
        print(f"   {OLD_LOOP}: {results[OLD_LOOP]:.1f} s", flush=True)
        django_code(env, RESET)
        manage(inline_env, "evaluate_flags", "--inline")
        results["evaluate_flags --inline"] = float(run_state(env)[1])
        print(f"   --inline: {results['evaluate_flags --inline']:.1f} s", flush=True)
        for count in (int(n) for n in args.workers.split(",") if n.strip()):
            seconds, state = fanned_out(env, count, args)
            label = f"RQ, {count} worker{'s' if count > 1 else ''}"
            results[label] = seconds
            print(
                f"   {label}: {seconds:.1f} s (patients {state[2]}, failures {state[3]}, "
                f"flags {state[4]}, batches {state[5]}/{state[6]})",
                flush=True,
            )
        step("clinic outcomes page against the signed-in baseline (gunicorn -w 2, wrk)")
        pages = outcomes_page(inline_env, sessions, args)
    finally:
        if not args.keep:
            recreate(url, drop_only=True)
    print_results(results, pages, args, seeded)


def seed_and_sign_in_existing(env: dict[str, str]) -> dict:
    """Session keys for a kept database (--reuse): the surgeon's, for the outcomes page."""
    code = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tracker.models import User
user = User.objects.get(email="surgeon@bench.test")
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store.create()
print("SESSION " + store.session_key)
"""
    out = django_code(env, code)
    return {"surgeon": out.split("SESSION ")[1].strip()}


def print_results(results: dict[str, float], pages, args, seeded: float | None) -> None:
    print()
    if seeded is not None:
        print(
            f"Seeding {args.patients:,} patients x {args.days} days "
            f"({min(args.patients, args.seeded):,} one by one, the rest copied in SQL, "
            f"summaries and outcome rows written): {seeded:.0f} s"
        )
    print(
        f"Nightly evaluation, {args.patients:,} patients x {args.days} days, {args.database}, "
        f"batches of {args.batch_size}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'run':<34} {'wall s':>8} {'ms/patient':>11}")
    for label, seconds in results.items():
        print(f"{label:<34} {seconds:>8.1f} {1000 * seconds / args.patients:>11.2f}")
    one, two = results.get("RQ, 1 worker"), results.get("RQ, 2 workers")
    if one and two:
        print(f"speed-up of 2 workers over 1: {one / two:.2f} x (aim: at least 1.7 x)")
    print()
    print(f"{'page':<50} {'requests/s':>11} {'median ms':>10}")
    for label, rps, median in pages:
        print(f"{label:<50} {rps:>11.0f} {median:>10.1f}")
    if len(pages) == 3 and pages[0][1]:
        print(
            f"outcomes page: {100 * pages[1][1] / pages[0][1]:.1f} % of the baseline's "
            f"requests/s with {args.connections} connections; median {pages[2][2]:.0f} ms with "
            "1 connection (aim: within 1 s)"
        )


if __name__ == "__main__":
    main()
