"""The daily check-in form (clinical-reference §1.1–§3).

The same form validates the web check-in and each row of an imported diary, so both refuse
the same things with the same messages. `cleaned_data["answers"]` is what
`tracker.checkins.recording.record_checkin` takes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.checkins import (
    NOTE_MAX_LENGTH,
    SCALAR_ANSWER_FIELDS,
    YES_NO_ANSWER_FIELDS,
    LegSide,
    Side,
)
from tracker.programmes.forms import add_exercise_fields, exercise_answers
from tracker.timeline.vocabulary import (
    SAFETY_ANSWER_CODES,
    SIDED_SYMPTOMS,
    SYMPTOM_CODES,
    SYMPTOM_SIDES,
)

SCALE = [(str(n), str(n)) for n in range(11)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SIDE_CHOICES = [("left", _("Left")), ("right", _("Right")), ("both", _("Both"))]


def yes_no_field(label, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=YES_NO, required=required, widget=forms.RadioSelect
    )


def scale_field(label, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a number from 0 to 10."),
            "invalid_choice": _("Choose a number from 0 to 10."),
        },
    )


class CheckInForm(forms.Form):
    """One day's answers. `require_core` asks for both pain scores (the web form)."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    back_pain = scale_field(_("Back pain in the last 24 hours"), required=True)
    leg_pain = scale_field(_("Leg pain in the last 24 hours"), required=True)
    leg_side = forms.ChoiceField(
        label=_("Which leg hurts?"),
        choices=LegSide.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose none, left, right or both.")},
    )
    temperature_c = forms.DecimalField(
        label=_("Your temperature (°C), if you measured it"),
        min_value=Decimal("34.0"),
        max_value=Decimal("43.0"),
        max_digits=3,
        decimal_places=1,
        required=False,
        error_messages={
            "min_value": _("A temperature is between 34.0 and 43.0 °C."),
            "max_value": _("A temperature is between 34.0 and 43.0 °C."),
            "invalid": _("Enter the temperature as a number, such as 37.8."),
            "max_digits": _("Enter the temperature as a number, such as 37.8."),
            "max_decimal_places": _("Enter the temperature with one decimal, such as 37.8."),
            "max_whole_digits": _("A temperature is between 34.0 and 43.0 °C."),
        },
    )
    # When that temperature was taken, on the check-in's day in the patient's time zone. Left
    # empty it means "just now" (a time filled in when the page was drawn would be stale on a
    # page the phone kept while offline, and would keep the follow-up question open).
    temperature_time = forms.TimeField(
        label=_("What time did you take it?"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={"invalid": _("Enter the time as hours and minutes, such as 14:30.")},
    )
    # RF-NUMB-NEW: asked under "new numbness"; "both" is an emergency.
    new_numbness_side = forms.ChoiceField(
        label=_("Which side is the new numbness on?"),
        choices=[("", _("Choose a side")), *Side.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose left, right or both sides.")},
    )
    walking_minutes = forms.IntegerField(
        label=_("Your longest walk today, in minutes"),
        min_value=0,
        max_value=600,
        required=False,
        error_messages={
            "min_value": _("Enter minutes from 0 to 600."),
            "max_value": _("Enter minutes from 0 to 600."),
            "invalid": _("Enter a whole number of minutes."),
        },
    )
    opioid_doses = forms.IntegerField(
        label=_("Doses of opioid painkiller today (for example codeine, tramadol, morphine)"),
        min_value=0,
        max_value=20,
        required=False,
        error_messages={
            "min_value": _("Enter a number of doses from 0 to 20."),
            "max_value": _("Enter a number of doses from 0 to 20."),
            "invalid": _("Enter a whole number of doses."),
        },
    )
    took_other_painkillers = yes_no_field(
        _("Did you take other painkillers today (for example paracetamol, ibuprofen)?")
    )
    took_nerve_pain_medicine = yes_no_field(
        _("Did you take medicine for nerve pain today (for example gabapentin, pregabalin)?")
    )
    sleep_disturbance = scale_field(_("How much did pain disturb your sleep last night?"), False)
    note = forms.CharField(
        label=_("Anything else you want your care team to know (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={
            "max_length": _("Keep the note under %(limit_value)s characters.")
            % {"limit_value": NOTE_MAX_LENGTH}
        },
    )

    def __init__(
        self, *args, require_core: bool = True, exercises=(), patient=None, day=None, **kwargs
    ):
        """`patient` and `day` (the check-in's) let the form refuse a reading time that has
        not come yet; without them such a time is stored as "time not known"."""
        super().__init__(*args, **kwargs)
        self.require_core = require_core
        self.patient, self.day = patient, day
        add_exercise_fields(self, exercises)  # §1.1 `exercises`: today's prescribed ones
        for code, question in SAFETY_ANSWER_CODES.items():
            self.fields[f"safety_{code}"] = yes_no_field(_(question))
        for code, wording in SYMPTOM_CODES.items():
            self.fields[f"symptom_{code}"] = forms.BooleanField(label=_(wording), required=False)
            if code in SIDED_SYMPTOMS:
                self.fields[f"symptom_{code}_side"] = forms.ChoiceField(
                    label=_("Which side?"),
                    choices=[("", _("Choose a side")), *SIDE_CHOICES],
                    required=False,
                )
        if not require_core:
            self.fields["back_pain"].required = False
            self.fields["leg_pain"].required = False
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())

    # Grouped access for the template, which renders the markup itself (faster than widgets).
    def safety_fields(self):
        return [self[f"safety_{code}"] for code in SAFETY_ANSWER_CODES]

    def symptom_rows(self):
        return [
            (
                self[f"symptom_{code}"],
                self[f"symptom_{code}_side"] if code in SIDED_SYMPTOMS else None,
            )
            for code in SYMPTOM_CODES
        ]

    def clean(self):
        data = super().clean()
        leg_pain, side = data.get("leg_pain"), data.get("leg_side") or ""
        if leg_pain is not None and leg_pain > 0 and side in ("", LegSide.NONE):
            self.add_error("leg_side", _("Tell us which leg hurts: left, right or both."))
        if leg_pain == 0 and side in ("", LegSide.NONE):
            data["leg_side"] = LegSide.NONE

        symptoms: dict[str, str] = {}
        for code in SYMPTOM_CODES:
            if not data.get(f"symptom_{code}"):
                continue
            symptom_side = data.get(f"symptom_{code}_side", "") if code in SIDED_SYMPTOMS else ""
            if code in SIDED_SYMPTOMS and symptom_side not in SYMPTOM_SIDES:
                self.add_error(f"symptom_{code}_side", _("Choose left, right or both."))
            symptoms[code] = symptom_side

        safety = {
            code: data[f"safety_{code}"] == "yes"
            for code in SAFETY_ANSWER_CODES
            if data.get(f"safety_{code}") in ("yes", "no")
        }
        if data.get("temperature_c") is not None and not safety.get("feverish"):
            self.add_error(
                "temperature_c",
                _("Answer “yes” to feeling feverish to record a temperature, or clear it."),
            )
        taken = data.get("temperature_time")
        if taken is not None and data.get("temperature_c") is not None and self._later(taken):
            self.add_error(
                "temperature_time",
                _("That time has not come yet. Enter the time you took your temperature."),
            )
        side = data.get("new_numbness_side") or ""
        numb = safety.get("new_numbness")
        if side and not numb:
            self.add_error(
                "new_numbness_side",
                _("Answer “yes” to new numbness to give its side, or choose “Choose a side”."),
            )
        elif numb and not side and self.require_core and "new_numbness_side" not in self.errors:
            self.add_error(
                "new_numbness_side",
                _("Tell us which side the new numbness is on: left, right or both sides."),
            )

        data["answers"] = {
            "back_pain": data.get("back_pain"),
            "leg_pain": leg_pain,
            "leg_side": data.get("leg_side") or "",
            "symptoms": symptoms,
            "safety": safety,
            "temperature_c": data.get("temperature_c"),
            "temperature_time": data.get("temperature_time"),
            "new_numbness_side": (data.get("new_numbness_side") or "") if numb else "",
            "walking_minutes": data.get("walking_minutes"),
            "opioid_doses": data.get("opioid_doses"),
            "took_other_painkillers": yes_no_value(data.get("took_other_painkillers")),
            "took_nerve_pain_medicine": yes_no_value(data.get("took_nerve_pain_medicine")),
            "sleep_disturbance": data.get("sleep_disturbance"),
            "note": (data.get("note") or "").strip(),
            "exercises": exercise_answers(self, data),
        }
        return data

    def _later(self, taken) -> bool:
        """True when `taken` on the check-in's day is later than now (patient's time zone)."""
        if self.patient is None or self.day is None:
            return False
        moment = datetime.combine(self.day, taken, tzinfo=self.patient.zone)
        return moment > timezone.now()


def yes_no_value(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def initial_from_checkin(checkin) -> dict:
    """Form initial values that show a saved check-in again, for editing."""
    # A temperature is a new reading each time: the day's readings are listed above the
    # field instead of filling it in (saving again must not add the same one twice).
    initial: dict = {
        name: getattr(checkin, name)
        for name in SCALAR_ANSWER_FIELDS
        if name not in YES_NO_ANSWER_FIELDS and name != "temperature_c"
    }
    for name in YES_NO_ANSWER_FIELDS:
        value = getattr(checkin, name)
        initial[name] = "" if value is None else ("yes" if value else "no")
    for code, yes in checkin.safety.items():
        initial[f"safety_{code}"] = "yes" if yes else "no"
    for code, side in checkin.symptoms.items():
        initial[f"symptom_{code}"] = True
        if side:
            initial[f"symptom_{code}_side"] = side
    return initial
