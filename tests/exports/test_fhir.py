"""The FHIR R4 export: every resource validates, and carries the §7 codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from tests.factories import make_flag, make_patient
from tests.report_data import checkin_days, peg_scores
from tracker.checkins.questionnaire_responses import record_safety_items
from tracker.exports.fhir import LOINC_NOTICE, RULE_SYSTEM, patient_bundle
from tracker.models import AccessLog, CheckIn, FlagStatus

LOINC = "http://loinc.org"


def fhir_url(patient):
    return f"/care/patients/{patient.public_id}/fhir.json"


@pytest.fixture
def recorded(patient, surgeon):
    checkin_days(patient, 19)
    day = patient.local_date() - timedelta(days=1)
    CheckIn.objects.filter(patient=patient, day=day).update(
        safety={"feverish": True}, temperature_c="38.4", leg_side="left", leg_pain=6
    )
    peg_scores(patient, 2, 16)
    make_flag(patient, "RF-CES-BLADDER", "emergency", days_ago=3)
    make_flag(
        patient,
        "RF-FEVER",
        days_ago=10,
        status=FlagStatus.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=9),
        resolved_by=surgeon,
        resolution_note="Seen in clinic.",
    )
    return patient


def entries(bundle, resource_type):
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def codes(concept):
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}


def test_every_resource_validates_against_r4(client, recorded, surgeon):
    client.force_login(surgeon)
    response = client.get(fhir_url(recorded))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    Bundle.model_validate(data)
    assert data["type"] == "collection"
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert kinds == {"Patient", "Procedure", "Observation", "QuestionnaireResponse", "Flag"}
    assert AccessLog.objects.filter(action="export:fhir", actor=surgeon).count() == 1


def test_patient_and_procedure(recorded):
    bundle = patient_bundle(recorded)
    (patient,) = entries(bundle, "Patient")
    assert patient["name"][0]["text"] == "Pat Example"
    assert patient["birthDate"] == "1960-05-17"
    (procedure,) = entries(bundle, "Procedure")
    assert ("http://snomed.info/sct", "387731002") in codes(procedure["code"])
    assert procedure["performedDateTime"] == recorded.surgery_date.isoformat()
    assert "L4–L5" in procedure["bodySite"][0]["text"]
    assert procedure["subject"]["reference"] == f"urn:uuid:{recorded.public_id}"


def test_pain_by_body_site_and_temperature_in_ucum(recorded):
    observations = entries(patient_bundle(recorded), "Observation")
    pain = [o for o in observations if (LOINC, "72514-3") in codes(o["code"])]
    sites = {o["bodySite"]["text"] for o in pain}
    assert {"Back", "Left leg"} <= sites
    assert all(o["category"][0]["coding"][0]["code"] == "survey" for o in pain)
    days = CheckIn.objects.filter(patient=recorded)
    assert len(pain) == days.exclude(back_pain=None).count() + days.exclude(leg_pain=None).count()
    (temperature,) = [o for o in observations if (LOINC, "8310-5") in codes(o["code"])]
    assert temperature["valueQuantity"] == {
        "value": 38.4,
        "unit": "°C",
        "system": "http://unitsofmeasure.org",
        "code": "Cel",
    }


def test_questionnaire_totals_are_derived_from_their_responses(recorded):
    bundle = patient_bundle(recorded)
    responses = {r["id"]: r for r in entries(bundle, "QuestionnaireResponse")}
    totals = [o for o in entries(bundle, "Observation") if (LOINC, "91147-9") in codes(o["code"])]
    assert len(totals) == len(responses) == 2
    for total in totals:
        (source,) = total["derivedFrom"]
        response = responses[source["reference"].removeprefix("urn:uuid:")]
        assert response["questionnaire"].startswith("urn:laminar:questionnaire:peg|")
        assert {item["linkId"] for item in response["item"]} == {
            "peg-pain",
            "peg-enjoyment",
            "peg-activity",
        }
    assert sorted(o["valueQuantity"]["value"] for o in totals) == [4.0, 7.0]


def test_flags_carry_rule_status_and_period(recorded):
    flags = {
        next(c["code"] for c in f["code"]["coding"] if c["system"] == RULE_SYSTEM): f
        for f in entries(patient_bundle(recorded), "Flag")
    }
    assert set(flags) == set(recorded.flags.values_list("rule_id", flat=True))
    assert {"RF-CES-BLADDER", "RF-FEVER"} <= set(flags)
    assert flags["RF-CES-BLADDER"]["status"] == "active"
    assert "end" not in flags["RF-CES-BLADDER"]["period"]
    assert flags["RF-FEVER"]["status"] == "inactive"
    assert flags["RF-FEVER"]["period"]["end"] > flags["RF-FEVER"]["period"]["start"]


def test_the_loinc_notice_travels_with_the_codes(recorded):
    tags = patient_bundle(recorded)["meta"]["tag"]
    assert any("copyright Regenstrief Institute" in tag["display"] for tag in tags)
    assert "Regenstrief Institute" in LOINC_NOTICE


def test_export_report_command_writes_fhir(recorded, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "record.json"
    call_command(
        "export_report", "--patient", recorded.user.email, "--format", "fhir", "--output", str(out)
    )
    Bundle.model_validate(json.loads(out.read_text()))


def test_fhir_queries_do_not_grow_with_days(client, clinic, surgeon):
    counts = []
    for index, days in enumerate((1, 365)):
        patient = make_patient(
            f"f{index}@clinic.test", clinic, surgery_days_ago=days + 1, team=(surgeon,)
        )
        checkin_days(patient, days)
        client.force_login(surgeon)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(fhir_url(patient)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_outsiders_get_404(client, recorded, outsider_staff, foreign_staff, clinic_admin):
    for person in (outsider_staff, foreign_staff, clinic_admin, recorded.user):
        client.force_login(person)
        assert client.get(fhir_url(recorded)).status_code == 404
    assert not AccessLog.objects.filter(action="export:fhir").exists()


def test_an_incomplete_phq9_kept_for_item_9_exports_in_progress_without_a_total(
    client, patient, surgeon
):
    record_safety_items(patient, "phq9", patient.local_date(), {"phq-q9": 2}, by=patient.user)
    client.force_login(surgeon)
    data = json.loads(client.get(fhir_url(patient)).content)
    Bundle.model_validate(data)
    (response,) = entries(data, "QuestionnaireResponse")
    get_fhir_model_class("QuestionnaireResponse").model_validate(response)
    assert response["status"] == "in-progress"
    assert response["questionnaire"].split("|")[0].endswith("phq9")
    assert [item["linkId"] for item in response["item"]] == ["phq-q9"]
    assert not [o for o in entries(data, "Observation") if "score" in o["code"].get("text", "")]
