"""The care team's caseload: each patient with the figures a physiotherapist scans first.

Every figure of a row comes from the patient's summary (`tracker.models.PatientSummary`, one
row per patient, written with each save and flag change): a page is one query for the
patients and their summaries whatever the number of patients or the length of their
histories, and sorting and paging happen in the database for every column. Rows computed
for a day that is over (a patient who has not checked in since) are recomputed first, in one
batched pass (`tracker.care.summary`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from tracker.auth.access import patients_visible_to
from tracker.care.summary import refresh_stale_summaries
from tracker.charts.patient_charts import BACK_COLOR, LEG_COLOR
from tracker.charts.svg import sparkline_svg
from tracker.models import FlagLevel, Patient, PatientSummary, User
from tracker.models.summaries import SUMMARY_DAYS
from tracker.timeline import Level
from tracker.trends.series import Adherence

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseloadRow:
    patient: Patient
    weeks_since_surgery: int
    last_checkin: date | None
    pain_trend: str | None  # "up", "down", "flat"; None with too few check-ins
    adherence: Adherence  # exercise sessions in the last 14 days (P9's window)
    open_flags: int
    # Back and leg pain of each of the last 14 days (None: no check-in), oldest first.
    back_pain_days: tuple[float | None, ...] = ()
    leg_pain_days: tuple[float | None, ...] = ()
    # (level, count) of the open flags, most severe first.
    flags_by_level: tuple[tuple[Level, int], ...] = ()

    @property
    def flag_levels(self) -> str:
        """The open flags by level in words ("1 urgent, 2 review"); "" without any."""
        return ", ".join(
            f"{n} {str(FlagLevel(level).label).lower()}" for level, n in self.flags_by_level
        )

    @property
    def pain_sparkline(self):
        """The last 14 days of back and leg pain as a small chart, described in words."""

        def words(values):
            return ", ".join("–" if v is None else f"{v:g}" for v in values)

        description = _("Pain, last 14 days, oldest first. Back: %(back)s. Leg: %(leg)s.") % {
            "back": words(self.back_pain_days),
            "leg": words(self.leg_pain_days),
        }
        return sparkline_svg(
            [
                (str(_("Back")), BACK_COLOR, list(self.back_pain_days)),
                (str(_("Leg")), LEG_COLOR, list(self.leg_pain_days)),
            ],
            str(description),
        )


# Sorts (validated against this table), each done by the database over the summary table,
# so a page costs the same for 100 or 1,000 patients. Ties go by name.
PAIN_TREND_ORDER = Case(
    When(summary__pain_trend="up", then=Value(0)),
    When(summary__pain_trend="flat", then=Value(1)),
    When(summary__pain_trend="down", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SORTS = {
    "name": (F("user__full_name").asc(),),
    "weeks": (F("surgery_date").desc(),),
    # Oldest first: the quietest patients first, those who never checked in before anyone.
    "last_checkin": (F("summary__last_checkin").asc(nulls_first=True),),
    "pain_trend": (PAIN_TREND_ORDER.asc(),),  # rising first, then flat, falling, too few
    # Lowest first; nobody with nothing prescribed (no percentage) before a real figure.
    "adherence": (F("summary__adherence_percent").asc(nulls_last=True),),
    # Most first, then the most severe.
    "flags": tuple(
        F(f"summary__{name}").desc()
        for name in ("open_flags", "emergency_flags", "urgent_flags", "soon_flags")
    ),
}
TIE_BREAK = (F("user__full_name").asc(), F("pk").asc())
DEFAULT_SORT = "name"
SORT_OPTIONS = [
    ("name", _("name")),
    ("weeks", _("weeks since surgery")),
    ("last_checkin", _("last check-in, oldest first")),
    ("pain_trend", _("pain, rising first")),
    ("adherence", _("exercise, lowest first")),
    ("flags", _("open flags, most first")),
]


def valid_sort(value: str | None) -> str:
    """The requested sort ("-" in front reverses it), or the default."""
    value = value or ""
    return value if value.removeprefix("-") in SORTS else DEFAULT_SORT


def caseload_queryset(user: User, sort: str = DEFAULT_SORT):
    """The patients on `user`'s care teams with their summaries, ordered in the database.

    Read the summaries after `refresh_stale_summaries` (as `caseload_page` does), or a
    patient who has not checked in today may show yesterday's figures.
    """
    sort = valid_sort(sort)
    order = [*SORTS[sort.removeprefix("-")], *TIE_BREAK]
    if sort.startswith("-"):
        order = [expression.copy() for expression in order]
        for expression in order:
            expression.reverse_ordering()
    return patients_visible_to(user).select_related("user", "summary").order_by(*order)


def caseload_page(user: User, sort: str, number) -> Page:
    """Page `number` of `user`'s caseload in the order `sort` names, as CaseloadRows.

    One query when every summary is current, plus the batched recomputation of those that
    are not (see `tracker.care.summary`).
    """
    visible = patients_visible_to(user)
    refresh_stale_summaries(visible)
    page = Paginator(caseload_queryset(user, sort), PAGE_SIZE).get_page(number)
    page.object_list = [row_for(patient) for patient in page.object_list]
    return page


def row_for(patient: Patient) -> CaseloadRow:
    """The caseload row of a patient loaded with its summary (`select_related("summary")`)."""
    today = patient.local_date()
    summary = getattr(patient, "summary", None) or PatientSummary(patient=patient)
    blank = (None,) * SUMMARY_DAYS
    return CaseloadRow(
        patient=patient,
        weeks_since_surgery=patient.weeks_since_surgery(today),
        last_checkin=summary.last_checkin,
        pain_trend=summary.pain_trend or None,
        adherence=Adherence(summary.adherence_done, summary.adherence_prescribed),
        open_flags=summary.open_flags,
        back_pain_days=tuple(summary.back_pain_days or blank),
        leg_pain_days=tuple(summary.leg_pain_days or blank),
        flags_by_level=tuple(summary.flags_by_level),
    )
