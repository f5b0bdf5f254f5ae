"""The triage inbox: most severe first, filters, acknowledge and resolve in place."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_flag, make_patient
from tracker.models import AccessLog, FlagStatus


def hours_ago(hours: int):
    return timezone.now() - timedelta(hours=hours)


def test_inbox_orders_emergency_first_then_oldest(client, surgeon, patient):
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon", opened_at=hours_ago(50))
    make_flag(patient, "RF-CALF", opened_at=hours_ago(1))
    make_flag(patient, "RF-FEVER", opened_at=hours_ago(5))
    make_flag(patient, "RF-CES-BLADDER", "emergency")
    make_flag(patient, "P3-LEG-NO-MCID-6W", "review", opened_at=hours_ago(99))
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    order = ["RF-CES-BLADDER", "RF-FEVER", "RF-CALF", "P7-SUSTAINED-HIGH", "P3-LEG-NO-MCID-6W"]
    positions = [html.index(f'<span class="help">{rule}</span>') for rule in order]
    assert positions == sorted(positions)


def test_inbox_shows_only_own_patients_and_logs_access(client, surgeon, patient, other_patient):
    make_flag(patient, "RF-CALF")
    make_flag(other_patient, "RF-FEVER")
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    assert "Pat Example" in html and "Olive Other" not in html
    assert "RF-FEVER" not in html.split('id="flag-list"')[1]
    assert (
        AccessLog.objects.filter(actor=surgeon, action="triage inbox", patient=patient).count() == 1
    )


def test_inbox_filters_by_level_rule_and_status(client, surgeon, patient):
    make_flag(patient, "RF-CALF")
    make_flag(patient, "RF-FALL", "soon", status=FlagStatus.RESOLVED)
    client.force_login(surgeon)
    default = client.get("/care/inbox/").content.decode()
    assert (
        '<span class="help">RF-CALF</span>' in default
        and '<span class="help">RF-FALL</span>' not in default
    )
    resolved = client.get("/care/inbox/?status=resolved").content.decode()
    assert (
        '<span class="help">RF-FALL</span>' in resolved
        and '<span class="help">RF-CALF</span>' not in resolved
    )
    by_level = client.get("/care/inbox/?status=all&level=soon").content.decode()
    assert (
        '<span class="help">RF-FALL</span>' in by_level
        and '<span class="help">RF-CALF</span>' not in by_level
    )
    by_rule = client.get("/care/inbox/?status=all&rule=RF-CALF").content.decode()
    assert (
        '<span class="help">RF-CALF</span>' in by_rule
        and '<span class="help">RF-FALL</span>' not in by_rule
    )
    # Nonsense filters fall back to the default view rather than failing.
    assert client.get("/care/inbox/?level=zzz&status=<script>").status_code == 200


def test_evidence_is_a_table(client, surgeon, patient):
    make_flag(patient, "RF-CALF", evidence={"back_pain": 8})
    client.force_login(surgeon)
    html = client.get("/care/inbox/").content.decode()
    assert '<th scope="col">Back pain</th>' in html and "<td>8</td>" in html


def test_flags_read_in_words_not_codes(client, surgeon, patient):
    make_flag(
        patient,
        "RF-CES-BLADDER",
        "emergency",
        evidence={"answers": ["bladder_change", "new_numbness:both"], "flagged": True},
    )
    client.force_login(surgeon)
    flags = client.get("/care/inbox/").content.decode().split('id="flag-list"')[1]
    assert ">Possible cauda equina syndrome: bladder change</a>" in flags
    assert "bladder change (retention, leakage or lost sensation)" in flags
    assert "new or spreading numbness in a leg or foot (both)" in flags
    assert "<td>yes</td>" in flags
    assert "['" not in flags and "bladder_change" not in flags and "{'" not in flags


def test_acknowledge_and_resolve_in_place_with_htmx(client, surgeon, patient):
    item = make_flag(patient, "RF-CALF")
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
    item = make_flag(patient, "RF-CALF")
    client.force_login(surgeon)
    response = client.post(
        f"/care/flags/{item.public_id}/resolve/", {"note": "ok", "next": "https://evil.example/"}
    )
    assert response.url == "/care/inbox/"


def test_pressing_flags_count_on_every_staff_page(client, surgeon, patient):
    make_flag(patient, "RF-CES-BLADDER", "emergency")
    make_flag(patient, "RF-CALF")
    make_flag(patient, "RF-FALL", "soon")
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
    make_flag(first, "RF-CALF")
    few = measure()
    for n in range(15):
        other = make_patient(f"p{n}@clinic.test", clinic, team=(surgeon,))
        make_flag(other, "RF-CALF")
        make_flag(other, "RF-FALL", "soon")
    assert measure() == few


def test_inbox_sorts_by_what_the_clinician_chooses(client, clinic, surgeon, patient):
    olive = make_patient("olive@clinic.test", clinic, full_name="Olive Other", team=(surgeon,))
    make_flag(patient, "RF-FEVER", opened_at=timezone.now() - timedelta(hours=1))
    make_flag(olive, "RF-CES-BLADDER", "emergency", opened_at=timezone.now() - timedelta(hours=5))
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon", opened_at=timezone.now() - timedelta(hours=9))
    client.force_login(surgeon)

    def order(query):
        html = client.get(f"/care/inbox/{query}").content.decode()
        return re.findall(r'<span class="help">(RF-[A-Z-]+|P\d+-[A-Z0-9-]+)</span>', html)

    assert order("") == ["RF-CES-BLADDER", "RF-FEVER", "P7-SUSTAINED-HIGH"]
    assert order("?sort=newest") == ["RF-FEVER", "RF-CES-BLADDER", "P7-SUSTAINED-HIGH"]
    assert order("?sort=oldest") == ["P7-SUSTAINED-HIGH", "RF-CES-BLADDER", "RF-FEVER"]
    assert order("?sort=patient")[0] == "RF-CES-BLADDER"  # Olive Other before Pat Example
    assert order("?sort=nonsense") == order("")
