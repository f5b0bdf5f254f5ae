"""What every rule shares: its identity (id, version, reference row) and how it words a finding.

A rule is a plain function `(timeline, as_of, thresholds) -> list[Finding]` decorated with
`@implements(INFO)`, where INFO is the `RuleInfo` (id, version, reference row) it words its
findings with; the decorator records it on the function (`rule_info(function)`).
Bump `version` whenever a rule's logic changes, so stored flags say which logic raised them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline

RuleFunction = Callable[[Timeline, date, Thresholds], list[Finding]]

# What the patient is asked to do at each level (§3 "Severity levels"). Phone numbers are the
# clinic's configured numbers, shown next to the message by the view.
LEVEL_INSTRUCTIONS: dict[Level, str] = {
    Level.EMERGENCY: (
        "Please call the emergency number now, or go to the nearest emergency department. "
        "Do not drive yourself: ask someone to take you, or call an ambulance."
    ),
    Level.URGENT: (
        "Please call your surgical team today. If you cannot reach them, go to the emergency "
        "department."
    ),
    Level.SOON: "Please call your surgeon's office within the next 24 hours.",
    # Each review message says who on the care team will look at it.
    Level.REVIEW: "There is nothing you need to do now.",
}


@dataclass(frozen=True)
class RuleInfo:
    """Identity of a rule: the id and row of clinical-reference it implements."""

    rule_id: str
    version: int
    section: str  # "§3" or "§4"
    label: str  # evidence label(s) of the row, e.g. "[E]" or "[E] threshold [D]"
    title: str

    @property
    def reference(self) -> str:
        return f"clinical-reference {self.section} {self.rule_id} {self.label}"

    def finding(
        self,
        level: Level,
        noticed: str,
        explanation: str,
        evidence: Iterable[dict[str, Any]],
        *,
        instruction: str | None = None,
    ) -> Finding:
        """A finding of this rule.

        `noticed` tells the patient what we noticed; the level's instruction (or `instruction`)
        follows it. `explanation` is for clinicians; the reference row and its evidence label
        are appended so nobody mistakes a design choice for evidence.
        """
        message = f"{noticed} {instruction or LEVEL_INSTRUCTIONS[level]}"
        return Finding(
            rule_id=self.rule_id,
            rule_version=self.version,
            level=level,
            patient_message=message,
            clinician_explanation=f"{explanation} Source: {self.reference}.",
            evidence=tuple(evidence),
            reference=self.reference,
        )


def implements(info: RuleInfo) -> Callable[[RuleFunction], RuleFunction]:
    """Mark a function as the implementation of the clinical-reference row `info`."""

    def mark(function: RuleFunction) -> RuleFunction:
        function.rule_info = info  # type: ignore[attr-defined]
        return function

    return mark


def rule_info(function: RuleFunction) -> RuleInfo:
    """The identity recorded on a rule function by `@implements`."""
    return function.rule_info  # type: ignore[attr-defined]


def iso(day: date) -> str:
    return day.isoformat()


def rounded(value: float | None) -> float | None:
    """A computed value as shown in evidence (means to 2 decimals)."""
    return None if value is None else round(value, 2)
