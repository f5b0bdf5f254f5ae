"""The physiotherapist's caseload: figures per patient, sorting, paging, constant queries."""

import random
import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_flag, make_patient, make_user
from tests.programme_data import prescribe
from tracker.auth.access import patients_visible_to
from tracker.care.caseload import row_for
from tracker.models import CheckIn, ExerciseLog, PatientSummary, Role


def add_days(patient, pains, item=None, done=None, prescribed=3):
    """Check-ins ending today with the given back pain, oldest first; logs when `item`."""
    today = patient.local_date()
    checkins = CheckIn.objects.bulk_create(
        CheckIn(patient=patient, day=today - timedelta(days=len(pains) - 1 - n), back_pain=pain)
        for n, pain in enumerate(pains)
    )
    if item is not None:
        ExerciseLog.objects.bulk_create(
            ExerciseLog(checkin=c, item=item, sessions_done=done, sessions_prescribed=prescribed)
            for c in checkins
        )


def rows_of(page: str) -> list[str]:
    """The patient names in table order."""
    return re.findall(r'<th scope="row"><a href="/care/patients/[^"]+/">([^<]+)</a>', page)


def test_caseload_shows_the_figures_a_physio_scans(client, physio, patient):
    item = prescribe(patient, physio, "walking")
    # Pain 3 for a week, then 6 for a week: trend up. 2 of 3 sessions a day: 67 %.
    add_days(patient, [3] * 7 + [6] * 7, item=item, done=2)
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon")
    make_flag(patient, "P9-ADHERENCE", "soon", status="acknowledged")
    make_flag(patient, "P11-WALKING-DECLINE", "soon", status="resolved")
    client.force_login(physio)
    page = client.get("/care/").content.decode()
    row = page.split("Pat Example")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "2"  # weeks since surgery (20 days)
    assert cells[1] == patient.local_date().strftime("%-d %b")
    assert "up" in cells[2]
    assert 'class="sparkline"' in cells[3]
    assert cells[4] == "67 %"
    # Open and acknowledged, not resolved, with their levels.
    assert cells[5] == '2 <span class="help">(2 within 24 hours)</span>'


def test_exercise_adherence_covers_the_two_weeks_p9_judges(client, physio, patient):
    """A physio reads the same two weeks on the caseload as P9-ADHERENCE looks at: all done in
    the first week and nothing in the second is 50 %, not the last week's 0 %."""
    item = prescribe(patient, physio, "walking")
    today = patient.local_date()
    first_week = CheckIn.objects.bulk_create(
        CheckIn(patient=patient, day=today - timedelta(days=n), back_pain=2) for n in range(7, 14)
    )
    second_week = CheckIn.objects.bulk_create(
        CheckIn(patient=patient, day=today - timedelta(days=n), back_pain=2) for n in range(7)
    )
    ExerciseLog.objects.bulk_create(
        [
            ExerciseLog(checkin=c, item=item, sessions_done=2, sessions_prescribed=2)
            for c in first_week
        ]
        + [
            ExerciseLog(checkin=c, item=item, sessions_done=0, sessions_prescribed=2)
            for c in second_week
        ]
    )
    client.force_login(physio)
    page = client.get("/care/").content.decode()
    assert "Exercise, 14 days" in page
    row = page.split("Pat Example")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[4] == "50 %"


def test_a_patient_without_data_shows_dashes(client, physio, patient):
    client.force_login(physio)
    row = client.get("/care/").content.decode().split("Pat Example")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1:3] == ["—", "—"]
    assert "Back: –, –" in cells[3] and "<polyline" not in cells[3]  # no pain drawn
    assert cells[4:] == ["—", "0"]


def test_the_caseload_lists_only_the_physios_own_patients(client, physio, patient, other_patient):
    client.force_login(physio)
    page = client.get("/care/").content.decode()
    assert "Pat Example" in page and "Olive Other" not in page


