from unittest import mock

from django.db import DatabaseError


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_database_unreachable(client, db):
    with mock.patch(
        "tracker.operations.readiness.connection.cursor", side_effect=DatabaseError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405
