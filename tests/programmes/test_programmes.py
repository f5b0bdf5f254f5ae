"""The exercise library, programmes and restrictions (clinical-reference §6)."""

from datetime import timedelta

import pytest

from tests.conftest import make_user
from tests.programme_data import library_exercise, prescribe
from tracker.models import (
    AppendOnlyError,
    Exercise,
    ProgrammeChange,
    ProgrammeItem,
    Restriction,
    Role,
)

VALID_EXERCISE = {
    "name": "Side-lying clams",
    "steps": "Lie on your side with knees bent.\nLift the top knee.\n\nLower it slowly.",
    "cautions": "Keep your hips still.",
    "media_url": "",
    "phase_start_week": "4",
    "phase_end_week": "12",
    "sets": "2",
    "repetitions": "10",
    "hold_seconds": "",
    "minutes": "",
    "sessions_per_day": "1",
    "days_per_week": "5",
}


def item_post(**overrides):
    data = {
        "sets": "1",
        "repetitions": "10",
        "hold_seconds": "3",
        "minutes": "",
        "sessions_per_day": "1",
        "days_per_week": "7",
        "start_week": "3",
        "end_week": "12",
        "note": "",
    }
    data.update(overrides)
    return data


# The library ----------------------------------------------------------------------------------


def test_the_seeded_library_holds_the_exercises_of_section_6(db):
    library = Exercise.objects.filter(clinic__isnull=True)
    assert library.count() == 9
    bridges = library.get(code="bridges")
    assert (bridges.phase_start_week, bridges.phase_end_week) == (3, 12)
    assert (bridges.repetitions, bridges.hold_seconds) == (10, 3)
    assert len(bridges.step_list) >= 3
    assert library.get(code="ankle-pumps").phase_end_week == 2
    assert library.get(code="walking").phase_end_week is None