@pytest.fixture
def three_patients(clinic, physio):
    a = make_patient("a@clinic.test", clinic, team=(physio,), full_name="Ann Able")
    b = make_patient("b@clinic.test", clinic, team=(physio,), full_name="Ben Baker")
    c = make_patient("c@clinic.test", clinic, team=(physio,), full_name="Cal Cole")
    add_days(a, [2] * 3, item=prescribe(a, physio, "walking"), done=3)  # 100 %
    add_days(b, [2] * 3, item=prescribe(b, physio, "walking"), done=1)  # 33 %
    CheckIn.objects.create(patient=c, day=c.local_date() - timedelta(days=9), back_pain=2)
    make_flag(c, "P7-SUSTAINED-HIGH", "soon")
    make_flag(c, "P9-ADHERENCE", "soon")
    make_flag(a, "P7-SUSTAINED-HIGH", "soon")
    return a, b, c


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ann Able", "Ben Baker", "Cal Cole"]),
        ("-name", ["Cal Cole", "Ben Baker", "Ann Able"]),
        ("adherence", ["Ben Baker", "Ann Able", "Cal Cole"]),  # lowest first, none last
        ("flags", ["Cal Cole", "Ann Able", "Ben Baker"]),
        ("last_checkin", ["Cal Cole", "Ann Able", "Ben Baker"]),  # quietest first
        ("nonsense", ["Ann Able", "Ben Baker", "Cal Cole"]),  # refused: the default
        ("-nonsense';--", ["Ann Able", "Ben Baker", "Cal Cole"]),
    ],
)
def test_caseload_sorts(client, physio, three_patients, sort, expected):
    client.force_login(physio)
    response = client.get("/care/", {"sort": sort})
    assert response.status_code == 200
    assert rows_of(response.content.decode()) == expected


def test_caseload_pages_keep_the_sort(client, clinic, physio):
    for n in range(30):
        make_patient(f"p{n:02}@clinic.test", clinic, team=(physio,), full_name=f"Patient {n:02}")
    client.force_login(physio)
    first = client.get("/care/", {"sort": "-name"}).content.decode()
    assert len(rows_of(first)) == 25 and rows_of(first)[0] == "Patient 29"
    assert "?sort=-name&amp;page=2" in first
    second = client.get("/care/", {"sort": "-name", "page": "2"}).content.decode()
    assert rows_of(second) == [f"Patient {n:02}" for n in range(4, -1, -1)]
    assert client.get("/care/", {"page": "999"}).status_code == 200


def caseload_queries(client, physio) -> int:
    client.force_login(physio)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/care/", {"sort": "adherence"})
    assert response.status_code == 200
    return len(queries)


def test_caseload_queries_do_not_grow_with_patients(client, clinic):
    counts = []
    for label, patients in (("one", 1), ("many", 30)):
        physio = make_user(f"physio-{label}@clinic.test", Role.PHYSIO, clinic)
        for n in range(patients):
            patient = make_patient(f"{label}{n}@clinic.test", clinic, team=(physio,))
            add_days(patient, [4] * 14, item=prescribe(patient, physio, "walking"), done=2)
            make_flag(patient, "P7-SUSTAINED-HIGH", "soon")
        counts.append(caseload_queries(client, physio))
    assert counts[0] == counts[1]


def test_caseload_queries_do_not_grow_with_days(client, clinic):
    counts = []
    for label, days in (("short", 1), ("long", 365)):
        physio = make_user(f"physio-{label}@clinic.test", Role.PHYSIO, clinic)
        patient = make_patient(f"{label}@clinic.test", clinic, team=(physio,))
        patient.surgery_date = patient.local_date() - timedelta(days=days + 1)
        patient.save(update_fields=["surgery_date"])
        add_days(patient, [4] * days, item=prescribe(patient, physio, "walking"), done=2)
        counts.append(caseload_queries(client, physio))
    assert counts[0] == counts[1]


def test_each_row_draws_the_last_14_days_of_pain(client, physio, patient):
    today = patient.local_date()
    for days_ago, back, leg in ((13, 7, 8), (12, 6, 7), (2, 4, 5), (0, 3, 2)):
        CheckIn.objects.create(
            patient=patient, day=today - timedelta(days=days_ago), back_pain=back, leg_pain=leg
        )
    client.force_login(physio)
    html = client.get("/care/").content.decode()
    assert 'class="sparkline"' in html
    gap = ", –" * 9
    assert f"Back: 7, 6{gap}, 4, –, 3. Leg: 8, 7{gap}, 5, –, 2." in html
    # Days 13 and 12 ago are joined; a missing day breaks the line; a lone day is a dot.
    assert html.count("<polyline") == 2 and html.count("<circle") == 4


