from tracker.timeline import Level


def test_levels_sort_most_severe_first():
    assert sorted([Level.REVIEW, Level.EMERGENCY, Level.SOON], key=lambda lv: lv.rank) == [
        Level.EMERGENCY,
        Level.SOON,
        Level.REVIEW,
    ]
