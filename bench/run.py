"""`make bench`: seed a year of data for 1,000 patients, serve the app as in production and
measure it, always the same way. See "Benchmark" in README.md for how to read the table.

The database is a scratch one: bench-results/bench.sqlite3, and when DATABASE_URL points at
PostgreSQL also a database named laminar_bench on that server (dropped and created again):
each is seeded and measured in turn, and a table printed for each. The development database
is never touched. Load goes to 127.0.0.1 only, for a fixed time per page.

Every page is compared with a constant response through the whole middleware stack, signed
in (the baseline); the bare row is the same response to an anonymous request (no session, no
database), so the cost of the stack itself shows. When Redis answers at REDIS_URL (default
127.0.0.1:6379), the signed-in rows that show what sessions cost are measured again with
sessions on Redis (the production setting with REDIS_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
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
    parser.add_argument(
        "--databases",
        default="",
        help="comma-separated, in order: sqlite, postgresql (default: sqlite, and postgresql "
        "when DATABASE_URL points at it)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="the Redis for the sessions-on-Redis rows (skipped when it does not answer)",
    )
    parser.add_argument("--only", default="", help="measure only the rows whose label has this")
    return parser.parse_args()


def postgres_source() -> str | None:
    source = os.environ.get("DATABASE_URL", "")
    return source if source.startswith(("postgres://", "postgresql://")) else None


def engines(args: argparse.Namespace) -> list[str]:
    if args.databases:
        chosen = [name.strip() for name in args.databases.split(",") if name.strip()]
    else:
        chosen = ["sqlite", *(["postgresql"] if postgres_source() else [])]
    for name in chosen:
        if name not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown database {name!r}: sqlite or postgresql")
        if name == "postgresql" and not postgres_source():
            raise SystemExit("postgresql needs DATABASE_URL=postgres://... (its server)")
    return chosen


def scratch_database(engine: str) -> str:
    """DATABASE_URL of the benchmark's scratch database of `engine`."""
    if engine == "postgresql":
        parts = urllib.parse.urlsplit(postgres_source())
        return urllib.parse.urlunsplit(parts._replace(path="/laminar_bench"))
    RESULTS.mkdir(exist_ok=True)
    return f"sqlite:///{RESULTS / 'bench.sqlite3'}"


def redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


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
    """Production settings on the scratch database, sessions and cache in it too (no Redis
    unless REDIS_URL is added)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_")) and key not in ("REDIS_URL", "REDIS_CACHE")
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
    status, body, headers = fetch_with_headers(url, cookie)
    return status, body, "; ".join(headers.get_all("Set-Cookie") or []) if headers else ""


def fetch_with_headers(url: str, cookie: str, extra: list[str] | tuple = ()):
    """(status, body, headers or None) of a GET that does not follow redirects; `extra`
    holds more request headers as "Name: value"."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    headers = dict(line.split(": ", 1) for line in extra)
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, "", error.headers


def wrk(url: str, cookie: str, args, script: str = "report.lua", env=None, headers=()) -> dict:
    """Load `url` for args.duration seconds; `cookie` "" sends none (an anonymous client)."""
    sent = [*([f"Cookie: {cookie}"] if cookie else []), *headers]
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
        *(part for header in sent for part in ("--header", header)),
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


BASELINE = "baseline (constant response, signed in)"


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)  # noqa: S607
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    redis_url = args.redis_url if redis_answers(args.redis_url) else None
    if redis_url is None:
        print(f"== no Redis answers at {args.redis_url}: no sessions-on-Redis rows", flush=True)
    results = [bench_database(engine, redis_url, args) for engine in engines(args)]
    for result in results:
        print_table(result, args)


def bench_database(engine: str, redis_url: str | None, args) -> dict:
    """Seed `engine`'s scratch database, measure every page, and return what to print."""
    database_url = scratch_database(engine)
    env = production_environment(database_url)
    started = step(f"scratch {engine} database, migrate, collect static files")
    recreate_database(database_url, engine)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        t = step(f"seed {args.patients} patients x {args.days} days")
        sessions = seed_and_sign_in(env, args.patients, args.days)
        seeding = time.monotonic() - t
        flags_seconds = None
        if command_exists("evaluate_flags"):
            t = step("evaluate_flags for every patient")
            manage(env, "evaluate_flags", "--inline")  # in this process, as timed before
            flags_seconds = time.monotonic() - t
        size = database_size(env, database_url, engine)
        rows = measure(env, page_targets(sessions, args), args, sessions)
        if redis_url is not None:
            step("the same server with sessions and the cache on Redis")
            # The same secret key: the sessions signed in above stay valid.
            on_redis = {**env, "REDIS_URL": redis_url}
            rows += measure(on_redis, redis_targets(sessions), args, sessions)
    finally:
        if not args.keep:
            drop_database(database_url, engine)
    return {
        "engine": engine,
        "rows": rows,
        "size": size,
        "seeding": seeding,
        "flags_seconds": flags_seconds,
        "total": time.monotonic() - started,
    }


