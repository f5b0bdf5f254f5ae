"""Daily check-ins (clinical-reference §1.1) and their full change history."""

from __future__ import annotations

import uuid

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.timeline import DayRecord

from .people import Patient, User, pain_field

NOTE_MAX_LENGTH = 2000

# The answers of a daily check-in (clinical-reference §1.1), in the order every form, import,
# export, revision and timeline uses. This is the one list: every other list derives from it.
ANSWER_FIELDS = (
    "back_pain",
    "leg_pain",
    "leg_side",
    "symptoms",
    "safety",
    "temperature_c",
    "walking_minutes",
    "opioid_doses",
    "took_other_painkillers",
    "took_nerve_pain_medicine",
    "sleep_disturbance",
    "note",
)
# The answers held in a map of codes (§1.2 symptoms with sides, §3 yes/no safety answers).
CODED_ANSWER_FIELDS = ("symptoms", "safety")
# One value each: a number, a choice, a yes/no, or the note.
SCALAR_ANSWER_FIELDS = tuple(f for f in ANSWER_FIELDS if f not in CODED_ANSWER_FIELDS)
YES_NO_ANSWER_FIELDS = ("took_other_painkillers", "took_nerve_pain_medicine")


class LegSide(models.TextChoices):
    NONE = "none", _("No leg pain")
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both legs")


class Source(models.TextChoices):
    FORM = "form", _("Check-in form")
    IMPORT = "import", _("Imported diary")
    OFFLINE = "offline", _("Sent from the phone after being offline")
    DEMO = "demo", _("Demo data")


def in_range(field: str, low: int | float, high: int | float) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"checkin_{field}_range",
    )


class CheckIn(models.Model):
    """One per patient per local calendar day (a database constraint, §1.1)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField()
    back_pain = pain_field(_("back pain"), null=True, blank=True)
    leg_pain = pain_field(_("leg pain"), null=True, blank=True)
    leg_side = models.CharField(max_length=8, choices=LegSide.choices, blank=True, default="")
    # §1.2 symptom code -> side ("" where no side applies)
    symptoms = models.JSONField(default=dict, blank=True)
    # §3 answer code -> True (yes) / False (no); unanswered questions are absent
    safety = models.JSONField(default=dict, blank=True)
    temperature_c = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(34), MaxValueValidator(43)],
    )
    walking_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    opioid_doses = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    took_other_painkillers = models.BooleanField(null=True, blank=True)
    took_nerve_pain_medicine = models.BooleanField(null=True, blank=True)
    sleep_disturbance = pain_field(_("sleep disturbance"), null=True, blank=True)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="one_checkin_per_patient_day"),
            in_range("back_pain", 0, 10),
            in_range("leg_pain", 0, 10),
            in_range("sleep_disturbance", 0, 10),
            in_range("temperature_c", 34, 43),
            in_range("walking_minutes", 0, 600),
            in_range("opioid_doses", 0, 20),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.day}"

    ANSWER_FIELDS = ANSWER_FIELDS

    def answers(self) -> dict:
        """The patient's answers as JSON-able data (for revisions and exports)."""
        data = {name: getattr(self, name) for name in self.ANSWER_FIELDS}
        if data["temperature_c"] is not None:
            data["temperature_c"] = str(data["temperature_c"])
        return data

    @property
    def safety_yes(self) -> frozenset[str]:
        return frozenset(code for code, yes in self.safety.items() if yes)

    def as_day_record(self) -> DayRecord:
        return DayRecord(
            day=self.day,
            back_pain=self.back_pain,
            leg_pain=self.leg_pain,
            leg_side=self.leg_side,
            symptoms=dict(self.symptoms),
            safety_answers=self.safety_yes,
            temperature_c=float(self.temperature_c) if self.temperature_c is not None else None,
            walking_minutes=self.walking_minutes,
            opioid_doses=self.opioid_doses,
            took_other_painkillers=self.took_other_painkillers,
            took_nerve_pain_medicine=self.took_nerve_pain_medicine,
            sleep_disturbance=self.sleep_disturbance,
        )


class CheckInRevision(models.Model):
    """Every submission applied to a check-in: who, when, what it was before and after.

    `submission_id` is generated when the form is shown (or on the phone when offline); a
    resubmission with the same id (double tap, retry after a lost connection) is recognised
    by the unique constraint and applied only once.
    """

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="revisions")
    submission_id = models.UUIDField(unique=True)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.FORM)
    before = models.JSONField(default=dict, blank=True)  # {} when the submission created it
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checkin} changed {self.changed_at:%Y-%m-%d %H:%M}"
