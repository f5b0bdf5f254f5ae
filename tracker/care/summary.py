"""Keeping each patient's caseload summary right from one day to the next.

A patient's summary (`tracker.models.PatientSummary`) is written in the transaction of every
check-in save and every flag change, so what it holds about the past (the latest check-in, the
pain of each day, the flags) is never behind. Three of its figures also depend on which day is
"today": the 7-day pain trend, the 14-day exercise adherence and the 14 days of pain drawn in
the sparkline all end today. A patient who does not check in leaves a row computed for an
earlier day: on the next day its trend still compares last week's windows, its sparkline
still ends yesterday.

Such a row is recomputed, never shown as it is:
- `refresh_summaries` recomputes the rows of many patients in batches (a constant number of
  queries per 200 patients); the nightly run (`evaluate_flags`, after midnight) calls it for
  everyone, and so does `manage.py refresh_summaries`;
- before the caseload is read, `refresh_stale_summaries` recomputes, in one batched pass, the
  rows of the staff member's patients that are out of date: computed for a day that has ended
  in the patient's time zone (`fresh_until` has passed: one indexed comparison, usually
  matching nothing after the nightly run) or missing. Patients live in different time zones,
  so at any moment some rows are a day behind even after the nightly run; recomputing them
  before the query, rather than correcting the shown values afterwards, keeps the database's
  sorting and paging right for every column, the trend and adherence included.

Recomputing locks the patients' rows (`select_for_update`) and reads their data after the lock;
a check-in save takes the same lock before it writes the summary, so a save at the same moment
is either already in what is read or writes its own, newer row afterwards: a recomputation
never writes over a newer save.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker.models import Patient
from tracker.models.summaries import write_summaries


def refresh_summaries(patients: Iterable[Patient], today: date | None = None) -> int:
    """Recompute and store the summaries of `patients` as of `today`.

    `today` None means each patient's own today in their time zone (what the nightly run
    wants); a date computes every row as of that day, and such a row is recomputed for the
    real today when next read. Returns how many summaries were written. Call it with
    patients loaded in batches (a queryset is fine): a constant number of queries per 200.
    """
    # Each batch of 200 is its own transaction: a night's run over every patient never holds
    # the locks of all of them at once (a check-in saved meanwhile waits for one batch only).
    return write_summaries(patients, today)


def stale(patients: QuerySet[Patient], now: datetime | None = None) -> QuerySet[Patient]:
    """Those of `patients` whose summary is missing or was computed for a day now over."""
    now = now or timezone.now()
    return patients.filter(Q(summary__isnull=True) | Q(summary__fresh_until__lte=now))


def refresh_stale_summaries(patients: QuerySet[Patient], now: datetime | None = None) -> int:
    """Recompute the out-of-date summaries among `patients` (see the module docstring).

    One query when every row is current; otherwise a constant number of queries per 200
    patients recomputed. Returns how many were recomputed.
    """
    now = now or timezone.now()
    due = list(stale(Patient.objects.filter(pk__in=patients.values("pk")), now).order_by("pk"))
    return write_summaries(due, now=now) if due else 0
