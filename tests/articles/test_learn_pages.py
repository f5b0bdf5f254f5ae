"""The "Learn" pages, the week's articles on home, article links on the safety screens, and the
contact card on every patient page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.checkin_data import checkin_post
from tests.conftest import make_patient
from tests.test_personas import PATIENT_PAGES
from tracker.articles import (
    WARNING_SIGNS_ARTICLE,
    ArticleError,
    all_articles,
    articles_for_week,
    get_article,
)
from tracker.models import AccessLog


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


# The three personas ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/learn/", "/learn/warning-signs/"])
def test_only_a_signed_in_patient_gets_the_learn_pages(
    client, patient, surgeon, physio, clinic_admin, url
):
    client.force_login(patient.user)
    assert client.get(url).status_code == 200
    for staff in (surgeon, physio, clinic_admin):
        client.force_login(staff)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reading_articles_writes_nothing_to_the_access_log(patient_client):
    patient_client.get("/learn/")
    patient_client.get("/learn/warning-signs/")
    assert not AccessLog.objects.exists()


def test_an_unknown_article_is_not_found(patient_client):
    assert patient_client.get("/learn/no-such-article/").status_code == 404


# The list -------------------------------------------------------------------------------------


def test_the_list_puts_this_weeks_articles_first_and_lists_every_article(client, clinic):
    patient = make_patient("late@clinic.test", clinic, surgery_days_ago=7 * 20)
    client.force_login(patient.user)
    html = client.get("/learn/").content.decode()
    assert "week 20 since surgery" in html
    this_week = section(html, "this-week-heading")
    assert "Pain that persists after surgery" in this_week
    assert "Your restrictions" not in this_week
    for article in all_articles():
        assert f'href="/learn/{article.slug}/"' in html
    assert html.index("Pain that persists after surgery") < html.index("Your restrictions")


def test_learn_is_in_the_patient_navigation(patient_client):
    html = patient_client.get("/me/").content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert 'href="/learn/"' in nav and "Learn" in nav


# An article -----------------------------------------------------------------------------------


def test_an_article_page_shows_the_text_sources_and_review_date_without_javascript(
    patient_client,
):
    article = get_article("persistent-pain")
    html = patient_client.get("/learn/persistent-pain/").content.decode()
    assert f'<h1 id="article-title">{article.title}</h1>' in html
    assert "persistent spinal pain syndrome type 2" in html
    assert "Schug, Pain 2019" in html
    assert "Last reviewed on 27 November 2026." in html
    # The text is in the page itself: no script is needed to show it.
    article_html = html[html.index("<article") : html.index("</article>")]
    assert "<script" not in article_html and "hx-" not in article_html


def test_the_warning_signs_article_gives_this_clinics_numbers_to_tap(patient_client):
    html = patient_client.get("/learn/warning-signs/").content.decode()
    body = html[html.index('class="article-body"') : html.index("</article>")]
    assert '<a href="tel:999">999</a>' in body
    assert '<a href="tel:02079460000">020 7946 0000</a>' in body
    assert '<a href="tel:02079460999">020 7946 0999</a>' in body
    assert "[[" not in body


# Home: this week ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 6, 7, 20, 13 * 7, 30 * 7])
def test_home_shows_this_weeks_articles(client, clinic, days):
    patient = make_patient("weekly@clinic.test", clinic, surgery_days_ago=days)
    client.force_login(patient.user)
    html = client.get("/me/").content.decode()
    this_week = section(html, "this-week-heading")
    expected = articles_for_week(days // 7)[:3]
    assert expected
    for article in expected:
        assert f'href="/learn/{article.slug}/"' in this_week
        assert article.title in this_week
    shown = re.findall(r'href="/learn/([a-z0-9-]+)/"', this_week)
    assert shown == [a.slug for a in expected]


def test_home_in_the_first_week_leads_with_the_warning_signs(patient_client, patient):
    patient.surgery_date = patient.local_date() - timedelta(days=3)
    patient.save(update_fields=["surgery_date"])
    html = patient_client.get("/me/").content.decode()
    this_week = section(html, "this-week-heading")
    assert re.findall(r'href="/learn/([a-z0-9-]+)/"', this_week)[0] == WARNING_SIGNS_ARTICLE


# Safety screens -------------------------------------------------------------------------------


def test_the_emergency_screen_links_the_warning_signs_after_the_call_instructions(
    patient_client,
):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_bladder_change="yes")
    ).content.decode()
    call = html.index('href="tel:999"')
    do_not_drive = html.index("Do not drive yourself")
    link = html.index(f'href="/learn/{WARNING_SIGNS_ARTICLE}/"')
    assert call < do_not_drive < link
    assert link < html.index("</section>", call)  # inside the screen, also for htmx swaps


def test_the_emergency_screen_swapped_in_by_htmx_also_has_the_link(patient_client):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_saddle_numbness="yes"), headers={"HX-Request": "true"}
    ).content.decode()
    assert html.index("tel:999") < html.index(f'href="/learn/{WARNING_SIGNS_ARTICLE}/"')


def test_the_urgent_screen_links_the_warning_signs_after_the_numbers(patient_client):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_calf_pain_swelling="yes")
    ).content.decode()
    out_of_hours = html.index("Out of hours: 020 7946 0999")
    assert out_of_hours < html.index(f'href="/learn/{WARNING_SIGNS_ARTICLE}/"')


def test_a_within_24_hours_notice_links_the_warning_signs_after_its_number(patient_client):
    html = patient_client.post("/me/check-in/", checkin_post(safety_fall="yes")).content.decode()
    assert "your answers are saved" in html
    call = html.index('<a class="button call-now" href="tel:02079460000">Call the surgeon')
    assert call < html.index(f'href="/learn/{WARNING_SIGNS_ARTICLE}/"')


def test_a_broken_article_file_never_stops_the_emergency_screen(
    patient_client, monkeypatch, caplog
):
    def broken_library():
        raise ArticleError("warning-signs.md: the front matter is not valid TOML")

    monkeypatch.setattr("tracker.articles.selection.library", broken_library)
    response = patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:999"' in html and "Do not drive yourself" in html
    assert "/learn/" not in html[html.index("<main") : html.index("</main>")]
    assert "Article files are malformed" in caplog.text


def test_a_plain_day_offers_no_warning_signs_link(patient_client):
    html = patient_client.post("/me/check-in/", checkin_post()).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert f'href="/learn/{WARNING_SIGNS_ARTICLE}/"' not in main


# The contact card -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_every_patient_page_has_the_contact_card_with_tap_to_call_numbers(
    patient_client, patient, name
):
    patient_client.post("/me/check-in/", checkin_post())
    response = patient_client.get(PATIENT_PAGES[name](patient))
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        pytest.skip("not a page: data for a chart or a download")
    html = response.content.decode()
    card = html[html.index('class="contact-card"') : html.index("</aside>")]
    assert "Who to call" in card
    assert '<a class="call" href="tel:02079460000">Surgical team <span>020 7946 0000</span>' in card
    assert '<a class="call" href="tel:02079460999">Out of hours <span>020 7946 0999</span>' in card
    assert 'href="tel:999">Emergency <span>999</span>' in card


def test_the_contact_card_uses_the_clinics_own_numbers(client, other_clinic):
    patient = make_patient("ny@elsewhere.test", other_clinic)
    client.force_login(patient.user)
    html = client.get("/learn/").content.decode()
    card = html[html.index('class="contact-card"') : html.index("</aside>")]
    assert 'href="tel:911"' in card and 'href="tel:5550100"' in card
    assert "tel:999" not in card


def test_staff_pages_have_no_patient_contact_card(client, surgeon):
    client.force_login(surgeon)
    assert 'class="contact-card"' not in client.get("/care/").content.decode()
