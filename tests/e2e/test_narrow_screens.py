"""No page of any role scrolls sideways on a 390 px phone: the browser walks each role's
navigation and pages and compares the document's width with the screen's."""

from __future__ import annotations

import pytest

from tests.e2e.browser import sign_in_as
from tests.e2e.test_accessibility import (
    admin_pages,
    care_pages,
    enrolling_pages,
    later_pages,
    navigation_links,
    patient_pages,
)
from tests.factories import make_flag

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = {"width": 390, "height": 844}


def sideways(page, urls) -> list[str]:
    """The pages wider than the screen, with by how many pixels."""
    wide = []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        extra = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if extra > 0:
            wide.append(f"{url}: {extra} px too wide")
    return wide


@pytest.mark.parametrize("role", ["patient", "physio", "surgeon", "admin"])
def test_no_page_scrolls_sideways_at_390_px(
    phone, live_server, client, patient, physio, surgeon, clinic_admin, role
):
    from tests.checkin_data import checkin_post

    client.force_login(patient.user)
    client.post("/me/check-in/", checkin_post(safety_calf_pain_swelling="yes"))
    client.logout()
    make_flag(patient, "P7-SUSTAINED-HIGH", "soon", evidence={"back_pain": 8, "leg_pain": 7})
    user, urls = {
        "patient": (patient.user, patient_pages(patient)),
        "physio": (physio, care_pages(patient)),
        "surgeon": (surgeon, care_pages(patient) + enrolling_pages(patient)),
        "admin": (clinic_admin, admin_pages(patient)),
    }[role]
    sign_in_as(phone, live_server, user)
    page = phone.new_page()
    page.set_viewport_size(PHONE_WIDTH)
    urls = list(dict.fromkeys(navigation_links(page) + urls + later_pages(role, patient)))
    assert sideways(page, urls) == []
