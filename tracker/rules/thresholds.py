"""Every tunable number of the flag rules, with the clinical-reference value as default.

Each field names the reference row it belongs to and its evidence label in its metadata, so a
settings page can show clinicians which numbers are published cut-offs ([E]) and which are
design choices ([D]). Clinics may tighten any value; `Thresholds.from_overrides` refuses to
loosen a value that decides an emergency (clinical-reference preamble: "clinics may tighten
defaults, never silently loosen an emergency rule").
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from tracker.questionnaires.scoring import MEANINGFUL_CHANGE, ChangeThreshold

# How a value loosens its rule: "higher" (a larger number fires less often), "lower" (a smaller
# number fires less often), or "fixed" (no direction is safe, so an emergency value stays put).
Loosens = Literal["higher", "lower", "fixed"]


def _threshold(
    default: float,
    row: str,
    label: str,
    loosens: Loosens,
    *,
    emergency: bool = False,
    whole: bool = True,
) -> Any:
    return dataclasses.field(
        default=default,
        metadata={
            "row": row,
            "label": label,
            "loosens": loosens,
            "emergency": emergency,
            "whole": whole,
        },
    )


@dataclass(frozen=True)
class Thresholds:
    """The numbers of clinical-reference §2, §3 and §4. Day numbers count from surgery (day 0).

    The §2 meaningful changes default to `scoring.MEANINGFUL_CHANGE` (the one table of them);
    `meaningful_change` is that table with the clinic's values, for rules, charts, summaries
    and reports alike.
    """

    # §4 preamble: a trend rule runs only with data on >= 4 of the last 7 days.
    trend_min_days: int = _threshold(4, "§4", "[D]", "higher")

    # RF-BILATERAL: leg_side "both" with leg pain >= this (emergency together with RF-CES).
    bilateral_leg_pain: int = _threshold(4, "§3 RF-BILATERAL", "[E]", "higher", emergency=True)

    # RF-HEMATOMA: on days 0 … hematoma_last_day, back pain >= hematoma_jump above the mean of
    # the previous hematoma_prior_days days, or >= hematoma_back_pain, with a new neuro answer.
    hematoma_last_day: int = _threshold(7, "§3 RF-HEMATOMA", "[E]", "lower", emergency=True)
    hematoma_jump: float = _threshold(
        3, "§3 RF-HEMATOMA", "[D]", "higher", emergency=True, whole=False
    )
    hematoma_prior_days: int = _threshold(3, "§3 RF-HEMATOMA", "[D]", "fixed", emergency=True)
    hematoma_back_pain: int = _threshold(8, "§3 RF-HEMATOMA", "[D]", "higher", emergency=True)

    # RF-FEVER: one reading >= fever_c, or two readings >= fever_repeat_c within 24 hours
    # (the same day; timed readings <= 24 h apart; untimed ones on consecutive days).
    # Fever also makes RF-CSF an emergency, hence protected.
    fever_c: float = _threshold(38.0, "§3 RF-FEVER", "[E]", "higher", emergency=True, whole=False)
    fever_repeat_c: float = _threshold(
        37.8, "§3 RF-FEVER", "[D]", "higher", emergency=True, whole=False
    )

    # RF-WOUND: infection signs count as urgent after this post-operative day.
    wound_after_day: int = _threshold(2, "§3 RF-WOUND", "[E]", "higher")

    # RF-PAIN-UNCONTROLLED: back or leg pain >= uncontrolled_pain on uncontrolled_days
    # consecutive days despite painkillers; urgent from uncontrolled_urgent_pain.
    uncontrolled_pain: int = _threshold(8, "§3 RF-PAIN-UNCONTROLLED", "[D]", "higher")
    uncontrolled_days: int = _threshold(2, "§3 RF-PAIN-UNCONTROLLED", "[D]", "higher")
    uncontrolled_urgent_pain: int = _threshold(9, "§3 RF-PAIN-UNCONTROLLED", "[D]", "higher")

    # RF-CONSTIPATION: opioids taken on any of the days of the constipation (3 days by the
    # symptom's definition).
    constipation_opioid_days: int = _threshold(3, "§3 RF-CONSTIPATION", "[D]", "lower")

    # RF-PHQ9-ITEM9: a PHQ-9 this many days old or newer is acted on (its recall period).
    phq9_item9_recent_days: int = _threshold(14, "§3 RF-PHQ9-ITEM9", "[D]", "lower")

    # P1-REBOUND
    rebound_after_day: int = _threshold(14, "§4 P1-REBOUND", "[D]", "higher")
    rebound_points: float = _threshold(
        MEANINGFUL_CHANGE["pain"].points, "§4 P1-REBOUND", "[E]", "higher", whole=False
    )
    rebound_percent: float = _threshold(
        MEANINGFUL_CHANGE["pain"].percent, "§4 P1-REBOUND", "[E]", "higher", whole=False
    )
    rebound_persist_days: int = _threshold(5, "§4 P1-REBOUND", "[D]", "higher")

    # P2-NEW-RADIATING; no_leg_pain_max also keeps P3 quiet for a leg that never hurt.
    no_leg_pain_max: int = _threshold(1, "§4 P2-NEW-RADIATING", "[D]", "lower")
    radiating_quiet_days: int = _threshold(14, "§4 P2-NEW-RADIATING", "[D]", "higher")
    radiating_leg_pain: int = _threshold(4, "§4 P2-NEW-RADIATING", "[D]", "higher")
    radiating_high_days: int = _threshold(3, "§4 P2-NEW-RADIATING", "[D]", "higher")
    radiating_window_days: int = _threshold(5, "§4 P2-NEW-RADIATING", "[D]", "lower")

    # §2 meaningful change (`meaningful_change`): pain for P3, charts and summaries; ODI and
    # PEG for P4 and the report; the PHQ-9's 5 points are phq9_rise (P8).
    mcid_pain_points: float = _threshold(
        MEANINGFUL_CHANGE["pain"].points, "§2 NRS", "[E]", "lower", whole=False
    )
    mcid_pain_percent: float = _threshold(
        MEANINGFUL_CHANGE["pain"].percent, "§2 NRS", "[E]", "lower", whole=False
    )
    mcid_odi_points: float = _threshold(
        MEANINGFUL_CHANGE["odi"].points, "§2 ODI", "[E]", "lower", whole=False
    )
    # The ODI percentage, also P4's "fallen < 30 %" for the ODI (name kept for stored settings).
    function_mcid_percent: float = _threshold(
        MEANINGFUL_CHANGE["odi"].percent,
        "§2 ODI, §4 P4-FUNCTION-NO-MCID-12W",
        "[E]",
        "lower",
        whole=False,
    )
    mcid_peg_percent: float = _threshold(
        MEANINGFUL_CHANGE["peg"].percent,
        "§2 PEG, §4 P4-FUNCTION-NO-MCID-12W",
        "[D]",
        "lower",
        whole=False,
    )

    # P3-LEG-NO-MCID-6W (with the pain MCID above)
    leg_check_day: int = _threshold(42, "§4 P3-LEG-NO-MCID-6W", "[E]", "fixed")
    leg_check_tolerance_days: int = _threshold(3, "§4 P3-LEG-NO-MCID-6W", "[D]", "lower")

    # P4-FUNCTION-NO-MCID-12W (with the ODI and PEG percentages above)
    function_check_day: int = _threshold(84, "§4 P4-FUNCTION-NO-MCID-12W", "[E]", "fixed")
    function_tolerance_days: int = _threshold(7, "§4 P4-FUNCTION-NO-MCID-12W", "[D]", "lower")

    # P5-CHRONIC-POSTSURGICAL
    chronic_from_day: int = _threshold(90, "§4 P5-CHRONIC-POSTSURGICAL", "[E]", "higher")
    chronic_pain: float = _threshold(4, "§4 P5-CHRONIC-POSTSURGICAL", "[E]", "higher", whole=False)

    # P6-PAIN-SPECIALIST
    specialist_from_day: int = _threshold(180, "§4 P6-PAIN-SPECIALIST", "[E]", "higher")
    specialist_pain: float = _threshold(5, "§4 P6-PAIN-SPECIALIST", "[E]", "higher", whole=False)

    # P7-SUSTAINED-HIGH
    sustained_after_day: int = _threshold(14, "§4 P7-SUSTAINED-HIGH", "[D]", "higher")
    sustained_pain: int = _threshold(7, "§4 P7-SUSTAINED-HIGH", "[E]", "higher")
    sustained_days: int = _threshold(5, "§4 P7-SUSTAINED-HIGH", "[D]", "higher")

    # P8-DEPRESSION
    phq2_positive: int = _threshold(3, "§4 P8-DEPRESSION", "[E]", "higher")
    phq9_notify: int = _threshold(10, "§4 P8-DEPRESSION", "[E]", "higher")
    # A rise of the §2 PHQ-9 meaningful change notifies (its points in `meaningful_change`).
    phq9_rise: int = _threshold(
        int(MEANINGFUL_CHANGE["phq9"].points or 0), "§2 PHQ-9, §4 P8-DEPRESSION", "[E]", "higher"
    )

    # P9-ADHERENCE (weeks since surgery)
    adherence_low_percent: float = _threshold(50, "§4 P9-ADHERENCE", "[D]", "lower", whole=False)
    adherence_drop_percent: float = _threshold(50, "§4 P9-ADHERENCE", "[D]", "higher", whole=False)

    # P10-OPIOID-PROLONGED
    opioid_from_day: int = _threshold(90, "§4 P10-OPIOID-PROLONGED", "[E]", "higher")
    opioid_until_day: int = _threshold(180, "§4 P10-OPIOID-PROLONGED", "[E]", "lower")
    opioid_days_percent: float = _threshold(
        50, "§4 P10-OPIOID-PROLONGED", "[E]", "higher", whole=False
    )

    # P11-WALKING-DECLINE
    walking_after_day: int = _threshold(14, "§4 P11-WALKING-DECLINE", "[D]", "higher")
    walking_drop_percent: float = _threshold(
        50, "§4 P11-WALKING-DECLINE", "[D]", "higher", whole=False
    )
    walking_leg_pain_rise: float = _threshold(
        2, "§4 P11-WALKING-DECLINE", "[D]", "higher", whole=False
    )

    # P12-SILENCE: days without a check-in, before and after silence_early_until_day.
    silence_days_early: int = _threshold(3, "§4 P12-SILENCE", "[D]", "higher")
    silence_days_late: int = _threshold(7, "§4 P12-SILENCE", "[D]", "higher")
    silence_early_until_day: int = _threshold(42, "§4 P12-SILENCE", "[D]", "lower")

    @property
    def meaningful_change(self) -> Mapping[str, ChangeThreshold]:
        """The §2 table (`scoring.MEANINGFUL_CHANGE`) with this clinic's values."""
        reference = MEANINGFUL_CHANGE
        return MappingProxyType(
            {
                "pain": reference["pain"].with_values(
                    self.mcid_pain_points, self.mcid_pain_percent
                ),
                "odi": reference["odi"].with_values(
                    self.mcid_odi_points, self.function_mcid_percent
                ),
                "phq9": reference["phq9"].with_values(self.phq9_rise, reference["phq9"].percent),
                "peg": reference["peg"].with_values(reference["peg"].points, self.mcid_peg_percent),
            }
        )

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> Thresholds:
        """Reference defaults with a clinic's overrides applied.

        Raises ValueError for an unknown name, a value that is not a number (or not a whole
        number where days or scores are counted), a negative value, or a value that loosens an
        emergency rule of §3.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        problems = []
        values: dict[str, Any] = {}
        for name, value in sorted(overrides.items()):
            spec = fields.get(name)
            if spec is None:
                problems.append(f"{name!r} is not a threshold")
                continue
            problem = _problem_with(spec, value)
            if problem:
                problems.append(problem)
            else:
                values[name] = int(value) if spec.metadata["whole"] else float(value)
        if problems:
            raise ValueError("Invalid thresholds: " + "; ".join(problems) + ".")
        thresholds = cls(**values)
        if thresholds.trend_min_days > 7:
            raise ValueError("Invalid thresholds: 'trend_min_days' cannot exceed 7 days.")
        return thresholds

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Name, default, reference row, evidence label and protection of each threshold."""
        return [
            {"name": f.name, "default": f.default, **f.metadata} for f in dataclasses.fields(cls)
        ]


def _problem_with(spec: dataclasses.Field[Any], value: Any) -> str:
    name = spec.name
    meta = spec.metadata
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name!r} must be a number, not {value!r}"
    if not math.isfinite(value) or value < 0:
        return f"{name!r} must be a finite number, zero or more, not {value!r}"
    if meta["whole"] and not float(value).is_integer():
        return f"{name!r} must be a whole number, not {value!r}"
    if not meta["emergency"]:
        return ""
    default = spec.default
    loosens = meta["loosens"]
    looser = (
        (loosens == "higher" and value > default)
        or (loosens == "lower" and value < default)
        or (loosens == "fixed" and value != default)
    )
    if not looser:
        return ""
    direction = {
        "higher": f"at most {default}",
        "lower": f"at least {default}",
        "fixed": f"exactly {default}",
    }[loosens]
    return (
        f"{name!r} = {value} would loosen the emergency rule {meta['row']} "
        f"(clinics may only tighten it: use a value {direction})"
    )
