"""Summary statistics for the outcome tables, on plain numbers (no database)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile (0.5 = median) by linear interpolation between the closest ranks
    (the usual "type 7" definition, as in spreadsheets); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = math.ceil(position)
    weight = position - below
    return ordered[below] * (1 - weight) + ordered[above] * weight


Z_95 = 1.959964  # two-sided 95 %
Z_998 = 3.090232  # two-sided 99.8 %


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (as fractions); None when `total` is 0.

    Unlike the plain normal interval it stays inside 0–1 and behaves with small counts and with
    shares of 0 % or 100 %, which a small clinic or a single surgeon often has.
    """
    if total <= 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError(f"{successes} successes out of {total}")
    share = successes / total
    z2 = z * z
    centre = (share + z2 / (2 * total)) / (1 + z2 / total)
    half = z * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def funnel_limits(target: float, total: int, z: float) -> tuple[float, float]:
    """Control limits around the clinic's share `target` for a unit of `total` patients.

    A unit (a surgeon) outside them differs from the clinic by more than chance would explain
    at that level (95 %: about 1 in 20 units by chance alone; 99.8 %: about 1 in 500). The
    normal approximation to the binomial, clipped to 0–1.
    """
    if total <= 0:
        raise ValueError("a funnel limit needs at least one patient")
    spread = z * math.sqrt(target * (1 - target) / total)
    return max(0.0, target - spread), min(1.0, target + spread)