TREND_RANK = {"up": 0, "flat": 1, "down": 2, None: 3}
PYTHON_KEYS = {
    "name": lambda row: (),
    "weeks": lambda row: (-row.patient.surgery_date.toordinal(),),
    "last_checkin": lambda row: (row.last_checkin is not None, row.last_checkin or date.min),
    "pain_trend": lambda row: (TREND_RANK[row.pain_trend],),
    "adherence": lambda row: (row.adherence.percent is None, row.adherence.percent or 0),
    "flags": lambda row: (
        -row.open_flags,
        *(-dict(row.flags_by_level).get(level, 0) for level in ("emergency", "urgent", "soon")),
    ),
}


@pytest.fixture
def thirty_patients(clinic, physio):
    """30 patients (two pages) with every figure spread out, some tied, some empty."""
    rng = random.Random(18)  # noqa: S311 (test data)
    patients = []
    for n in range(30):
        patient = make_patient(
            f"s{n:02}@clinic.test",
            clinic,
            team=(physio,),
            full_name=f"{rng.choice('ABCDEFGH')}{n:02} Patient",
            surgery_days_ago=rng.randint(15, 120),
        )
        if n % 7:  # every seventh patient never checks in
            start = rng.choice([0, 0, 3, 20])
            first, second = rng.randint(0, 10), rng.randint(0, 10)
            pains = [first] * 7 + [second] * 7
            item = prescribe(patient, physio, "walking") if n % 5 else None
            add_days(
                patient,
                pains[: 14 - start] if start < 14 else [4],
                item=item,
                done=rng.randint(0, 3),
            )
            if start:
                CheckIn.objects.filter(patient=patient).update(day=F("day") - timedelta(days=start))
        for level in rng.sample(["emergency", "urgent", "soon", "review"], rng.randint(0, 3)):
            make_flag(patient, f"RULE-{level}", level)
        patients.append(patient)
    return patients


@pytest.mark.parametrize("sort", [*PYTHON_KEYS, *(f"-{key}" for key in PYTHON_KEYS)])
def test_every_sort_is_done_by_the_database_and_pages_correctly(
    client, physio, thirty_patients, sort
):
    client.force_login(physio)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/care/", {"sort": sort}).content.decode()
    # Read before the next request, which empties the log.
    pages = [q["sql"] for q in queries.captured_queries if "LIMIT 25" in q["sql"]]
    second = client.get("/care/", {"sort": sort, "page": "2"}).content.decode()
    shown = rows_of(first) + rows_of(second)
    assert len(rows_of(first)) == 25 and len(shown) == 30
    # What a full recomputation in Python orders them as (ties by name).
    visible = patients_visible_to(physio).select_related("user", "summary")
    rows = [row_for(patient) for patient in visible]
    key = PYTHON_KEYS[sort.removeprefix("-")]
    expected = sorted(
        rows,
        key=lambda row: (*key(row), row.patient.user.full_name, row.patient.pk),
        reverse=sort.startswith("-"),
    )
    assert shown == [row.patient.user.full_name for row in expected]
    # One query fetched the page, ordered and cut by the database.
    assert len(pages) == 1 and "ORDER BY" in pages[0]
    assert '"tracker_patientsummary"' in pages[0]


def test_the_summary_shown_is_recomputed_for_today_when_days_have_passed(client, physio, patient):
    add_days(patient, [3] * 7 + [6] * 7, item=prescribe(patient, physio, "walking"), done=3)
    client.force_login(physio)
    row = client.get("/care/").content.decode().split("Pat Example")[1].split("</tr>")[0]
    assert "up" in row and "100 %" in row
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        client.force_login(physio)
        page = client.get("/care/", {"sort": "adherence"}).content.decode()
    row = page.split("Pat Example")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # A week later without a check-in: no trend, the two weeks of exercise hold only the six
    # days recorded, and the sparkline has moved on by eight days.
    assert cells[2] == "—" and cells[4] == "100 %"
    assert "Back: 6, 6, 6, 6, 6, 6, –, –" in cells[3]
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        client.force_login(physio)
        page = client.get("/care/", {"sort": "adherence"}).content.decode()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page.split("Pat Example")[1].split("</tr>")[0], re.S)
    assert cells[4] == "—"  # two weeks without a check-in: nothing recorded to judge


def test_stale_rows_of_other_teams_are_left_alone(client, physio, patient, other_patient):
    client.force_login(physio)
    page = client.get("/care/").content.decode()
    assert "Pat Example" in page and "Olive Other" not in page
    assert not PatientSummary.objects.filter(patient=other_patient).exists()
