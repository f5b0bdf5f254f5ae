"""Database expressions the outcome queries share, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from django.db.models import Aggregate, FloatField

# Day arithmetic lives with the per-patient outcome values, which are computed with it.
from tracker.models.outcome_points import DaysAfter, DaysBetween

__all__ = ["DaysAfter", "DaysBetween", "Median"]


class _SqliteMedian:
    """The median of the non-null values a SQLite aggregate is given (None for none)."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        ordered = sorted(self.values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2


class Median(Aggregate):
    """The median of an expression, nulls left out: PostgreSQL's percentile_cont(0.5); on
    SQLite, which has no percentile function, an aggregate registered on the connection."""

    name = "Median"
    output_field = FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate("laminar_median", 1, _SqliteMedian)
        return self.as_sql(compiler, connection, function="laminar_median", **extra_context)
