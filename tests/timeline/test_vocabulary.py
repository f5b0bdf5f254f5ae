"""The answer-code vocabulary: every code has the care team's words for it."""

from tracker.timeline.vocabulary import (
    ANSWER_LABELS,
    SAFETY_ANSWER_CODES,
    SYMPTOM_CODES,
    answer_label,
)


def test_every_answer_code_has_a_label_that_is_not_the_code():
    assert set(ANSWER_LABELS) == set(SAFETY_ANSWER_CODES) | set(SYMPTOM_CODES)
    for code, label in ANSWER_LABELS.items():
        assert label and label != code and "_" not in label


def test_a_sided_code_keeps_its_side_and_other_text_is_left_alone():
    assert answer_label("radiating_pain:left") == "radiating leg pain (left)"
    assert answer_label("fall") == "a fall"
    assert answer_label("2026-03-01") == "2026-03-01"