def test_physio_adds_a_clinic_exercise_that_only_their_clinic_sees(client, physio, foreign_staff):
    client.force_login(physio)
    response = client.post("/care/exercises/new/", VALID_EXERCISE)
    assert response.status_code == 302
    exercise = Exercise.objects.get(name="Side-lying clams")
    assert exercise.clinic == physio.clinic and exercise.created_by == physio
    assert exercise.step_list == [
        "Lie on your side with knees bent.",
        "Lift the top knee.",
        "Lower it slowly.",
    ]
    page = client.get("/care/exercises/").content.decode()
    assert "Side-lying clams" in page and "Bridges" in page
    client.force_login(foreign_staff)
    assert "Side-lying clams" not in client.get("/care/exercises/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sets", "-1", "Enter a whole number from 1 to 10."),
        ("repetitions", "500", "Enter a whole number from 1 to 100."),
        ("hold_seconds", "3600", "Enter a whole number from 1 to 300."),
        ("sessions_per_day", "0", "Enter a whole number from 1 to 24."),
        ("days_per_week", "8", "Enter a whole number from 1 to 7."),
        ("phase_end_week", "2", "The end week must come after the start week."),
        ("repetitions", "ten", "Enter a whole number from 1 to 100."),
    ],
)
def test_absurd_library_doses_are_refused_beside_the_field(client, physio, field, value, message):
    client.force_login(physio)
    response = client.post("/care/exercises/new/", VALID_EXERCISE | {field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="field-{field}"' in page
    field_html = page.split(f'id="field-{field}"')[1].split('<div class="field')[0]
    assert message in field_html
    assert not Exercise.objects.filter(name="Side-lying clams").exists()


def test_a_dose_must_say_how_much(client, physio):
    client.force_login(physio)
    response = client.post("/care/exercises/new/", VALID_EXERCISE | {"repetitions": "", "sets": ""})
    assert "Give repetitions, a hold time or minutes" in response.content.decode()
    assert not Exercise.objects.filter(name="Side-lying clams").exists()


def test_physio_edits_only_their_own_exercises(client, physio, clinic):
    client.force_login(physio)
    client.post("/care/exercises/new/", VALID_EXERCISE)
    exercise = Exercise.objects.get(name="Side-lying clams")
    response = client.post(
        f"/care/exercises/{exercise.public_id}/edit/", VALID_EXERCISE | {"repetitions": "12"}
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.repetitions == 12
    colleague = make_user("physio2@clinic.test", Role.PHYSIO, clinic)
    client.force_login(colleague)
    assert client.get(f"/care/exercises/{exercise.public_id}/edit/").status_code == 404
    seeded = library_exercise("bridges")
    client.force_login(physio)
    assert client.get(f"/care/exercises/{seeded.public_id}/edit/").status_code == 404


# Programmes -----------------------------------------------------------------------------------


def test_physio_builds_a_programme_from_a_phase_template(client, physio, patient):
    client.force_login(physio)
    response = client.post(f"/care/patients/{patient.public_id}/programme/", {"phase": "2-6"})
    assert response.status_code == 302
    items = {
        item.exercise.code: item
        for item in ProgrammeItem.objects.filter(programme__patient=patient)
    }
    # §6: activation phase (bracing, tilts, slides, bridges) plus walking and stretches.
    assert set(items) == {
        "walking",
        "abdominal-bracing",
        "pelvic-tilts",
        "heel-slides",
        "bridges",
        "bird-dog",
        "stretches",
        "sit-to-stand",
    }
    assert (items["bridges"].start_week, items["bridges"].end_week) == (3, 6)
    assert (items["walking"].start_week, items["walking"].end_week) == (2, 6)
    assert ProgrammeChange.objects.filter(programme__patient=patient).count() == len(items)
    # Applying it again adds nothing twice.
    client.post(f"/care/patients/{patient.public_id}/programme/", {"phase": "2-6"})
    assert ProgrammeItem.objects.filter(programme__patient=patient).count() == len(items)


def test_an_unknown_phase_is_refused(client, physio, patient):
    client.force_login(physio)
    response = client.post(f"/care/patients/{patient.public_id}/programme/", {"phase": "99"})
    assert response.status_code == 200
    assert "Choose one of the phases." in response.content.decode()
    assert not ProgrammeItem.objects.exists()


def test_physio_adds_an_exercise_with_an_adjusted_dose(client, physio, patient):
    client.force_login(physio)
    bridges = library_exercise("bridges")
    url = f"/care/patients/{patient.public_id}/programme/add/"
    assert "Bridges" in client.get(url).content.decode()
    form = client.get(url, {"exercise": bridges.public_id}).content.decode()
    assert 'name="repetitions"' in form and 'value="10"' in form  # the default dose
    response = client.post(
        url, item_post(exercise=str(bridges.public_id), repetitions="12", sets="2")
    )
    assert response.status_code == 302
    item = ProgrammeItem.objects.get(programme__patient=patient)
    assert (item.sets, item.repetitions, item.start_week, item.end_week) == (2, 12, 3, 12)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sessions_per_day", "50", "Enter a whole number from 1 to 24."),
        ("repetitions", "-5", "Enter a whole number from 1 to 100."),
        ("minutes", "1000", "Enter a whole number from 1 to 180."),
        ("end_week", "3", "The end week must come after the start week."),
        ("start_week", "500", "Enter a week from 0 to 104."),
    ],
)
def test_absurd_programme_doses_are_refused_and_nothing_changes(
    client, physio, patient, field, value, message
):
    item = prescribe(patient, physio, "bridges", start_week=3, end_week=12)
    client.force_login(physio)
    url = f"/care/patients/{patient.public_id}/programme/{item.public_id}/"
    response = client.post(url, item_post(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    field_html = page.split(f'id="field-{field}"')[1].split('<div class="field')[0]
    assert message in field_html
    item.refresh_from_db()
    assert (item.repetitions, item.sessions_per_day, item.end_week) == (10, 1, 12)
    assert ProgrammeChange.objects.count() == 1  # only "added"


def test_every_change_is_kept_and_the_patient_sees_what_changed(client, physio, patient):
    item = prescribe(patient, physio, "bridges", start_week=2, end_week=12)
    client.force_login(physio)
    url = f"/care/patients/{patient.public_id}/programme/{item.public_id}/"
    response = client.post(url, item_post(repetitions="15", sets="2", start_week="2"))
    assert response.status_code == 302
    change = ProgrammeChange.objects.first()
    assert change.changed_by == physio
    assert {(d["field"], d["before"], d["after"]) for d in change.details} == {
        ("repetitions", 10, 15),
        ("sets", 1, 2),
    }
    # Saving the same values again records nothing.
    client.post(url, item_post(repetitions="15", sets="2", start_week="2"))
    assert ProgrammeChange.objects.count() == 2

    client.force_login(patient.user)
    page = client.get("/me/exercises/").content.decode()
    assert "What changed" in page
    assert "Changed Bridges" in page and "repetitions 10 → 15" in page
    assert "Phil Physio" in page
    assert "Squeeze your buttocks" in page  # the step-by-step instructions
    assert "2 sets, 15 repetitions, hold 3 s" in page


def test_stopping_an_exercise_keeps_it_in_the_history(client, surgeon, physio, patient):
    item = prescribe(patient, physio, "bridges")
    client.force_login(surgeon)  # clinicians on the team may edit too
    url = f"/care/patients/{patient.public_id}/programme/{item.public_id}/"
    assert client.post(url, {"remove": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None
    assert client.get(url).status_code == 404
    client.force_login(patient.user)
    page = client.get("/me/exercises/").content.decode()
    assert "Stopped Bridges." in page
    assert "Squeeze your buttocks" not in page


def test_physio_outside_the_care_team_gets_404_and_changes_nothing(client, patient, clinic):
    outsider = make_user("physio3@clinic.test", Role.PHYSIO, clinic)
    item = prescribe(patient, patient.care_team.get(role=Role.PHYSIO), "bridges")
    client.force_login(outsider)
    base = f"/care/patients/{patient.public_id}"
    assert client.get(f"{base}/programme/").status_code == 404
    assert client.post(f"{base}/programme/", {"phase": "0-2"}).status_code == 404
    bridges = library_exercise("bridges")
    response = client.post(f"{base}/programme/add/", item_post(exercise=str(bridges.public_id)))
    assert response.status_code == 404
    response = client.post(f"{base}/programme/{item.public_id}/", item_post(repetitions="50"))
    assert response.status_code == 404
    assert ProgrammeItem.objects.count() == 1
    item.refresh_from_db()
    assert item.repetitions == 10


def test_an_item_of_another_patient_is_not_reachable_through_this_patient(
    client, physio, patient, other_patient
):
    other_patient.memberships.create(staff=physio)
    other_item = prescribe(other_patient, physio, "bridges")
    client.force_login(physio)
    url = f"/care/patients/{patient.public_id}/programme/{other_item.public_id}/"
    assert client.get(url).status_code == 404


def test_programme_history_is_append_only(physio, patient):
    prescribe(patient, physio, "bridges")
    change = ProgrammeChange.objects.get()
    change.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        ProgrammeChange.objects.all().delete()


def test_patient_sees_exercises_of_this_week_and_those_coming_later(client, physio, patient):
    # The patient is in week 2 (20 days after surgery).
    prescribe(patient, physio, "pelvic-tilts", start_week=2, end_week=12)
    prescribe(patient, physio, "bird-dog", start_week=4, end_week=12)
    prescribe(patient, physio, "ankle-pumps", start_week=0, end_week=2)
    client.force_login(patient.user)
    page = client.get("/me/exercises/").content.decode()
    now, later = page.split("Your programme now")[1].split("Coming later")
    later = later.split("What changed")[0]
    assert "Tighten your stomach muscles" in now  # pelvic tilts, steps shown
    assert "Ankle pumps" not in now + later  # finished
    assert "Four-point arm and leg lifts" in later and "weeks 4–12" in later
    assert "Four-point" not in now


# Restrictions -----------------------------------------------------------------------------


def test_surgeon_sets_the_default_restrictions_and_the_patient_sees_them(client, surgeon, patient):
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/restrictions/"
    assert client.post(url, {"action": "defaults"}).status_code == 302
    # 20 days after surgery: the 2-week driving restriction has already ended.
    kinds = dict(Restriction.objects.filter(patient=patient).values_list("kind", "until"))
    assert set(kinds) == {"bending", "lifting", "sitting"}
    assert kinds["bending"] == patient.surgery_date + timedelta(days=41)
    client.force_login(patient.user)
    page = client.get("/me/exercises/").content.decode()
    assert "No bending, lifting or twisting." in page
    assert "Lift nothing heavier than 5 kg." in page
    assert "Do not drive" not in page


def test_restrictions_are_shown_until_they_expire_or_are_lifted(client, surgeon, patient):
    today = patient.local_date()
    Restriction.objects.create(
        patient=patient, kind="other", text="No swimming.", until=today - timedelta(days=1)
    )
    Restriction.objects.create(patient=patient, kind="other", text="No golf.", until=today)
    kept = Restriction.objects.create(patient=patient, kind="other", text="No running.")
    client.force_login(patient.user)
    page = client.get("/me/exercises/").content.decode()
    assert "No swimming." not in page
    assert "No golf." in page and "No running." in page
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/restrictions/"
    client.post(url, {"action": "lift", "restriction": str(kept.public_id)})
    client.force_login(patient.user)
    assert "No running." not in client.get("/me/exercises/").content.decode()


def test_surgeon_adds_a_restriction_with_validation(client, surgeon, patient):
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/restrictions/"
    yesterday = patient.local_date() - timedelta(days=1)
    response = client.post(
        url, {"action": "add", "kind": "lifting", "text": "Lift ≤ 2 kg.", "until": yesterday}
    )
    assert "Choose today or a later date." in response.content.decode()
    response = client.post(url, {"action": "add", "kind": "lifting", "text": "", "until": ""})
    assert "Write what the patient is told." in response.content.decode()
    assert not Restriction.objects.exists()
    response = client.post(url, {"action": "add", "kind": "lifting", "text": "Lift ≤ 2 kg."})
    assert response.status_code == 302
    assert Restriction.objects.get().set_by == surgeon


def test_physio_reads_restrictions_but_only_clinicians_set_them(
    client, physio, outsider_staff, patient
):
    url = f"/care/patients/{patient.public_id}/restrictions/"
    client.force_login(physio)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "defaults"}).status_code == 403
    client.force_login(outsider_staff)  # a clinician, not on this care team
    assert client.post(url, {"action": "defaults"}).status_code == 404
    assert not Restriction.objects.exists()
