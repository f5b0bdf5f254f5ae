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
