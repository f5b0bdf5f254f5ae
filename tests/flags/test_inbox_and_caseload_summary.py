"""What the care team does in the triage inbox reaches the caseload's summary at once, in the
same transaction as the flag's change."""

import pytest

from tests.factories import make_flag
from tracker.models import FlagStatus, PatientSummary, summaries


def open_flags_in_caseload(client, staff) -> str:
    client.force_login(staff)
    row = client.get("/care/").content.decode().split("Pat Example")[1].split("</tr>")[0]
    return row.split('data-label="Open flags">')[1].split("</td>")[0]


def test_acknowledging_and_resolving_in_the_inbox_updates_the_caseload(client, surgeon, patient):
    urgent = make_flag(patient, "RF-FEVER", "urgent")
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon")
    assert open_flags_in_caseload(client, surgeon).startswith("2 ")
    client.post(f"/care/flags/{urgent.public_id}/acknowledge/")
    # Acknowledged is still open work for the caseload.
    assert open_flags_in_caseload(client, surgeon) == (
        '2 <span class="help">(1 urgent, 1 within 24 hours)</span>'
    )
    client.post(f"/care/flags/{urgent.public_id}/resolve/", {"note": "Seen in clinic."})
    assert open_flags_in_caseload(client, surgeon) == (
        '1 <span class="help">(1 within 24 hours)</span>'
    )


def test_a_resolution_whose_summary_cannot_be_written_is_not_kept(
    client, surgeon, patient, monkeypatch
):
    flag = make_flag(patient, "RF-FEVER", "urgent")
    client.force_login(surgeon)
    client.get("/care/")  # the caseload's row exists
    assert PatientSummary.objects.get(patient=patient).urgent_flags == 1

    def fail(patient_ids):
        raise RuntimeError("disk full")

    monkeypatch.setattr(summaries, "refresh_flag_counts", fail)
    with pytest.raises(RuntimeError):
        client.post(f"/care/flags/{flag.public_id}/resolve/", {"note": "Seen."})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and flag.resolution_note == ""
    assert PatientSummary.objects.get(patient=patient).urgent_flags == 1
