"""What every rule shares: its identity and clinical basis, how it words a finding, the registry.

A rule is a plain function `(timeline, as_of, thresholds) -> list[Finding]` decorated with
`@implements(INFO)`, where INFO is the `RuleInfo` of the clinical-reference row it implements:
its id and version, the levels it can raise, its condition in plain words, its window, evidence
label and sources, what it reads, and which days it reads them on (`days`, a
`tracker.rules.days_read.DaysRead`: the loader reads only those). The decorator records INFO
on the function (`rule_info(function)`) and the function in `RULES`, the one registry every
list of rules is derived from (`tracker.rules.registry`); docs/clinical-rules.md is generated
from the same INFO (`manage.py clinical_rules`). Bump `version` whenever a rule's logic
changes, so stored flags say which logic raised them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import date
from typing import Any

from tracker.rules.days_read import DAY_FIELDS, DaysRead, day_fields
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline

RuleFunction = Callable[[Timeline, date, Thresholds], list[Finding]]

# The sections of clinical-reference that hold rules, in the order rules run and are listed.
SECTIONS = ("§3", "§4")
SECTION_TITLES = {"§3": "Red flags", "§4": "Pattern rules"}

# What each level means (§3 "Severity levels").
LEVEL_MEANINGS: dict[Level, str] = {
    Level.EMERGENCY: "A possible spinal emergency, or another emergency such as a lung clot.",
    Level.URGENT: "Needs the surgical team today.",
    Level.SOON: "Needs the surgeon's office within 24 hours.",
    Level.REVIEW: "For the care team to look at; no alarm for the patient.",
}

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

# The evidence labels of clinical-reference (its preamble), kept visible to clinicians so nobody
# mistakes a design choice for evidence.
EVIDENCE_LABELS: dict[str, str] = {
    "[E]": "Published cut-off or guideline value; the source is given.",
    "[D]": "Design choice: reasonable, but to be tuned with surgeons and real data.",
}
_LABEL = re.compile(r"\[[A-Z]\]")


@dataclass(frozen=True)
class RuleInfo:
    """A rule's identity (the clinical-reference row it implements) and its clinical basis.

    The fields after `title` are what a clinician needs to read the rule without its code;
    docs/clinical-rules.md shows them. Numbers in `condition` are the reference defaults (the
    clinic's values are in its thresholds). Bad metadata is refused when the module is imported.
    """

    rule_id: str
    version: int
    section: str  # "§3" or "§4"
    label: str  # evidence label(s) of the row, e.g. "[E]" or "[E] threshold [D]"
    title: str
    _: KW_ONLY
    # The place of the row in its section's reference table (1 = first row): the rule order.
    position: int
    levels: tuple[Level, ...]  # every level it can raise (kept most severe first)
    condition: str  # when it fires and at which level, in plain words
    window: str  # which days or answers it looks at
    sources: tuple[str, ...]  # what the evidence says and who says it (§3, §4, §8)
    # The days it reads on as_of (its lookback window, anchored days such as a baseline) and
    # the days on which it can fire: a save and the nightly run load only these.
    days: DaysRead
    # Check-in answers it reads: §3 answer codes, §1.2 symptom codes, DayRecord fields and the
    # timeline's pre-operative baselines.
    reads: tuple[str, ...] = ()
    questionnaires: tuple[str, ...] = ()  # instrument codes whose scores it reads
    # Also run in the response to a submitted questionnaire (QUESTIONNAIRE_RULES), because the
    # answer itself decides it.
    on_questionnaire: bool = False
    reviewer: str = ""  # who on the care team reviews its findings, where the row says

    def __post_init__(self) -> None:
        problems = []
        if self.section not in SECTIONS:
            problems.append(f"section {self.section!r} is not one of {', '.join(SECTIONS)}")
        if self.position < 1:
            problems.append("position counts the rows of the reference table from 1")
        if not self.levels or len(set(self.levels)) != len(self.levels):
            problems.append("levels must name each level it can raise once")
        labels = _LABEL.findall(self.label)
        if not labels or any(label not in EVIDENCE_LABELS for label in labels):
            problems.append(
                f"label {self.label!r} needs evidence labels among {[*EVIDENCE_LABELS]}"
            )
        if not (self.title and self.condition and self.window):
            problems.append("title, condition and window must say something")
        if self.on_questionnaire and not self.questionnaires:
            problems.append("a rule run on a questionnaire must name the questionnaires it reads")
        try:
            fields = day_fields(self.reads)
        except ValueError as error:
            problems.append(f"reads: {error}")
            fields = DAY_FIELDS
        for span in self.days.spans:
            unread = sorted(set(span.fields or ()) - set(fields))
            if unread:
                problems.append(f"days: a span names fields the rule does not read: {unread}")
        if problems:
            raise ValueError(f"{self.rule_id}: " + "; ".join(problems) + ".")
        object.__setattr__(self, "levels", tuple(sorted(self.levels, key=lambda level: level.rank)))

    @property
    def day_fields(self) -> tuple[str, ...]:
        """The check-in fields behind `reads` (`days_read.day_fields`)."""
        return day_fields(self.reads)

    @property
    def reference(self) -> str:
        return f"clinical-reference {self.section} {self.rule_id} {self.label}"

    @property
    def order(self) -> tuple[int, int]:
        """Sort key: §3 before §4, each in the order of its reference table."""
        return SECTIONS.index(self.section), self.position

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


class DuplicateRuleError(ValueError):
    """Two rules claim the same id or the same row of the reference."""


class RuleRegistry:
    """The rules recorded by `@implements`, in reference order (`RuleInfo.order`).

    A second rule with an id or a table position already taken is refused, so is a rule
    recorded after `close` (its module was imported too late to be in the lists of rules).
    """

    def __init__(self) -> None:
        self._rules: dict[str, RuleFunction] = {}
        self._closed = False

    def add(self, function: RuleFunction) -> None:
        info = rule_info(function)
        for other in self._rules.values():
            known = rule_info(other)
            if known.rule_id == info.rule_id or known.order == info.order:
                what = (
                    f"id {info.rule_id}"
                    if known.rule_id == info.rule_id
                    else f"{info.section} table position {info.position}"
                )
                raise DuplicateRuleError(
                    f"{_name(function)} claims the {what}, already taken by {_name(other)}."
                )
        if self._closed:
            raise RuntimeError(
                f"{_name(function)} ({info.rule_id}) was recorded after the lists of rules were "
                "built: import its module from its family package's __init__."
            )
        self._rules[info.rule_id] = function

    def rules(self) -> tuple[RuleFunction, ...]:
        """Every recorded rule, §3 then §4, each in the order of its reference table."""
        return tuple(sorted(self._rules.values(), key=lambda function: rule_info(function).order))

    def close(self) -> tuple[RuleFunction, ...]:
        """`rules()`, refusing any rule recorded from now on."""
        self._closed = True
        return self.rules()


def _name(function: RuleFunction) -> str:
    return f"{function.__module__}.{function.__qualname__}"


# The one registry of the app's rules, filled as the family modules are imported.
RULES = RuleRegistry()


def implements(info: RuleInfo) -> Callable[[RuleFunction], RuleFunction]:
    """Mark a function as the implementation of the clinical-reference row `info` and record it
    in `RULES` (a duplicate id or row raises DuplicateRuleError at import)."""

    def mark(function: RuleFunction) -> RuleFunction:
        function.rule_info = info  # type: ignore[attr-defined]
        RULES.add(function)
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
