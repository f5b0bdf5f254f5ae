"""Database expressions the outcome queries share, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from django.db.models import Aggregate, DateField, FloatField, Func, IntegerField


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end` (end − start; negative before)."""

    arity = 2
    output_field = IntegerField()
    # PostgreSQL subtracts two dates to a whole number of days.
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Julian day numbers differ by whole days between two dates (ROUND guards the float).
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


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
            template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate("laminar_median", 1, _SqliteMedian)
        return self.as_sql(compiler, connection, function="laminar_median", **extra_context)


class DaysAfter(Func):
    """The date `days` whole days after the date `start`: a bound the (patient, day) index can
    use, where a day number computed on each row would make the database read every row."""

    output_field = DateField()

    def __init__(self, start, days: int, **extra):
        super().__init__(start, **extra)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, params = compiler.compile(self.source_expressions[0])
        return f"date({start}, %s)", (*params, f"{self.days:+d} days")

    def as_postgresql(self, compiler, connection, **extra_context):
        start, params = compiler.compile(self.source_expressions[0])
        return f"({start} + %s)", (*params, self.days)  # date + integer is a date
