"""The trends page, the care team's charts and the chart data endpoints."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_flag, make_patient
from tracker.models import AccessLog, CheckIn, QuestionnaireResponse


def add_days(patient, days: int, *, leg_pain=4, back_pain=3):
    """`days` daily check-ins ending today; surgery the day before the first."""
    today = patient.local_date()
    patient.surgery_date = today - timedelta(days=days)
    patient.save(update_fields=["surgery_date"])
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            day=today - timedelta(days=n),
            back_pain=back_pain,
            leg_pain=leg_pain,
            leg_side="left",
            walking_minutes=20,
            symptoms={"muscle_spasm": ""},
            safety={"fall": False},
        )
        for n in range(days)
    )
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            patient=patient, instrument="peg", day=today - timedelta(days=n), total=4
        )
        for n in range(0, days, 7)
    )


def summary_url(patient):
    return f"/care/patients/{patient.public_id}/"


def data_url(patient, series="leg-pain"):
    return f"/care/patients/{patient.public_id}/trends/data/{series}.json"


# The patient's page --------------------------------------------------------------------------


def test_trends_page_says_how_much_lower_the_pain_is(patient_client, patient):
    add_days(patient, 40, leg_pain=4)  # pre-operative leg pain 8 (conftest)
    html = patient_client.get("/me/trends/").content.decode()
    assert "Your leg pain is 50 % lower than before surgery." in html
    assert "That is a meaningful improvement." in html
    assert 'role="img"' in html
    assert "the numbers as a table" in html
    assert "Exercises done" not in html  # no programme: no empty chart


def test_trends_is_in_the_patient_navigation(patient_client):
    assert 'href="/me/trends/"' in patient_client.get("/me/").content.decode()


def test_only_chart_pages_load_plotly(patient_client, patient, client, surgeon):
    add_days(patient, 10)
    for url in ("/me/", "/me/check-in/", "/me/history/"):
        assert "plotly" not in patient_client.get(url).content.decode(), url
    html = patient_client.get("/me/trends/").content.decode()
    # Not loaded with the page: charts.js fetches it when the patient taps a chart.
    assert 'src="/static/vendor/plotly' not in html
    tag = html[html.index('<script src="/static/js/charts.js"') :].split(">")[0]
    assert 'data-plotly="/static/vendor/plotly-basic-4.1.1.min.js"' in tag
    assert "defer" in tag and "nonce=" in tag
    client.force_login(surgeon)
    assert "plotly-basic-4.1.1.min.js" in client.get(summary_url(patient)).content.decode()
    assert "plotly" not in client.get("/care/").content.decode()


def test_each_chart_arrives_drawn_with_its_figure_for_plotly(patient_client, patient):
    add_days(patient, 30, leg_pain=4)
    html = patient_client.get("/me/trends/").content.decode()
    start = html.index('data-figure="figure-leg-pain"')
    chart = html[start : html.index("</div>", start)]
    # The drawing is decorative to screen readers: the element around it says what it shows.
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in chart
    assert 'aria-hidden="true"' in chart
    assert "Weeks since surgery" in chart and "7-day average" in chart
    assert 'id="figure-leg-pain" type="application/json"' in html
    assert 'data-explore="figure-leg-pain" hidden' in html


def test_chart_pages_have_no_inline_scripts(patient_client, patient):
    add_days(patient, 10)
    html = patient_client.get("/me/trends/").content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">")[0]
        assert "src=" in tag or 'type="application/json"' in tag


def test_range_switch_without_htmx_serves_the_whole_page(patient_client, patient):
    add_days(patient, 100)
    response = patient_client.get("/me/trends/?range=30")
    html = response.content.decode()
    assert "<html" in html
    assert 'href="/me/trends/?range=30"' in html
    assert 'hx-get="/me/trends/?range=30"' in html
    current = html.split('aria-current="true"')[0].rsplit("<a", 1)[1]
    assert "range=30" in current


def test_range_switch_with_htmx_serves_the_fragment(patient_client, patient):
    add_days(patient, 100)
    response = patient_client.get("/me/trends/?range=all", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<div id="trends"')
    assert "HX-Request" in response["Vary"]
    assert 'id="figure-leg-pain"' in html
    # A history restore needs the whole page again.
    restore = patient_client.get(
        "/me/trends/?range=all",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_unknown_range_on_the_page_falls_back_to_90_days(patient_client, patient):
    add_days(patient, 10)
    response = patient_client.get("/me/trends/?range=forever")
    assert response.status_code == 200
    current = response.content.decode().split('aria-current="true"')[0].rsplit("<a", 1)[1]
    assert "range=90" in current


# Chart data endpoints ------------------------------------------------------------------------


@pytest.mark.parametrize(("range_", "days"), [("30", 30), ("90", 90), ("all", 121), ("", 90)])
def test_patient_chart_data_by_range(patient_client, patient, range_, days):
    add_days(patient, 120)
    response = patient_client.get(f"/me/trends/data/leg-pain.json?range={range_}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"labels", "weeks", "datasets"}
    assert len(data["labels"]) == days
    assert data["labels"][-1] == patient.local_date().isoformat()
    recorded = min(days, 120)  # the day of surgery has no check-in
    assert data["datasets"][0] == {
        "label": "Each day",
        "data": [None] * (days - recorded) + [4] * recorded,
        "type": "line",
        "showLine": False,
    }


def test_unknown_series_is_404_and_bad_range_is_400(patient_client, patient):
    assert patient_client.get("/me/trends/data/cholesterol.json").status_code == 404
    response = patient_client.get("/me/trends/data/leg-pain.json?range=7")
    assert response.status_code == 400
    assert "range must be one of" in response.json()["error"]


def test_every_series_answers(patient_client, patient):
    add_days(patient, 20)
    for series in ("back-pain", "leg-pain", "symptoms", "walking", "adherence", "peg", "mood"):
        response = patient_client.get(f"/me/trends/data/{series}.json?range=all")
        assert response.status_code == 200, series
        assert "datasets" in response.json()


def test_care_chart_data_through_the_access_helper(
    client, patient, other_patient, surgeon, physio, outsider_staff, foreign_staff
):
    add_days(patient, 30)
    url = data_url(patient) + "?range=30"
    for member in (surgeon, physio):
        client.force_login(member)
        assert client.get(url).status_code == 200
    for outsider in (outsider_staff, foreign_staff, patient.user, other_patient.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_chart_data_access_is_logged(client, patient, surgeon):
    add_days(patient, 5)
    client.force_login(surgeon)
    client.get(data_url(patient, "walking"))
    entry = AccessLog.objects.get(patient=patient, actor=surgeon)
    assert entry.action == "trends data: walking"
    assert entry.path.endswith("/trends/data/walking.json")


def test_patient_data_is_not_logged_as_staff_access(patient_client, patient):
    patient_client.get("/me/trends/data/walking.json")
    assert not AccessLog.objects.filter(patient=patient).exists()


def test_care_chart_data_has_flags_linking_to_the_flag(client, patient, surgeon):
    add_days(patient, 30)
    today = patient.local_date()
    flag = make_flag(patient, "P1-REBOUND", "review", days_ago=3)
    client.force_login(surgeon)
    data = client.get(data_url(patient) + "?range=30").json()
    flags = next(d for d in data["datasets"] if d["label"] == "Flags")
    index = data["labels"].index((today - timedelta(days=3)).isoformat())
    assert flags["links"][index] == f"/care/flags/{flag.public_id}/"
    assert flags["texts"][index].startswith("P1-REBOUND")
    assert "Typical recovery (population data)" in {d["label"] for d in data["datasets"]}


# The care team's summary page ----------------------------------------------------------------


def test_care_summary_shows_the_one_screen_summary(client, patient, surgeon):
    add_days(patient, 40, leg_pain=4, back_pain=7)
    make_flag(patient, "P1-REBOUND", "review", days_ago=2)
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon", days_ago=20, status="resolved")
    client.force_login(surgeon)
    html = client.get(summary_url(patient)).content.decode()
    summary = html[html.index('class="care-summary"') : html.index("</section>")]
    assert "5 weeks" in summary
    assert "8 → 4" in summary  # leg pain, pre-operative baseline 8
    assert "baseline: pre-operative" in summary
    assert "Open flags</dt>\n    <dd>1:" in summary
    assert "Pain rising again after improving" in summary and "Sustained severe pain" not in summary
    assert "No exercise programme yet" in summary
    assert "Typical recovery: population data" in html
    assert "/care/flags/" in html  # flag markers on the charts


def test_care_summary_names_a_post_operative_baseline(client, clinic, surgeon):
    patient = make_patient("nobase@clinic.test", clinic, team=(surgeon,), full_name="No Base")
    add_days(patient, 20, back_pain=5)
    client.force_login(surgeon)
    html = client.get(summary_url(patient)).content.decode()
    assert "baseline: mean of the first 3 check-ins of post-operative days 1–14" in html


def test_care_summary_range_switch_with_htmx(client, patient, surgeon):
    add_days(patient, 100)
    client.force_login(surgeon)
    response = client.get(summary_url(patient) + "?range=30", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="trends"')
    assert "care-summary" not in html
    assert f'href="{summary_url(patient)}?range=all"' in html
    assert AccessLog.objects.filter(patient=patient, actor=surgeon).count() == 1


# Queries do not grow with the data -----------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/me/trends/?range=all", "/me/trends/?range=30", "/me/trends/data/leg-pain.json?range=all"],
)
def test_patient_trends_constant_queries(client, clinic, surgeon, url):
    counts = []
    for index, days in enumerate((1, 730)):
        patient = make_patient(f"p{index}@clinic.test", clinic, team=(surgeon,))
        add_days(patient, days)
        client.force_login(patient.user)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("page", ["summary", "data"])
def test_care_trends_constant_queries(client, clinic, surgeon, page):
    counts = []
    client.force_login(surgeon)
    for index, days in enumerate((1, 730)):
        patient = make_patient(f"p{index}@clinic.test", clinic, team=(surgeon,))
        add_days(patient, days)
        for n in range(1 + index * 20):
            make_flag(patient, f"RULE-{n}", "review", days_ago=n)
        url = summary_url(patient) if page == "summary" else data_url(patient)
        counts.append(count_queries(client, url + "?range=all"))
    assert counts[0] == counts[1]


def test_trends_before_surgery_do_not_break(patient_client, patient):
    patient.surgery_date = patient.local_date() + timedelta(days=10)
    patient.save(update_fields=["surgery_date"])
    for url in ("/me/trends/?range=all", "/me/trends/data/leg-pain.json?range=30"):
        assert patient_client.get(url).status_code == 200