# (label, path, cookie: "" anonymous, None the check-in POST, extra headers)
Target = tuple[str, str | None, str | None, tuple[str, ...]]


def page_targets(sessions: dict, args) -> list[Target]:
    patient = f"sessionid={sessions['patient']}"
    physio = f"sessionid={sessions['physio200']}"
    chart = url_for("trends-data", "back-pain")
    chart = f"{chart}?range=all" if chart else None
    return [
        (BASELINE, "/bench/baseline", patient, ()),
        ("bare response, anonymous (no session, no database)", "/bench/baseline", "", ()),
        ("check-in page GET", "/me/check-in/", patient, ()),
        ("check-in POST", "/me/check-in/", None, ()),
        ("chart data, 365 days", chart, patient, ()),
        ("chart data, 365 days, unchanged (304)", chart, patient, ("If-None-Match",)),
        ("caseload, 200 patients", "/care/", physio, ()),
        ("triage inbox, 200 patients", url_for("triage-inbox"), physio, ()),
        ("caseload, 100 patients", "/care/", f"sessionid={sessions['physio100']}", ()),
        ("caseload, 1,000 patients", "/care/", f"sessionid={sessions['physio1000']}", ()),
        (
            f"clinic outcomes, {args.patients:,} patients",
            url_for("clinic-outcomes"),
            f"sessionid={sessions['surgeon']}",
            (),
        ),
    ]


def redis_targets(sessions: dict) -> list[Target]:
    """What sessions on Redis change: the signed-in baseline and the daily pages."""
    patient = f"sessionid={sessions['patient']}"
    chart = url_for("trends-data", "back-pain")
    return [
        ("baseline, sessions on Redis", "/bench/baseline", patient, ()),
        ("check-in page GET, sessions on Redis", "/me/check-in/", patient, ()),
        ("chart data, 365 days, sessions on Redis", f"{chart}?range=all", patient, ()),
        (
            "caseload, 200 patients, sessions on Redis",
            "/care/",
            f"sessionid={sessions['physio200']}",
            (),
        ),
    ]


def measure(env: dict[str, str], targets: list[Target], args, sessions: dict) -> list:
    """Serve with `env` and load each target in turn: [(label, wrk result or None)]."""
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(env, args.port)
    rows = []
    try:
        for label, path, cookie, headers in targets:
            if path is None or (args.only and args.only not in label and label != BASELINE):
                rows.append((label, None))
                continue
            step(f"{label}: {args.duration} s of load")
            if cookie is None:
                cookie, post_env = checkin_post(base, sessions["patient"])
                rows.append((label, wrk(base + path, cookie, args, "checkin_post.lua", post_env)))
                continue
            status, _body, response_headers = fetch_with_headers(base + path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}, not 200")
            sent = []
            if "If-None-Match" in headers:
                etag = response_headers.get("ETag")
                if not etag:
                    rows.append((label, None))
                    continue
                sent.append(f"If-None-Match: {etag}")
                if fetch_with_headers(base + path, cookie, sent)[0] != 304:
                    raise SystemExit(f"{path} did not answer 304 to its own ETag")
            rows.append((label, wrk(base + path, cookie, args, headers=sent)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def print_table(result: dict, args) -> None:
    rows, engine = result["rows"], result["engine"]
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
            print(f"| {label} | not measured | | | | |")
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
    if small and large:
        print(f"caseload p95, 1,000 vs 100 patients: {large['p95_us'] / small['p95_us']:.2f}")
    if few:
        print(f"fewer than 20 requests, so p95 means little: {', '.join(few)}")
    if result["flags_seconds"] is not None:
        print(
            f"evaluate_flags, all {args.patients} patients: {result['flags_seconds']:.1f} s "
            "wall time"
        )
    else:
        print("evaluate_flags: not built yet")
    print(
        f"database size: {result['size'] / 2**20:,.0f} MiB ({engine}); "
        f"seeding took {result['seeding']:.0f} s"
    )
    print(f"whole run ({engine}): {result['total']:.0f} s")


if __name__ == "__main__":
    main()
