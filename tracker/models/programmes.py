"""Exercise programmes, restrictions and exercise logs (clinical-reference §6).

The seeded library (clinic = null) holds the exercises of §6; clinics add their own. A
patient's programme is a list of prescribed items with their own dose and weeks; every change
to it is kept, append-only, and shown to the patient as "what changed".
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import AppendOnlyError
from .checkins import CheckIn
from .people import Clinic, Patient, User

# Sensible maxima for a dose [D]: anything above is almost certainly a typing mistake.
DOSE_LIMITS = {
    "sets": (1, 10),
    "repetitions": (1, 100),
    "hold_seconds": (1, 300),
    "minutes": (1, 180),
    "sessions_per_day": (1, 24),
    "days_per_week": (1, 7),
}
DOSE_FIELDS = tuple(DOSE_LIMITS)
MAX_WEEK = 104  # two years after surgery
MAX_SESSIONS_LOGGED = DOSE_LIMITS["sessions_per_day"][1]


def dose_field(name: str, verbose_name, *, required: bool = False, default=None):
    low, high = DOSE_LIMITS[name]
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=not required,
        blank=not required,
        default=default,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
    )


def dose_constraints(prefix: str) -> list[models.CheckConstraint]:
    constraints = []
    for name, (low, high) in DOSE_LIMITS.items():
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True})
                | Q(**{f"{name}__gte": low, f"{name}__lte": high}),
                name=f"{prefix}_{name}_range",
            )
        )
    return constraints


def week_constraints(prefix: str, start: str, end: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{start}__gte": 0, f"{start}__lte": MAX_WEEK}),
            name=f"{prefix}_{start}_range",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": models.F(start)}),
            name=f"{prefix}_{end}_after_start",
        ),
    ]


class Dose(models.Model):
    """How much of an exercise: the §6 dose fields (None = does not apply)."""

    sets = dose_field("sets", _("sets"))
    repetitions = dose_field("repetitions", _("repetitions"))
    hold_seconds = dose_field("hold_seconds", _("hold (seconds)"))
    minutes = dose_field("minutes", _("minutes"))
    each_side = models.BooleanField(_("each side or leg"), default=False)
    sessions_per_day = dose_field("sessions_per_day", _("sessions a day"), required=True, default=1)
    days_per_week = dose_field("days_per_week", _("days a week"), required=True, default=7)

    class Meta:
        abstract = True

    def dose_values(self) -> dict:
        return {name: getattr(self, name) for name in (*DOSE_FIELDS, "each_side")}


def weeks_label(start: int, end: int | None) -> str:
    if end is None:
        return _("from week %(start)s") % {"start": start}
    return _("weeks %(start)s–%(end)s") % {"start": start, "end": end}


class Exercise(Dose):
    """An exercise of the library. `clinic` is null for the seeded §6 library."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    steps = models.TextField(
        _("instructions for the patient"), help_text=_("One step per line, in order.")
    )
    cautions = models.TextField(_("cautions"), blank=True)
    media_url = models.URLField(_("picture or video link"), blank=True)
    phase_start_week = models.PositiveSmallIntegerField(
        _("usual start (week after surgery)"), default=0, validators=[MaxValueValidator(MAX_WEEK)]
    )
    phase_end_week = models.PositiveSmallIntegerField(
        _("usual end (week after surgery)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_WEEK)],
        help_text=_("Leave empty when it continues."),
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="exercises"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase_start_week", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(clinic__isnull=True), name="library_exercise_code"
            ),
            models.UniqueConstraint(fields=["clinic", "code"], name="clinic_exercise_code"),
            *dose_constraints("exercise"),
            *week_constraints("exercise", "phase_start_week", "phase_end_week"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    @property
    def phase_label(self) -> str:
        return weeks_label(self.phase_start_week, self.phase_end_week)


class Programme(models.Model):
    """A patient's exercise programme. At most one active programme per patient."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="programmes")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(active=True), name="one_active_programme"
            )
        ]

    def __str__(self) -> str:
        return f"Programme of {self.patient}"


class ProgrammeItem(Dose):
    """One prescribed exercise, from `start_week` up to (not including) `end_week`.

    Items are never deleted (their logs refer to them): removing one sets `removed_at`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    start_week = models.PositiveSmallIntegerField(
        _("start week"), default=0, validators=[MaxValueValidator(MAX_WEEK)]
    )
    end_week = models.PositiveSmallIntegerField(
        _("end week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_WEEK)],
        help_text=_("The first week without it; leave empty to continue."),
    )
    note = models.CharField(_("note for the patient"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_week", "exercise__name", "id"]
        constraints = [
            *dose_constraints("programme_item"),
            *week_constraints("programme_item", "start_week", "end_week"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.weeks_label})"

    @property
    def weeks_label(self) -> str:
        return weeks_label(self.start_week, self.end_week)

    def covers_week(self, week: int) -> bool:
        return self.start_week <= week and (self.end_week is None or week < self.end_week)

    def scheduled_on(self, day: date, surgery_date: date) -> bool:
        """Prescribed on `day`: within its weeks and on one of its `days_per_week`.

        The exercise days are spread over each week since surgery, starting on its first day.
        """
        day_number = (day - surgery_date).days
        if day_number < 0 or self.removed_at is not None or not self.covers_week(day_number // 7):
            return False
        per_week = self.days_per_week or 7
        return day_number % 7 in {index * 7 // per_week for index in range(per_week)}


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The programme history cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The programme history cannot be deleted from.")


class ProgrammeChange(models.Model):
    """One change to a programme: who, when, and what changed in words for the patient."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField()
    # [{"exercise": name, "field": name, "before": value, "after": value}, ...]
    details = models.JSONField(default=list, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The programme history cannot be changed.")
        super().save(*args, **kwargs)


class RestrictionKind(models.TextChoices):
    BENDING = "bending", _("No bending, lifting or twisting")
    LIFTING = "lifting", _("Lifting limit")
    SITTING = "sitting", _("Sitting limit")
    DRIVING = "driving", _("No driving")
    OTHER = "other", _("Other")


class RestrictionQuerySet(models.QuerySet["Restriction"]):
    def in_force(self, day: date) -> RestrictionQuerySet:
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=day))


class Restriction(models.Model):
    """What the patient should not do, until `until` (inclusive) or until lifted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(_("kind"), max_length=16, choices=RestrictionKind.choices)
    text = models.CharField(_("what the patient is told"), max_length=300)
    until = models.DateField(_("until (inclusive)"), null=True, blank=True)
    set_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["until", "id"]

    def __str__(self) -> str:
        return self.text


class ExerciseLog(models.Model):
    """What the patient did of one prescribed exercise on one check-in's day."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="exercise_logs")
    item = models.ForeignKey(ProgrammeItem, on_delete=models.PROTECT, related_name="logs")
    sessions_done = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_SESSIONS_LOGGED)]
    )
    # The prescription on that day, kept so a later change of dose does not rewrite history.
    sessions_prescribed = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS_LOGGED)]
    )
    pain_during = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    too_hard = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "item"], name="one_log_per_checkin_item"),
            models.CheckConstraint(
                condition=Q(sessions_done__gte=0, sessions_done__lte=MAX_SESSIONS_LOGGED),
                name="exercise_log_sessions_done_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    sessions_prescribed__gte=1, sessions_prescribed__lte=MAX_SESSIONS_LOGGED
                ),
                name="exercise_log_sessions_prescribed_range",
            ),
            models.CheckConstraint(
                condition=Q(pain_during__isnull=True) | Q(pain_during__gte=0, pain_during__lte=10),
                name="exercise_log_pain_during_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.checkin}: {self.item.exercise} {self.sessions_done}/{self.sessions_prescribed}"
        )
