"""`make bench`: seed a year of data for 1,000 patients, serve the app as in production and
measure it, always the same way. See "Benchmark" in README.md for how to read the table.

The database is a scratch one: on the PostgreSQL server of DATABASE_URL a database named
laminar_bench (dropped and created again), else bench-results/bench.sqlite3. The development
database is never touched. Load goes to 127.0.0.1 only, for a fixed time per page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def scratch_database() -> tuple[str, str]:
    """(DATABASE_URL for the benchmark, engine name)."""
    source = os.environ.get("DATABASE_URL", "")
    if source.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(source)
        return urllib.parse.urlunsplit(parts._replace(path="/laminar_bench")), "postgresql"
    RESULTS.mkdir(exist_ok=True)
    return f"sqlite:///{RESULTS / 'bench.sqlite3'}", "sqlite"


def recreate_database(url: str, engine: str) -> None:
    if engine == "sqlite":
        Path(urllib.parse.urlsplit(url).path).unlink(missing_ok=True)
        return
    import psycopg

    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS laminar_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE laminar_bench")


def drop_database(url: str, engine: str) -> None:
    if engine == "sqlite":
        Path(urllib.parse.urlsplit(url).path).unlink(missing_ok=True)
        return
    import psycopg

    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS laminar_bench WITH (FORCE)")


def production_environment(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_"))
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        BENCH_ENDPOINTS="1",
        DB_CONN_MAX_AGE="600",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        # The load comes from one patient at one address: measure the pages, not the limits.
        RATE_LIMITS=json.dumps(
            {scope: {"per_user": 10**9, "per_address": 10**9} for scope in ("checkin",)}
        ),
    )
    return env


def step(message: str) -> float:
    print(f"== {message}", flush=True)
    return time.monotonic()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed_and_sign_in(env: dict[str, str], patients: int, days: int) -> dict:
    """Seed in a child process (with the production settings) and return session keys."""
    code = f"""
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from bench.seed import seed
people = seed(patients={patients}, days={days})
def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.role != "patient":
        # Staff pages need the second factor: a session that has passed it.
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key
out = {{name: session_for(p.user if name == "patient" else p) for name, p in people.items()}}
out["patient_id"] = str(people["patient"].public_id)
print("SESSIONS " + json.dumps(out))
"""
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("SESSIONS "))
    return json.loads(line.removeprefix("SESSIONS "))


def database_size(env: dict[str, str], url: str, engine: str) -> int:
    if engine == "sqlite":
        return Path(urllib.parse.urlsplit(url).path).stat().st_size
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):  # up to 20 s for the workers to boot
        if server.poll() is not None:  # it exited: the port is taken, or it could not start
            raise SystemExit(f"gunicorn stopped (is port {port} in use?)")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def fetch(url: str, cookie: str) -> tuple[int, str, str]:
    """(status, body, Set-Cookie headers) of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=30) as response:
            cookies = "; ".join(response.headers.get_all("Set-Cookie") or [])
            return response.status, response.read().decode(), cookies
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def wrk(url: str, cookie: str, args, script: str = "report.lua", env=None) -> dict:
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--script",
        str(HERE / script),
        "--header",
        f"Cookie: {cookie}",
        url,
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=args.duration + 60,
        env={**os.environ, **(env or {})},
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def checkin_post(base: str, session: str) -> tuple[str, dict[str, str]]:
    """The cookie header and form body of a check-in submission, with a valid CSRF token."""
    status, html, set_cookie = fetch(f"{base}/me/check-in/", f"sessionid={session}")
    if status != 200:
        raise SystemExit(f"the check-in page answered {status}")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    fields = {
        "csrfmiddlewaretoken": token,
        "back_pain": "3",
        "leg_pain": "2",
        "leg_side": "left",
        "walking_minutes": "30",
        "opioid_doses": "0",
        "took_other_painkillers": "yes",
        "took_nerve_pain_medicine": "no",
        "sleep_disturbance": "2",
    }
    fields.update(dict.fromkeys(re.findall(r'name="(safety_[a-z_]+)"', html), "no"))
    cookie = f"sessionid={session}; csrftoken={csrf_cookie}"
    return cookie, {"BENCH_POST_BODY": urllib.parse.urlencode(fields)}


