"""The outcomes page and its downloads: what a clinician sees matches the hand-counted cohort,
each CSV holds the same figures, the filters narrow every figure, and the page's queries do not
grow with the number of patients."""

import csv
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.exports.test_reports_pdf import rendered_text, unpacked
from tests.factories import make_patient
from tests.outcomes.cohort_data import leg
from tracker.views.outcomes import Outcomes

pytestmark = pytest.mark.django_db


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_shows_the_hand_counted_figures(client, surgeon, cohort):
    client.force_login(surgeon)
    text = client.get("/clinic/outcomes/").content.decode()
    assert "67 % (2/3)" in text  # leg pain at 6 weeks
    assert "100 % (2/2)" in text  # PEG at 12 weeks
    assert 'data-figure="funnel-figure"' in text and 'id="funnel-figure"' in text
    assert "Ann First" in text and "Bo Second" in text
    assert "p1@example.org" not in text  # figures count patients, nobody is named
    assert "plotly" in text  # the chart script is loaded on this chart page


def test_the_improvement_csv_holds_the_same_figures(client, surgeon, cohort):
    client.force_login(surgeon)
    rows = csv_rows(client.get("/clinic/outcomes/improvement.csv"))
    cell = next(r for r in rows if (r["time_point"], r["measure"]) == ("6w", "leg_pain"))
    assert (cell["eligible"], cell["with_data"], cell["improved"]) == ("4", "3", "2")
    assert cell["improved_percent"] == "66.7"
    assert cell["median_change"] == "1.5"
    assert len(rows) == 16  # 4 time points × 4 measures


def test_the_funnel_csv_lists_surgeons_then_the_clinic(client, surgeon, cohort):
    client.force_login(surgeon)
    rows = csv_rows(client.get("/clinic/outcomes/funnel.csv"))
    assert [(r["surgeon"], r["with_data"], r["improved"]) for r in rows] == [
        ("Ann First", "2", "1"),
        ("Bo Second", "1", "1"),
        ("clinic", "3", "2"),
    ]
    assert rows[0]["against_clinic"] == "within the limits"


def test_a_filter_narrows_every_figure(client, surgeon, cohort):
    second = cohort.get(user__email="p3@example.org").surgeon
    client.force_login(surgeon)
    query = f"?surgeon={second.public_id}"
    rows = csv_rows(client.get("/clinic/outcomes/improvement.csv" + query))
    cell = next(r for r in rows if (r["time_point"], r["measure"]) == ("6w", "leg_pain"))
    assert (cell["eligible"], cell["with_data"], cell["improved"]) == ("1", "1", "1")
    weeks = csv_rows(client.get("/clinic/outcomes/completeness.csv" + query))
    assert weeks[0]["patients"] == "1"


def test_the_completeness_csv_ends_with_the_silent_count(client, surgeon, cohort):
    client.force_login(surgeon)
    rows = csv_rows(client.get("/clinic/outcomes/completeness.csv"))
    assert rows[-1]["week"] == "silent_now"
    assert rows[0]["week"] == "0"


def test_the_questionnaire_csv_counts_peg_weeks(client, surgeon, cohort):
    client.force_login(surgeon)
    rows = csv_rows(client.get("/clinic/outcomes/questionnaires.csv"))
    week_11 = next(r for r in rows if (r["questionnaire"], r["first_day"]) == ("peg", "77"))
    assert (week_11["patients"], week_11["completed"]) == ("4", "2")  # p2 (day 77), p1 (day 80)


def test_queries_do_not_grow_with_patients(client, surgeon, clinic, cohort):
    client.force_login(surgeon)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/clinic/outcomes/").status_code == 200
        return len(queries)

    before = count()
    for number in range(12):
        patient = make_patient(f"more{number}@example.org", clinic, surgery_days_ago=60 + number)
        leg(patient, d1=7, d2=7, d3=7, d40=3, d41=3, d42=3, d43=3)
    assert count() == before


def test_an_empty_clinic_explains_rather_than_fails(client, surgeon):
    client.force_login(surgeon)
    text = client.get("/clinic/outcomes/").content.decode()
    assert "No patient has data for this measure at this time point yet." in text
    assert "No week since surgery is over yet for these patients." in text
    for name in ("improvement", "funnel", "completeness", "questionnaires", "alarms"):
        assert client.get(f"/clinic/outcomes/{name}.csv").status_code == 200


def test_the_page_prints_to_one_pdf_page(client, rf, surgeon, cohort):
    client.force_login(surgeon)
    response = client.get("/clinic/outcomes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = re.findall(rb"/Type\s*/Page(?!s)", unpacked(response.content))
    assert len(pages) == 1

    request = rf.get("/clinic/outcomes.pdf")
    request.user = surgeon
    html = render_to_string("tracker/outcomes/outcomes_pdf.html", {"outcomes": Outcomes(request)})
    text = rendered_text(html)
    assert "67 % (2/3)" in text  # leg pain at 6 weeks, as on screen
    assert "Ann First" in text
    assert "Silent now" in text


def test_clinicians_find_their_identified_cohort_here(client, surgeon, cohort):
    client.force_login(surgeon)
    text = client.get("/clinic/outcomes/").content.decode()
    assert 'href="/clinic/exports/cohort.csv"' in text
    assert client.get("/clinic/exports/cohort.csv").status_code == 200


FILTERS = ("operated_from", "operated_to", "surgeon", "procedure", "levels", "start", "end")


@given(
    query=st.dictionaries(
        st.sampled_from(FILTERS + ("measure", "point")),
        st.text(max_size=30) | st.dates().map(str) | st.integers().map(str),
        max_size=5,
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_filter_values_answer_a_page_never_an_error(client, surgeon, query):
    client.force_login(surgeon)
    assert client.get("/clinic/outcomes/", query).status_code == 200
    assert client.get("/clinic/outcomes/improvement.csv", query).status_code == 200
