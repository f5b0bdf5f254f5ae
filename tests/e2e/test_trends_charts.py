"""Charts in a real browser, under the app's Content Security Policy, on a small phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_as
from tests.factories import make_flag
from tests.trends.test_trends_pages import add_days

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 740}


def test_patient_charts_draw_and_the_range_switch_redraws_them(
    page, live_server, patient, browser_errors
):
    add_days(patient, 60, leg_pain=4)
    sign_in_as(page.context, live_server, patient.user)
    page.set_viewport_size(SMALL_PHONE)
    page.goto("/me/trends/")
    chart = page.locator('[data-figure="figure-leg-pain"]')
    # Drawn by the server: no plotly.js until the patient asks for it.
    expect(chart.locator("svg").first).to_be_visible()
    assert chart.bounding_box()["width"] <= 360
    assert page.evaluate("typeof window.Plotly") == "undefined"
    page.get_by_role("link", name="30 days").click()
    expect(page).to_have_url(f"{live_server.url}/me/trends/?range=30")
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "true")
    expect(chart.locator("svg").first).to_be_visible()
    # A tap on the button under the chart redraws it with plotly, where a tap shows values.
    page.locator('[data-explore="figure-leg-pain"]').tap()
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(page.locator('[data-explore="figure-leg-pain"]')).to_be_hidden()
    assert chart.bounding_box()["width"] <= 360
    # The other charts stay as they were drawn.
    expect(page.locator('[data-figure="figure-back-pain"] svg.main-svg')).to_have_count(0)
    assert browser_errors == []


def test_care_team_flag_marker_opens_the_flag(page, live_server, patient, surgeon, browser_errors):
    add_days(patient, 30)
    flag = make_flag(patient, "P1-REBOUND", "review", days_ago=2)
    sign_in_as(page.context, live_server, surgeon)
    page.goto(f"/care/patients/{patient.public_id}/?range=30")
    chart = page.locator('[data-figure="figure-leg-pain"]')
    expect(chart.locator("svg").first).to_be_visible()
    chart.click()  # a click on the drawing itself also brings the interactive chart
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(
        chart.locator(".legendtext", has_text="Typical recovery (population data)")
    ).to_be_visible()
    # What a tap on the marker delivers to the page's click handler.
    page.evaluate(
        """(link) => {
            const chart = document.querySelector('[data-figure="figure-leg-pain"]');
            const trace = chart.data.find((t) => t.meta === "flag-links");
            chart.emit("plotly_click", {points: [{data: trace, customdata: [4, link]}]});
        }""",
        f"/care/flags/{flag.public_id}/",
    )
    expect(page).to_have_url(f"{live_server.url}/care/flags/{flag.public_id}/")
    assert browser_errors == []
