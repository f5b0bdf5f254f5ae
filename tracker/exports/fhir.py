"""A patient's record as a FHIR R4 Bundle of type "collection" (clinical-reference §7).

Resources: Patient, Procedure (the laminectomy), Observation (daily pain by body site,
temperature, questionnaire totals derived from their QuestionnaireResponse),
QuestionnaireResponse (the raw answers) and Flag (every flag, its rule id coded in
`RULE_SYSTEM`). Ids are the rows' public UUIDs, so the same export twice gives the same ids;
references inside the bundle are `urn:uuid:` full URLs. The LOINC notice travels in
`Bundle.meta.tag` (system `NOTICE_SYSTEM`, code "loinc").
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.utils import timezone

from tracker.models import CheckIn, Flag, FlagStatus, Patient, QuestionnaireResponse
from tracker.questionnaires import scoring

LAMINAR = "https://laminar.example/fhir"
RULE_SYSTEM = f"{LAMINAR}/CodeSystem/rule"  # codes: the clinical-reference rule ids
NOTICE_SYSTEM = f"{LAMINAR}/CodeSystem/notice"
PATIENT_ID_SYSTEM = f"{LAMINAR}/sid/patient"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/flag-category"

LOINC_NOTICE = (
    "This material contains content from LOINC (http://loinc.org). LOINC is copyright "
    "Regenstrief Institute, Inc. and the LOINC Committee and is available at no cost under "
    "the license at http://loinc.org/license."
)

# §7 codes.
PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
TEMPERATURE = ("8310-5", "Body temperature")
LAMINECTOMY = ("387731002", "Laminectomy")  # SNOMED CT, §7 "(verify)"
# Questionnaire totals whose definition file is not installed (a licensed ODI, say).
SCORE_CODES = {"odi": "97909-6", "peg": "91147-9", "phq2": "55758-7", "phq9": "44261-6"}
# Body sites of the pain scores (SNOMED CT; verify before release, as §7 asks for its codes).
BODY_SITES = {
    "back_pain": ("77568009", "Structure of back of trunk", "Back"),
    "leg_pain": ("61685007", "Lower limb structure", "Leg"),
}
LEG_SIDE_TEXT = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
FLAG_STATUS = {
    FlagStatus.OPEN: "active",
    FlagStatus.ACKNOWLEDGED: "active",
    FlagStatus.RESOLVED: "inactive",
}


def urn(value: uuid.UUID | str) -> str:
    return f"urn:uuid:{value}"


def derived_id(patient: Patient, name: str) -> uuid.UUID:
    """A stable id for a resource with no row of its own (the procedure)."""
    return uuid.uuid5(patient.public_id, name)


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


SURVEY = [{"coding": [_coding(CATEGORY_SYSTEM, "survey", "Survey")]}]
VITAL_SIGNS = [{"coding": [_coding(CATEGORY_SYSTEM, "vital-signs", "Vital Signs")]}]


def patient_resource(patient: Patient) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(patient.public_id),
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": str(patient.public_id)}],
        "name": [{"text": patient.user.full_name}],
        "telecom": [{"system": "email", "value": patient.user.email}],
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"display": patient.clinic.name},
    }


def procedure_resource(patient: Patient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": str(derived_id(patient, "procedure")),
        "status": "completed",
        "code": {"coding": [_coding(SNOMED, *LAMINECTOMY)], "text": patient.procedure},
        "subject": {"reference": urn(patient.public_id)},
        "performedDateTime": patient.surgery_date.isoformat(),
        "bodySite": [{"text": f"Lumbar spine, {patient.levels}"}],
    }
    if patient.surgeon is not None:
        resource["performer"] = [{"actor": {"display": patient.surgeon.full_name}}]
    return resource


def _observation(patient: Patient, ident: uuid.UUID, day: date, category, code) -> dict:
    return {
        "resourceType": "Observation",
        "id": str(ident),
        "status": "final",
        "category": category,
        "code": code,
        "subject": {"reference": urn(patient.public_id)},
        "effectiveDateTime": day.isoformat(),
    }


def checkin_observations(patient: Patient, checkin: CheckIn) -> list[dict[str, Any]]:
    """Back and leg pain (LOINC 72514-3 with bodySite) and the temperature readings of one
    check-in."""
    found = []
    for field, (code, display, text) in BODY_SITES.items():
        value = getattr(checkin, field)
        if value is None:
            continue
        ident = uuid.uuid5(checkin.public_id, field)
        observation = _observation(
            patient, ident, checkin.day, SURVEY, {"coding": [_coding(LOINC, *PAIN)]}
        )
        site_text = text
        if field == "leg_pain" and checkin.leg_side in LEG_SIDE_TEXT:
            site_text = LEG_SIDE_TEXT[checkin.leg_side]
        observation["valueInteger"] = value
        observation["bodySite"] = {"coding": [_coding(SNOMED, code, display)], "text": site_text}
        found.append(observation)
    # Every reading of the day (RF-FEVER), at the time it was taken where that is known.
    readings = checkin.temperature_readings or []
    if not readings and checkin.temperature_c is not None:  # a row written around recording
        readings = [{"at": None, "temperature_c": str(checkin.temperature_c)}]
    for entry in readings:
        name = f"temperature_c@{entry['at'] or ''}={entry['temperature_c']}"
        ident = uuid.uuid5(checkin.public_id, name)
        observation = _observation(
            patient, ident, checkin.day, VITAL_SIGNS, {"coding": [_coding(LOINC, *TEMPERATURE)]}
        )
        if entry["at"]:
            observation["effectiveDateTime"] = entry["at"]
        observation["valueQuantity"] = {
            "value": float(entry["temperature_c"]),
            "unit": "°C",
            "system": UCUM,
            "code": "Cel",
        }
        found.append(observation)
    return found


def _definition(code: str) -> scoring.Definition | None:
    try:
        return scoring.get_definition(code)
    except (KeyError, LookupError, ValueError):
        return None


def _answer(definition: scoring.Definition | None, link_id: str, value) -> dict[str, Any]:
    item = None
    if definition is not None:
        try:
            item = definition.item(link_id)
        except KeyError:
            item = None
    if item is not None and item.type == "choice":
        for option in item.options:
            if value in (option.code, option.value):
                return {"valueCoding": _coding(option.system or LOINC, option.code, option.display)}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    return {"valueString": str(value)}


def response_resource(patient: Patient, response: QuestionnaireResponse) -> dict[str, Any]:
    code, partial = scoring.split_partial(response.instrument)
    definition = _definition(code)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.public_id),
        # An incomplete one was kept for its safety item only: it has no total.
        "status": "in-progress" if partial else "completed",
        "subject": {"reference": urn(patient.public_id)},
        "authored": response.day.isoformat(),
    }
    if definition is not None:
        version = response.definition_version or definition.version
        resource["questionnaire"] = f"{definition.url}|{version}"
    items = []
    for link_id, value in (response.answers or {}).items():
        if value is None:
            continue
        item: dict[str, Any] = {
            "linkId": str(link_id),
            "answer": [_answer(definition, link_id, value)],
        }
        if definition is not None:
            with contextlib.suppress(KeyError):
                item["text"] = definition.item(link_id).text
        items.append(item)
    if items:
        resource["item"] = items
    return resource


def score_observation(patient: Patient, response: QuestionnaireResponse) -> dict[str, Any]:
    """The questionnaire total with its LOINC code, derived from its QuestionnaireResponse."""
    definition = _definition(response.instrument)
    code = (definition.score_code if definition else None) or SCORE_CODES.get(response.instrument)
    title = definition.title if definition else response.instrument.upper()
    concept: dict[str, Any] = {"text": f"{title}: total score"}
    if code:
        concept["coding"] = [_coding(LOINC, code)]
    observation = _observation(
        patient, uuid.uuid5(response.public_id, "total"), response.day, SURVEY, concept
    )
    observation["valueQuantity"] = {
        "value": float(response.total),
        "unit": "{score}",
        "system": UCUM,
        "code": "{score}",
    }
    if response.band:
        observation["interpretation"] = [{"text": response.band}]
    observation["derivedFrom"] = [{"reference": urn(response.public_id)}]
    return observation


def flag_resource(patient: Patient, flag: Flag) -> dict[str, Any]:
    period = {"start": _instant(flag.opened_at)}
    if flag.status == FlagStatus.RESOLVED and flag.resolved_at is not None:
        period["end"] = _instant(flag.resolved_at)
    return {
        "resourceType": "Flag",
        "id": str(flag.public_id),
        "status": FLAG_STATUS[FlagStatus(flag.status)],
        "category": [{"coding": [_coding(FLAG_CATEGORY_SYSTEM, "clinical", "Clinical")]}],
        "code": {
            "coding": [_coding(RULE_SYSTEM, flag.rule_id)],
            "text": flag.clinician_explanation,
        },
        "subject": {"reference": urn(patient.public_id)},
        "period": period,
    }


def patient_bundle(
    patient: Patient,
    start: date | None = None,
    end: date | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The Bundle (plain JSON-able dict). With start/end, only entries dated in that period."""
    checkins = patient.checkins.order_by("day")
    responses = patient.questionnaire_responses.order_by("day", "instrument")
    flags = patient.flags.order_by("opened_at", "id")
    if start is not None:
        checkins = checkins.filter(day__gte=start)
        responses = responses.filter(day__gte=start)
        flags = flags.filter(last_evidence_day__gte=start)
    if end is not None:
        checkins = checkins.filter(day__lte=end)
        responses = responses.filter(day__lte=end)
        flags = flags.filter(first_evidence_day__lte=end)
    resources = [patient_resource(patient), procedure_resource(patient)]
    for checkin in checkins.iterator(chunk_size=2000):
        resources.extend(checkin_observations(patient, checkin))
    for response in responses:
        resources.append(response_resource(patient, response))
        if not scoring.split_partial(response.instrument)[1]:
            resources.append(score_observation(patient, response))
    resources.extend(flag_resource(patient, flag) for flag in flags)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"tag": [_coding(NOTICE_SYSTEM, "loinc", LOINC_NOTICE)]},
        "type": "collection",
        "timestamp": _instant(now or timezone.now()),
        "entry": [{"fullUrl": urn(resource["id"]), "resource": resource} for resource in resources],
    }
