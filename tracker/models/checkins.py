"""Daily check-ins (clinical-reference §1.1) and their full change history."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
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
    # RF-FEVER: every temperature reading of the day with the time it was taken;
    # `temperature_c` above is the day's highest of them.
    "temperature_readings",
    # RF-NUMB-NEW: the side of the new numbness, asked with `new_numbness`.
    "new_numbness_side",
)
# The answers held in a map of codes (§1.2 symptoms with sides, §3 yes/no safety answers).
CODED_ANSWER_FIELDS = ("symptoms", "safety")
# The answers held as a list of readings, added to and never replaced.
READING_ANSWER_FIELDS = ("temperature_readings",)
# One value each: a number, a choice, a yes/no, or the note.
SCALAR_ANSWER_FIELDS = tuple(
    f for f in ANSWER_FIELDS if f not in CODED_ANSWER_FIELDS + READING_ANSWER_FIELDS
)
YES_NO_ANSWER_FIELDS = ("took_other_painkillers", "took_nerve_pain_medicine")


class LegSide(models.TextChoices):
    NONE = "none", _("No leg pain")
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both legs")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both sides")


TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


def reading(at: datetime | None, celsius: Decimal | float | str) -> dict:
    """One temperature reading as stored: {"at": ISO-8601 UTC or None (time not known),
    "temperature_c": "37.9"}."""
    value = Decimal(str(celsius)).quantize(Decimal("0.1"))
    return {"at": at.isoformat() if at is not None else None, "temperature_c": str(value)}


def reading_value(entry: dict) -> Decimal:
    return Decimal(str(entry["temperature_c"]))


def reading_time(entry: dict) -> datetime | None:
    return datetime.fromisoformat(entry["at"]) if entry.get("at") else None


def validate_readings(value) -> None:
    """A list of readings (`reading`): a value from 34.0 to 43.0 °C, an aware time or None."""
    if not isinstance(value, list):
        raise ValidationError(_("Temperature readings must be a list."))
    for entry in value:
        try:
            celsius = reading_value(entry)
            at = reading_time(entry)
        except (TypeError, KeyError, ValueError, InvalidOperation) as error:
            raise ValidationError(_("A temperature reading could not be read.")) from error
        if not TEMPERATURE_RANGE[0] <= celsius <= TEMPERATURE_RANGE[1]:
            raise ValidationError(_("A temperature is between 34.0 and 43.0 °C."))
        if at is not None and at.utcoffset() is None:
            raise ValidationError(_("A reading's time must say its time zone."))


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
    # The day's highest reading (of `temperature_readings`), kept for summaries and exports.
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
    # RF-FEVER: [{"at": ISO-8601 UTC or null, "temperature_c": "37.9"}], oldest first (`reading`)
    temperature_readings = models.JSONField(
        default=list, blank=True, validators=[validate_readings]
    )
    # RF-NUMB-NEW: "left", "right", "both", or "" (not asked: no new numbness, or not answered)
    new_numbness_side = models.CharField(max_length=8, choices=Side.choices, blank=True, default="")
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
            models.CheckConstraint(
                condition=Q(new_numbness_side__in=["", *Side.values]),
                name="checkin_new_numbness_side_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.day}"

    ANSWER_FIELDS = ANSWER_FIELDS

    def answers(self) -> dict:
        """The patient's answers as JSON-able data (for revisions and exports)."""
        data = {name: getattr(self, name) for name in self.ANSWER_FIELDS}
        if data["temperature_c"] is not None:
            data["temperature_c"] = str(data["temperature_c"])
        data["temperature_readings"] = [dict(entry) for entry in self.temperature_readings or []]
        return data

    def readings_local(self) -> list[tuple[time | None, Decimal]]:
        """The day's temperature readings as (clock time in the patient's zone or None, °C).

        Clock times, not datetimes: templates would move a datetime to the server's zone."""
        zone = self.patient.zone
        found = []
        for entry in self.temperature_readings or []:
            at = reading_time(entry)
            found.append((at.astimezone(zone).time() if at else None, reading_value(entry)))
        return found

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
            temperature_readings=day_readings(self.temperature_readings),
            new_numbness_side=self.new_numbness_side or "",
        )


def day_readings(stored) -> tuple[tuple[str, float], ...]:
    """Stored readings as `DayRecord.temperature_readings`: ("" when the time is not known)."""
    return tuple((entry.get("at") or "", float(reading_value(entry))) for entry in stored or [])


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
