"""Pattern rules (clinical-reference §4): read the timeline up to `as_of`.

Trend rules use 7-day means (tracker.trends.series) and run only with data on >= `trend_min_days` of
the 7 days; windows longer than 7 days need the same share of recorded days. Only
post-operative data (day 0 onwards) is used, and nothing is evaluated before the surgery date.
One module per family of rows: importing it here records its rules (`@implements`); a new rule
in one of these modules needs no other change.
"""

from tracker.rules.definition import RULES, RuleFunction, rule_info

# Importing the family modules records their rules.
from tracker.rules.patterns import activity_and_engagement, function_and_mood, pain  # noqa: F401
from tracker.rules.patterns.function_and_mood import offer_only, offers_phq9

__all__ = ["offer_only", "offers_phq9"]


def __getattr__(name: str) -> RuleFunction:
    """A §4 rule by its function name (`patterns.low_mood`), found in the registry."""
    for rule in RULES.rules():
        if rule.__name__ == name and rule_info(rule).section == "§4":
            return rule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
