"""axe-core finds no serious or critical problem on any page a patient, physiotherapist,
surgeon or clinic admin can reach, nor on the screens a check-in answers with."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.checkin_data import checkin_post
from tests.conftest import make_user
from tests.e2e.browser import serious_accessibility_violations, sign_in_as, url_name_exists
from tests.e2e.test_patient_journeys import SAVED, fill_by_touch
from tracker.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def patient_pages(patient):
    day = patient.local_date()
    return [
        "/me/",
        "/me/check-in/",
        "/me/history/",
        reverse("history-day", args=[day]),
        reverse("checkin-day", args=[day]),
        reverse("questionnaire", args=["peg"]),
    ]


def care_pages(patient):
    return ["/care/", reverse("patient-summary", args=[patient.public_id])]


def enrolling_pages(patient):
    return [reverse("enrol"), reverse("edit-care-team", args=[patient.public_id])]


def admin_pages(patient):
    return ["/clinic/", reverse("add-staff"), reverse("clinic-settings"), *enrolling_pages(patient)]


# Pages of features still being built: checked here as soon as their URL exists.
# URL name -> (who sees it, whether it takes the patient's public id)
LATER_PAGES = {
    "programme": ("physio", True),
    "restrictions": ("surgeon", True),
}


def later_pages(role: str, patient) -> list[str]:
    return [
        reverse(name, args=[patient.public_id] if with_id else [])
        for name, (who, with_id) in LATER_PAGES.items()
        if who == role and url_name_exists(name)
    ]


def navigation_links(page) -> list[str]:
    """Every page the signed-in user's main navigation offers (new features join by
    themselves)."""
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    hrefs = nav.locator("a[href^='/']").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    return list(hrefs)


@pytest.fixture
def checked_in_patient(client, patient):
    client.force_login(patient.user)
    assert client.post("/me/check-in/", checkin_post()).status_code == 200
    client.logout()
    return patient


def audit(page, urls) -> list[str]:
    problems = []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        problems += serious_accessibility_violations(page)
    return problems


def test_public_pages(audit_phone):
    page = audit_phone.new_page()
    assert audit(page, ["/accounts/login/", reverse("password_reset")]) == []


@pytest.mark.parametrize("role", ["patient", "physio", "surgeon", "admin"])
def test_every_page_of_each_role(
    audit_phone, live_server, checked_in_patient, physio, surgeon, clinic_admin, role
):
    patient = checked_in_patient
    user, urls = {
        "patient": (patient.user, patient_pages(patient)),
        "physio": (physio, care_pages(patient)),
        "surgeon": (surgeon, care_pages(patient) + enrolling_pages(patient)),
        "admin": (clinic_admin, admin_pages(patient)),
    }[role]
    sign_in_as(audit_phone, live_server, user)
    page = audit_phone.new_page()
    urls = list(dict.fromkeys(navigation_links(page) + urls + later_pages(role, patient)))
    assert audit(page, urls) == []


def test_checkin_screens(audit_phone, live_server, patient):
    """The error summary, the confirmation and the emergency screen."""
    sign_in_as(audit_phone, live_server, patient.user)
    page = audit_phone.new_page()
    page.goto("/me/check-in/")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text("Some answers need another look")).to_be_visible()
    problems = serious_accessibility_violations(page)

    fill_by_touch(page, back="2", leg="0", side=None)
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    problems += serious_accessibility_violations(page)

    page.goto("/me/check-in/")
    fill_by_touch(page, back="2", leg="0", side=None, yes=("legs_cannot_move",))
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_role("heading", name="Call for help now")).to_be_visible()
    problems += serious_accessibility_violations(page)
    assert problems == []


def test_staff_with_no_patients(audit_phone, live_server, clinic):
    """The empty caseload, as a new physiotherapist first sees it."""
    newcomer = make_user("new.physio@clinic.test", Role.PHYSIO, clinic)
    sign_in_as(audit_phone, live_server, newcomer)
    page = audit_phone.new_page()
    assert audit(page, ["/care/"]) == []


def test_the_check_finds_a_known_problem(audit_phone):
    """A guard against a silently broken check: an unlabelled field on grey-on-white text."""
    page = audit_phone.new_page()
    page.set_content(
        '<html lang="en"><body><main><h1>Form</h1>'
        '<p style="color:#bbb;background:#fff">Faint text</p><input type="text">'
        "</main></body></html>"
    )
    problems = serious_accessibility_violations(page)
    assert any("color-contrast" in p for p in problems)
    assert any(" label " in p for p in problems)
