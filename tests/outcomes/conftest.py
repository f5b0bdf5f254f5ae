"""The hand-counted cohort as a fixture for the outcome tests."""

import pytest

from tests.outcomes.cohort_data import build_cohort


@pytest.fixture
def cohort(clinic):
    return build_cohort(clinic)
