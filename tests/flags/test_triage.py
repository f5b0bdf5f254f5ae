"""The triage inbox: most severe first, filters, acknowledge and resolve in place."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_patient
from tracker.models import AccessLog, Flag, FlagStatus


def flag(patient, rule_id, level, hours_ago=0, status=FlagStatus.OPEN):
    from tracker.timeline import Level

    day = patient.local_date()
    return Flag.objects.create(
        patient=patient,
        rule_id=rule_id,
        level=level,
        level_rank=Level(level).rank,
        status=status,
        patient_message="Call us.",
        clinician_explanation=f"{rule_id} explanation",
        reference=f"clinical-reference {rule_id}",
        evidence=[{"date": day.isoformat(), "back_pain": 8}],
        first_evidence_day=day,
        last_evidence_day=day,
        opened_at=timezone.now() - timedelta(hours=hours_ago),
    )


def test_inbox_orders_emergency_first_then_oldest(client, surgeon, patient):
    flag(patient, "P7-SUSTAINED-HIGH", "soon", hours_ago=50)
    flag(patient, "RF-CALF", "urgent", hours_ago=1)
    flag(patient, "RF-FEVER", "urgent", hours_ago=5)
    flag(patient, "RF-CES-BLADDER", "emergency", hours_ago=0)
    flag(patient, "P3-LEG-NO-MCID-6W", "review", hours_ago=99)
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    order = ["RF-CES-BLADDER", "RF-FEVER", "RF-CALF", "P7-SUSTAINED-HIGH", "P3-LEG-NO-MCID-6W"]
    positions = [html.index(f">{rule}</a>") for rule in order]
    assert positions == sorted(positions)


def test_inbox_shows_only_own_patients_and_logs_access(client, surgeon, patient, other_patient):
    flag(patient, "RF-CALF", "urgent")
    flag(other_patient, "RF-FEVER", "urgent")
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    assert "Pat Example" in html and "Olive Other" not in html
    assert "RF-FEVER" not in html.split('id="flag-list"')[1]
    assert (
        AccessLog.objects.filter(actor=surgeon, action="triage inbox", patient=patient).count() == 1
    )


def test_inbox_filters_by_level_rule_and_status(client, surgeon, patient):
    flag(patient, "RF-CALF", "urgent")
    flag(patient, "RF-FALL", "soon", status=FlagStatus.RESOLVED)
    client.force_login(surgeon)
    default = client.get("/care/inbox/").content.decode()
    assert ">RF-CALF</a>" in default and ">RF-FALL</a>" not in default
    resolved = client.get("/care/inbox/?status=resolved").content.decode()
    assert ">RF-FALL</a>" in resolved and ">RF-CALF</a>" not in resolved
    by_level = client.get("/care/inbox/?status=all&level=soon").content.decode()
    assert ">RF-FALL</a>" in by_level and ">RF-CALF</a>" not in by_level
    by_rule = client.get("/care/inbox/?status=all&rule=RF-CALF").content.decode()
    assert ">RF-CALF</a>" in by_rule and ">RF-FALL</a>" not in by_rule
    # Nonsense filters fall back to the default view rather than failing.
    assert client.get("/care/inbox/?level=zzz&status=<script>").status_code == 200


def test_evidence_is_a_table(client, surgeon, patient):
    flag(patient, "RF-CALF", "urgent")
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    assert '<th scope="col">back_pain</th>' in html and "<td>8</td>" in html


def test_acknowledge_and_resolve_in_place_with_htmx(client, surgeon, patient):
    item = flag(patient, "RF-CALF", "urgent")
    client.force_login(surgeon)
    response = client.post(
        f"/care/flags/{item.public_id}/acknowledge/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="flag-' in response.content.decode() and "Acknowledged" in response.content.decode()
    missing_note = client.post(
        f"/care/flags/{item.public_id}/resolve/", {"note": ""}, headers={"HX-Request": "true"}
    )
    assert "Write what was done" in missing_note.content.decode()
    item.refresh_from_db()
    assert item.status == FlagStatus.ACKNOWLEDGED
    done = client.post(
        f"/care/flags/{item.public_id}/resolve/",
        {"note": "Doppler arranged."},
        headers={"HX-Request": "true"},
    )
    assert "Doppler arranged." in done.content.decode()
    item.refresh_from_db()
    assert item.status == FlagStatus.RESOLVED and item.resolved_by == surgeon


def test_resolve_without_javascript_redirects_back_and_refuses_foreign_next(
    client, surgeon, patient
):
    item = flag(patient, "RF-CALF", "urgent")
    client.force_login(surgeon)
    response = client.post(
        f"/care/flags/{item.public_id}/resolve/", {"note": "ok", "next": "https://evil.example/"}
    )
    assert response.url == "/care/inbox/"


def test_pressing_flags_count_on_every_staff_page(client, surgeon, patient):
    flag(patient, "RF-CES-BLADDER", "emergency")
    flag(patient, "RF-CALF", "urgent")
    flag(patient, "RF-FALL", "soon")
    client.force_login(surgeon)
    for url in ("/care/", "/care/inbox/", f"/care/patients/{patient.public_id}/"):
        assert "2 emergency or urgent flags are open" in client.get(url).content.decode()


def test_inbox_query_count_does_not_grow_with_flags_or_patients(client, surgeon, clinic):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/care/inbox/").status_code == 200
        return len(queries)

    client.force_login(surgeon)
    first = make_patient("a@clinic.test", clinic, team=(surgeon,))
    flag(first, "RF-CALF", "urgent")
    few = measure()
    for n in range(15):
        other = make_patient(f"p{n}@clinic.test", clinic, team=(surgeon,))
        flag(other, "RF-CALF", "urgent")
        flag(other, "RF-FALL", "soon")
    assert measure() == few
