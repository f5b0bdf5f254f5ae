"""The patient articles: every file is well formed, safe to show, and reached at the right time."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from tracker.articles import (
    MOOD_ARTICLE,
    PACING_ARTICLE,
    PERSISTENT_PAIN_ARTICLE,
    WARNING_SIGNS_ARTICLE,
    ArticleError,
    all_articles,
    article_for_rule,
    articles_for_rules,
    articles_for_week,
    get_article,
    library,
    load_articles,
    parse_article,
)
from tracker.care.phone_numbers import tel_uri
from tracker.rules import RED_FLAG_RULES, RULES_BY_ID
from tracker.rules.definition import rule_info

REQUIRED_SLUGS = {
    "recovery-week-by-week",
    "warning-signs",
    "restrictions",
    "exercise-and-pacing",
    "persistent-pain",
    "mood-and-recovery",
}

GOOD_FRONT_MATTER = """+++
slug = "example"
title = "An example"
weeks_from = 2
weeks_to = 5
summary = "A short summary."
sources = ["Laminar clinical reference §6"]
last_reviewed = 2026-11-27
related_rules = ["P9-ADHERENCE"]
+++
"""


def article_text(body: str = "Some **plain** words.\n", **changes: str) -> str:
    text = GOOD_FRONT_MATTER
    for key, value in changes.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.MULTILINE)
    return text + "\n" + body


def plain_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


# The shipped articles ------------------------------------------------------------------------


def test_the_six_articles_of_the_issue_ship():
    assert set(library()) >= REQUIRED_SLUGS
    assert {WARNING_SIGNS_ARTICLE, PACING_ARTICLE, PERSISTENT_PAIN_ARTICLE, MOOD_ARTICLE} <= set(
        library()
    )


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.slug)
def test_every_article_names_sources_and_a_review_date(article):
    assert article.sources and all(source.strip() for source in article.sources)
    assert any("clinical reference" in source.lower() for source in article.sources)
    assert date(2026, 1, 1) <= article.last_reviewed <= date.today()
    assert article.title and article.summary


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.slug)
def test_every_article_reads_in_about_two_minutes_in_short_sentences(article):
    assert article.reading_minutes <= 2
    assert article.word_count <= 450
    text = plain_text(article.body_html)
    sentences = [s for s in re.split(r"[.!?:]\s|\n", text) if len(s.split()) > 2]
    mean_words = sum(len(s.split()) for s in sentences) / len(sentences)
    assert mean_words <= 14, f"{article.slug}: {mean_words:.1f} words per sentence"
    assert "<h2>" in article.body_html  # headings to scan on a phone
    assert "<h1>" not in article.body_html  # the page's only h1 is the title


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.slug)
def test_links_between_articles_lead_to_existing_articles(article):
    for target in re.findall(r'href="([^"]+)"', article.body_html):
        match = re.fullmatch(r"\.\./([a-z0-9-]+)/", target)
        assert match, f"{article.slug}: unexpected link {target}"
        assert get_article(match[1]) is not None


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.slug)
def test_no_article_makes_a_treatment_claim_the_reference_forbids(article):
    # clinical-reference §0.4: no "X treats back pain", no antidepressants for back pain.
    text = plain_text(article.body_html).lower()
    assert "antidepressant" not in text
    assert not re.search(r"\b(treats?|cures?)\b", text)


def test_the_persistent_pain_article_covers_what_the_issue_asks():
    text = plain_text(get_article(PERSISTENT_PAIN_ARTICLE).body_html).lower()
    for words in (
        "post-laminectomy syndrome",
        "failed back surgery syndrome",
        "persistent spinal pain syndrome type 2",
        "scar tissue",
        "different level",
        "inflammation",
        "low mood",
        "mri",
        "x-ray",
        "physiotherapy",
        "medicines for nerve pain",
        "adhesiolysis",
        "spinal cord stimulation",
        "further surgery",
        "your doctor may discuss medicines with you",
        "opioid painkillers are not a long-term option",
    ):
        assert words in " ".join(text.split()), words


def test_warning_signs_article_words_each_level_as_the_safety_screens_do():
    text = " ".join(plain_text(get_article(WARNING_SIGNS_ARTICLE).body_html).split())
    assert "Call [[emergency_number]] now, or go to the nearest emergency department." in text
    assert "Do not drive yourself. Ask someone to take you, or call an ambulance." in text
    assert "Call your surgical team today" in text
    assert "If you cannot reach them, go to the emergency department." in text
    assert "Call your surgeon's office within 24 hours." in text
    # Help now comes before help today, which comes before help within a day.
    assert text.index("Call for help now") < text.index("Call your surgical team today")
    assert text.index("Call your surgical team today") < text.index("Call within 24 hours")


def test_the_clinics_numbers_fill_the_placeholders_escaped_and_tap_to_call():
    clinic = SimpleNamespace(
        emergency_number="911",
        surgical_team_phone="555 0100",
        out_of_hours_phone="+1 (555) 0199",
        crisis_line="<b>Lifeline</b> 988",
    )
    html = get_article(WARNING_SIGNS_ARTICLE).for_clinic(clinic)
    assert '<a href="tel:911">911</a>' in html
    assert '<a href="tel:5550100">555 0100</a>' in html
    assert '<a href="tel:+15550199">+1 (555) 0199</a>' in html
    assert "&lt;b&gt;Lifeline&lt;/b&gt; 988" in html
    assert "[[" not in html


def test_a_clinic_without_a_number_gets_plain_words():
    clinic = SimpleNamespace(
        emergency_number="999", surgical_team_phone="", out_of_hours_phone="", crisis_line=""
    )
    html = get_article(MOOD_ARTICLE).for_clinic(clinic)
    assert "a crisis line" in html and "your surgical team" in html and "[[" not in html


# Parsing and safety ---------------------------------------------------------------------------


def test_a_well_formed_file_parses():
    article = parse_article(article_text(), "example.md")
    assert (article.slug, article.title, article.weeks_from, article.weeks_to) == (
        "example",
        "An example",
        2,
        5,
    )
    assert article.sources == ("Laminar clinical reference §6",)
    assert article.last_reviewed == date(2026, 11, 27)
    assert article.related_rules == ("P9-ADHERENCE",)
    assert article.body_html == "<p>Some <strong>plain</strong> words.</p>\n"


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('x')</script>\n",
        "Hello <img src=x onerror=alert(1)> there\n",
        '<div onclick="steal()">click</div>\n',
        "[tap me](javascript:alert(1))\n",
        "<a href='https://evil.example'>link</a>\n",
    ],
)
def test_raw_html_in_an_article_is_shown_as_text_never_passed_through(body):
    html = parse_article(article_text(body), "example.md").body_html
    assert "<script" not in html
    assert "<img" not in html
    assert "<div" not in html
    assert 'href="javascript' not in html
    assert "<a href='https" not in html
    assert not re.search(r"<\w+[^>]*\son\w+=", html)


def test_no_shipped_article_contains_raw_html():
    for versions in library().values():
        for article in versions.values():
            tags = set(re.findall(r"<(/?\w+)", article.body_html))
            allowed = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a", "table"}
            allowed |= {"thead", "tbody", "tr", "th", "td", "code"}
            assert {t.lstrip("/") for t in tags} <= allowed, article.slug


@pytest.mark.parametrize(
    ("text", "file_name", "message"),
    [
        ("No front matter here.\n", "example.md", "must start with a '+++' line"),
        ("+++\nslug = 'example'\nNo closing line\n", "example.md", "no closing '+++'"),
        (article_text(title='"unterminated'), "example.md", "not valid TOML"),
        (GOOD_FRONT_MATTER.replace('summary = "A short summary."\n', ""), "example.md", "lacks"),
        (article_text().replace("+++\n\n", 'author = "me"\n+++\n\n'), "example.md", "unknown"),
        (article_text(weeks_from='"two"'), "example.md", "'weeks_from' must be a whole number"),
        (article_text(weeks_to="true"), "example.md", "'weeks_to' must be a whole number"),
        (article_text(weeks_from="6"), "example.md", "weeks_from <= weeks_to"),
        (article_text(last_reviewed='"last week"'), "example.md", "'last_reviewed' must be"),
        (article_text(last_reviewed="2026-11-27T10:00:00"), "example.md", "'last_reviewed'"),
        (article_text(sources="[]"), "example.md", "at least one source"),
        (article_text(sources='["", "x"]'), "example.md", "at least one source"),
        (article_text(related_rules='["p5 chronic"]'), "example.md", "related_rules"),
        (article_text(title='"  "'), "example.md", "'title' is empty"),
        (article_text(slug='"Other Slug"'), "example.md", "lower-case"),
        (article_text(), "another-name.md", "does not match the file name"),
        (article_text(), "example.txt", "file names are"),
        (GOOD_FRONT_MATTER + "\n   \n", "example.md", "no text"),
        (article_text("Call [[pager_number]].\n"), "example.md", "unknown placeholder"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_error(text, file_name, message):
    with pytest.raises(ArticleError) as raised:
        parse_article(text, file_name)
    assert file_name in str(raised.value)
    assert message in str(raised.value)


def test_windows_line_endings_are_accepted():
    article = parse_article(article_text().replace("\n", "\r\n"), "example.md")
    assert article.title == "An example"


def test_loading_a_directory_reports_the_bad_file(tmp_path):
    (tmp_path / "example.md").write_text(article_text(), encoding="utf-8")
    (tmp_path / "broken.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(ArticleError, match="broken.md"):
        load_articles(tmp_path)


def test_a_translation_is_used_for_its_language_and_needs_the_default_file(tmp_path):
    (tmp_path / "example.md").write_text(article_text(), encoding="utf-8")
    (tmp_path / "example.fr.md").write_text(article_text(title='"Un exemple"'), encoding="utf-8")
    articles = load_articles(tmp_path)
    assert articles["example"]["fr"].title == "Un exemple"
    assert articles["example"][""].title == "An example"
    (tmp_path / "orphan.de.md").write_text(article_text(slug='"orphan"'), encoding="utf-8")
    with pytest.raises(ArticleError, match="orphan.md does not"):
        load_articles(tmp_path)


def test_articles_are_parsed_once_per_process():
    assert library() is library()
    assert get_article(WARNING_SIGNS_ARTICLE) is get_article(WARNING_SIGNS_ARTICLE)


def test_an_unknown_slug_has_no_article():
    assert get_article("no-such-article") is None


# The right article at the right time ----------------------------------------------------------


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.slug)
def test_an_article_is_offered_from_its_first_to_its_last_week(article):
    before, first, last, after = (
        article.weeks_from - 1,
        article.weeks_from,
        article.weeks_to,
        article.weeks_to + 1,
    )
    assert article in articles_for_week(first)
    assert article in articles_for_week(last)
    assert article not in articles_for_week(after)
    if before >= 0:
        assert article not in articles_for_week(before)


def test_phase_selection_at_the_boundaries_of_the_shipped_articles():
    def slugs(week):
        return [a.slug for a in articles_for_week(week)]

    assert slugs(0)[0] == "warning-signs"
    assert "exercise-and-pacing" not in slugs(0)
    assert "exercise-and-pacing" in slugs(1)
    assert "mood-and-recovery" not in slugs(1)
    assert "mood-and-recovery" in slugs(2)
    assert "restrictions" in slugs(6)
    assert "restrictions" not in slugs(7)
    assert "persistent-pain" not in slugs(11)
    assert "persistent-pain" in slugs(12)
    assert "recovery-week-by-week" in slugs(12)
    assert "recovery-week-by-week" not in slugs(13)
    assert slugs(13)[:2] == ["mood-and-recovery", "persistent-pain"]
    assert slugs(27) == ["persistent-pain"]


def test_before_surgery_the_first_weeks_articles_apply():
    assert articles_for_week(-3) == articles_for_week(0)


def test_the_most_time_specific_article_comes_first():
    week_one = articles_for_week(1)
    spans = [a.weeks_to - a.weeks_from for a in week_one]
    assert spans == sorted(spans)


@pytest.mark.parametrize("rule_id", sorted(RULES_BY_ID))
def test_every_rule_maps_to_an_existing_article(rule_id):
    slug = article_for_rule(rule_id)
    assert slug is not None, rule_id
    assert get_article(slug) is not None


@pytest.mark.parametrize(
    ("rule_id", "slug"),
    [
        ("P5-CHRONIC-POSTSURGICAL", PERSISTENT_PAIN_ARTICLE),
        ("P6-PAIN-SPECIALIST", PERSISTENT_PAIN_ARTICLE),
        ("P8-DEPRESSION", MOOD_ARTICLE),
        ("RF-PHQ9-ITEM9", MOOD_ARTICLE),  # an exact id wins over the RF-* pattern
        ("P9-ADHERENCE", PACING_ARTICLE),
        ("P11-WALKING-DECLINE", PACING_ARTICLE),
        ("RF-CES-BLADDER", WARNING_SIGNS_ARTICLE),
        ("RF-SOMETHING-NEW", WARNING_SIGNS_ARTICLE),  # any red flag, even one added later
    ],
)
def test_a_rule_links_to_the_article_behind_it(rule_id, slug):
    assert article_for_rule(rule_id) == slug


def test_every_red_flag_except_self_harm_links_to_warning_signs():
    for rule in RED_FLAG_RULES:
        rule_id = rule_info(rule).rule_id
        expected = MOOD_ARTICLE if rule_id == "RF-PHQ9-ITEM9" else WARNING_SIGNS_ARTICLE
        assert article_for_rule(rule_id) == expected


def test_an_unknown_rule_has_no_article():
    assert article_for_rule("Z9-UNKNOWN") is None


def test_articles_for_several_rules_are_listed_once_in_rule_order():
    articles = articles_for_rules(["RF-FEVER", "RF-WOUND", "RF-PHQ9-ITEM9", "Z9-UNKNOWN"])
    assert [a.slug for a in articles] == [WARNING_SIGNS_ARTICLE, MOOD_ARTICLE]


@pytest.mark.parametrize(
    ("written", "uri"),
    [
        ("999", "tel:999"),
        ("020 7946 0000", "tel:02079460000"),
        ("+44 (0)20 7946 0999", "tel:+442079460999"),
        ("(555) 010-0199", "tel:5550100199"),
        ("Samaritans", ""),
    ],
)
def test_phone_numbers_become_tap_to_call_targets(written, uri):
    assert tel_uri(written) == uri