def url_for(name: str, *args) -> str | None:
    """The path of a URL name in this version of the app, or None when it has none."""
    code = (
        "import django,sys; django.setup()\n"
        "from django.urls import NoReverseMatch, reverse\n"
        f"try: print(reverse({name!r}, args={list(args)!r}))\n"
        "except NoReverseMatch: print('')\n"
    )
    env = {**os.environ, "DJANGO_ENV": "test", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    return out or None


def command_exists(name: str) -> bool:
    return (ROOT / "tracker" / "management" / "commands" / f"{name}.py").exists()


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)  # noqa: S607
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    database_url, engine = scratch_database()
    env = production_environment(database_url)
    base = f"http://127.0.0.1:{args.port}"
    started = step(f"scratch {engine} database, migrate, collect static files")
    recreate_database(database_url, engine)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    t = step(f"seed {args.patients} patients x {args.days} days")
    sessions = seed_and_sign_in(env, args.patients, args.days)
    seeding = time.monotonic() - t

    flags_seconds = None
    if command_exists("evaluate_flags"):
        t = step("evaluate_flags for every patient")
        manage(env, "evaluate_flags")
        flags_seconds = time.monotonic() - t
    size = database_size(env, database_url, engine)

    patient = f"sessionid={sessions['patient']}"
    physio = f"sessionid={sessions['physio200']}"
    chart = url_for("trends-data", "back-pain")
    inbox = url_for("triage-inbox")
    targets = [
        ("baseline (constant response)", "/bench/baseline", patient),
        ("check-in page GET", "/me/check-in/", patient),
        ("check-in POST", "/me/check-in/", None),
        ("chart data, 365 days", f"{chart}?range=all" if chart else None, patient),
        ("caseload, 200 patients", "/care/", physio),
        ("triage inbox, 200 patients", inbox, physio),
        ("caseload, 100 patients", "/care/", f"sessionid={sessions['physio100']}"),
        ("caseload, 1,000 patients", "/care/", f"sessionid={sessions['physio1000']}"),
        (
            f"clinic outcomes, {args.patients:,} patients",
            url_for("clinic-outcomes"),
            f"sessionid={sessions['surgeon']}",
        ),
    ]
    server = start_server(env, args.port)
    rows = []
    try:
        for label, path, cookie in targets:
            if path is None:
                rows.append((label, None))
                continue
            step(f"{label}: {args.duration} s of load")
            if cookie is None:
                cookie, post_env = checkin_post(base, sessions["patient"])
                rows.append((label, wrk(base + path, cookie, args, "checkin_post.lua", post_env)))
                continue
            status, _body, _cookies = fetch(base + path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}, not 200")
            rows.append((label, wrk(base + path, cookie, args)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_database(database_url, engine)
    print_table(rows, engine, size, seeding, flags_seconds, args, time.monotonic() - started)


def print_table(rows, engine, size, seeding, flags_seconds, args, total) -> None:
    baseline = rows[0][1]["rps"]
    print()
    print(
        f"Laminar benchmark: {engine}, {args.patients} patients x {args.days} days, "
        f"gunicorn 2 workers, wrk {args.connections} connections, {args.duration} s per page"
    )
    print()
    print("| page | requests/s | p50 ms | p95 ms | ratio to baseline | bad responses |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, data in rows:
        if data is None:
            print(f"| {label} | not built yet | | | | |")
            continue
        print(
            f"| {label} | {data['rps']:,.0f} | {data['p50_us'] / 1000:.1f} | "
            f"{data['p95_us'] / 1000:.1f} | {data['rps'] / baseline:.3f} | "
            f"{data['bad_status'] + data['socket_errors']} |"
        )
    print()
    by_label = dict(rows)
    small, large = by_label["caseload, 100 patients"], by_label["caseload, 1,000 patients"]
    few = [label for label, data in rows if data is not None and data["requests"] < 20]
    print(f"caseload p95, 1,000 vs 100 patients: {large['p95_us'] / small['p95_us']:.2f}")
    if few:
        print(f"fewer than 20 requests, so p95 means little: {', '.join(few)}")
    if flags_seconds is not None:
        print(f"evaluate_flags, all {args.patients} patients: {flags_seconds:.1f} s wall time")
    else:
        print("evaluate_flags: not built yet")
    print(f"database size: {size / 2**20:,.0f} MiB ({engine}); seeding took {seeding:.0f} s")
    print(f"whole run: {total:.0f} s")


if __name__ == "__main__":
    main()
