"""Backup and restore as the README describes them: every table's rows come back exactly.

SQLite: the online backup API (what `sqlite3 db.sqlite3 ".backup backup.sqlite3"` uses).
PostgreSQL: pg_dump -Fc into a file, pg_restore into a new database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest
from django.db import connection

from tests.security.world import build_world
from tracker.models import Exercise
from tracker.programmes.library import install_library

pytestmark = pytest.mark.django_db(transaction=True)
DJANGO_TYPES = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES


@pytest.fixture
def world(patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin):
    # An earlier transactional test may have emptied the tables the migrations seeded.
    install_library(Exercise)
    return build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )


def rows_by_table(cursor, tables) -> dict[str, list]:
    found = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
        found[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return found


def live_rows() -> dict[str, list]:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return rows_by_table(cursor, tables)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite procedure")
def test_sqlite_online_backup_round_trip(world, tmp_path):
    expected = live_rows()
    assert sum(map(len, expected.values())) > 50  # there is something to lose
    connection.ensure_connection()
    backup_file = tmp_path / "backup.sqlite3"
    with sqlite3.connect(backup_file) as backup:
        connection.connection.backup(backup)
    restored_file = tmp_path / "restored.sqlite3"
    with sqlite3.connect(backup_file) as source, sqlite3.connect(restored_file) as restored:
        source.backup(restored)
    # Read as Django reads (the same column converters), so values compare equal.
    with sqlite3.connect(restored_file, detect_types=DJANGO_TYPES) as restored:
        cursor = restored.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {name for (name,) in cursor.fetchall() if not name.startswith("sqlite_")}
        assert tables == set(expected)
        assert rows_by_table(cursor, sorted(tables)) == expected


def postgres_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            environment[name] = str(settings[key])
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return environment


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL procedure")
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore are not installed",
)
def test_postgresql_dump_and_restore_round_trip(world, tmp_path):
    import psycopg

    settings = connection.settings_dict

    def connect(name):
        return psycopg.connect(
            dbname=name,
            host=settings.get("HOST") or None,
            port=settings.get("PORT") or None,
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
        )

    tables = connection.introspection.table_names()
    with connect(settings["NAME"]) as live:  # read both sides alike, with plain psycopg
        expected = rows_by_table(live.cursor(), tables)
    assert sum(map(len, expected.values())) > 50
    environment = postgres_environment()
    dump = tmp_path / "laminar.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run(  # noqa: S603
        ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source],  # noqa: S607
        env=environment,
        check=True,
        timeout=120,
    )
    scratch = f"laminar_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch, str(dump)],  # noqa: S607
            env=environment,
            check=True,
            timeout=120,
        )
        with connect(scratch) as restored:
            assert rows_by_table(restored.cursor(), sorted(expected)) == expected
            # The append-only trigger on the access log came back too.
            triggers = restored.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'tracker_accesslog'::regclass"
                " AND NOT tgisinternal"
            ).fetchall()
            assert triggers == [("tracker_accesslog_append_only",)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
