from datetime import timedelta

from tests.flags.test_flag_engine import answers
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import thresholds_for
from tracker.models import ClinicThresholds, Flag, ThresholdChange


def test_admin_tightens_a_threshold_and_the_change_is_recorded(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    response = client.post("/clinic/thresholds/", {"uncontrolled_pain": "7"})
    assert response.status_code == 302
    assert thresholds_for(patient).uncontrolled_pain == 7
    change = ThresholdChange.objects.get()
    assert (change.name, change.old_value, change.new_value, change.changed_by) == (
        "uncontrolled_pain",
        None,
        7,
        clinic_admin,
    )
    assert "uncontrolled_pain" in client.get("/clinic/thresholds/").content.decode()


def test_clinic_threshold_changes_what_raises_a_flag(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    client.post("/clinic/thresholds/", {"uncontrolled_pain": "7"})
    today = patient.local_date()
    for day in (today - timedelta(days=1), today):
        record_checkin(patient, day, answers(back_pain="7"), by=None)
    assert Flag.objects.filter(rule_id="RF-PAIN-UNCONTROLLED").exists()


def test_emergency_values_cannot_be_loosened(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    response = client.post("/clinic/thresholds/", {"fever_c": "39.5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "would loosen the emergency rule" in html[html.index('id="field-fever_c"') :]
    assert not ClinicThresholds.objects.exists()
    assert not ThresholdChange.objects.exists()


def test_tightening_an_emergency_value_is_allowed(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    assert client.post("/clinic/thresholds/", {"fever_c": "37.9"}).status_code == 302
    assert thresholds_for(patient).fever_c == 37.9


def test_clearing_a_value_returns_to_the_default_and_is_recorded(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    client.post("/clinic/thresholds/", {"uncontrolled_pain": "7"})
    client.post("/clinic/thresholds/", {"uncontrolled_pain": ""})
    assert thresholds_for(patient).uncontrolled_pain == 8
    assert [c.new_value for c in ThresholdChange.objects.order_by("id")] == [7, None]


def test_failed_notifications_page_shows_errors_without_clinical_detail(
    client, clinic_admin, patient
):
    from unittest import mock

    with mock.patch("tracker.messaging.emails.send_mail", side_effect=OSError("SMTP refused")):
        record_checkin(
            patient, patient.local_date(), answers(safety_chest_pain_breathless="yes"), by=None
        )
        from tracker.messaging.notifications import send_due_immediate

        send_due_immediate()
    client.force_login(clinic_admin)
    html = client.get("/clinic/notifications/").content.decode()
    assert "SMTP refused" in html and "surgeon@clinic.test" in html
    assert "chest" not in html.lower()


def test_absurd_values_are_refused(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    html = client.post("/clinic/thresholds/", {"function_mcid_percent": "4.3e16"}).content.decode()
    assert "less than or equal to 1000" in html[html.index('id="field-function_mcid_percent"') :]
    assert not ClinicThresholds.objects.exists()


def test_meaningful_change_is_set_on_the_thresholds_page(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    page = client.get("/clinic/thresholds/").content.decode()
    for name in ("mcid_pain_points", "mcid_pain_percent", "mcid_odi_points", "mcid_peg_percent"):
        assert f'name="{name}"' in page
    assert client.post("/clinic/thresholds/", {"mcid_peg_percent": "40"}).status_code == 302
    assert thresholds_for(patient).meaningful_change["peg"].percent == 40


def test_thresholds_loaded_with_the_patient_cost_no_query(patient, django_assert_num_queries):
    from tracker.models import Patient

    def loaded():
        return Patient.objects.select_related("clinic__thresholds").get(pk=patient.pk)

    without = loaded()
    with django_assert_num_queries(0):
        assert thresholds_for(without).mcid_pain_percent == 30
    ClinicThresholds.objects.create(clinic=patient.clinic, values={"mcid_pain_percent": 40})
    with_row = loaded()
    with django_assert_num_queries(0):
        assert thresholds_for(with_row).meaningful_change["pain"].percent == 40
    bare = Patient.objects.get(pk=patient.pk)
    with django_assert_num_queries(1):  # the clinic and its thresholds together
        assert thresholds_for(bare).mcid_pain_percent == 40
        assert bare.clinic.name  # loaded by that query


def test_a_narrower_six_week_window_rewrites_the_clinics_outcome_rows(
    client, clinic_admin, patient, django_capture_on_commit_callbacks
):
    """The outcomes page counts 6 weeks with P3's window; after the clinic narrows it, the rows
    are written again by the queue, not by the next surgeon who opens the page."""
    from tracker.models.outcome_points import OutcomePoints, basis_of, point_windows

    record_checkin(patient, patient.local_date(), answers(back_pain="3"), by=None)
    assert OutcomePoints.objects.get(patient=patient).basis == basis_of(
        point_windows(thresholds_for(patient))
    )
    client.force_login(clinic_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/clinic/thresholds/", {"leg_check_tolerance_days": "1"})
    assert response.status_code == 302
    basis = OutcomePoints.objects.get(patient=patient).basis
    assert "6w:42±1" in basis
    assert basis == basis_of(point_windows(thresholds_for(patient)))
