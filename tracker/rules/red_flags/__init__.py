"""Red flags (clinical-reference §3): acted on in the response to the check-in that raised them.

Each rule reads the check-in of `as_of` and, where its row needs them, the few days before it
(fever within 24 hours, the 3-day mean before a hematoma jump, 2 days of uncontrolled pain,
opioids during constipation). No check-in on `as_of` means no finding, except RF-PHQ9-ITEM9,
which reads the PHQ-9 questionnaires. One module per family of rows: importing it here records
its rules (`@implements`); a new rule in one of these modules needs no other change.
"""

from tracker.rules.definition import RULES, RuleFunction, rule_info

# Importing the family modules records their rules.
from tracker.rules.red_flags import clots, infection_and_bleeding, nerves, wellbeing  # noqa: F401


def __getattr__(name: str) -> RuleFunction:
    """A §3 rule by its function name (`red_flags.fever`), found in the registry."""
    for rule in RULES.rules():
        if rule.__name__ == name and rule_info(rule).section == "§3":
            return rule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
