"""The daily check-in form (clinical-reference §1.1–§3).

The same form validates the web check-in and each row of an imported diary, so both refuse
the same things with the same messages. `cleaned_data["answers"]` is what
`tracker.checkins.recording.record_checkin` takes.

The web form asks the §3 safety questions as one checklist ("have you had any of these?"):
each warning sign is a box posting `safety_<code>=yes`, and "None of these" posts
`safety_none`. A ticked sign or "None of these" answers the whole card, so every sign left
unticked is recorded as an explicit "no". Painkillers are a checklist of the same kind, and
"I did all my exercises" answers every exercise not answered one by one. Posts that give each
safety question as `yes`/`no` (the diary import, check-ins kept on a phone by an earlier page)
are taken as they are. docs/checkin.md explains the form and what each rule reads from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
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

# A warning sign asked only as the follow-up of another (RF-WOUND-BLEED: "does the bleeding
# stop when you press on it?" after "blood has soaked through the dressing").
FOLLOW_UP_SIGNS = {"bleeding_not_stopping": "wound_bleeding"}

# The taps offered for the longest walk, in minutes (any other number can be typed).
WALKING_CHOICES = (0, 5, 10, 20, 30, 45, 60, 90, 120)
# Opioid doses offered as taps (more can be typed, up to 20).
OPIOID_DOSE_CHOICES = (1, 2, 3, 4, 5, 6)

# The safety card: the §3 warning signs in plain words, grouped as a patient thinks of them
# (each label keeps every element of its row's trigger; the follow-ups are asked under them).
SAFETY_CARD = (
    (
        _("Bladder, bowel and saddle"),
        (
            ("bladder_change", _("New trouble starting, stopping or feeling urine, or leaking")),
            ("saddle_numbness", _("Numb or tingling between the legs or around the bottom")),
            ("bowel_control_loss", _("Cannot control or feel your bowels")),
            ("sexual_function_loss", _("New loss of sexual function or numb genitals")),
        ),
    ),
    (
        _("Legs"),
        (
            (
                "new_leg_weakness",
                _("A leg newly weaker, foot catching or dragging, or a leg gave way"),
            ),
            ("legs_cannot_move", _("A leg suddenly very weak, or cannot move your legs")),
            ("new_numbness", _("New or spreading numbness in a leg or foot")),
        ),
    ),
    (
        _("Wound"),
        (
            (
                "wound_infection_signs",
                _("Spreading redness or warmth, pus or smelly fluid, or the wound opening"),
            ),
            ("wound_bleeding", _("Blood soaked through the dressing")),
            ("clear_wound_fluid", _("Clear, watery fluid from the wound")),
        ),
    ),
    (
        _("Chest and calf"),
        (
            ("chest_pain_breathless", _("Chest pain, sudden breathlessness or coughing blood")),
            ("calf_pain_swelling", _("Pain, swelling or redness in one calf")),
        ),
    ),
    (
        _("Fever and headache"),
        (
            ("feverish", _("Feverish, hot or shivery")),
            ("positional_headache", _("Headache worse sitting or standing, eased lying flat")),
            ("stiff_neck_or_confusion", _("Stiff neck, or confusion")),
        ),
    ),
    (_("Falls"), (("fall", _("A fall")),)),
)

# Symptom chips: short words for §1.2 (its wording may be adapted, keeping the meaning).
SYMPTOM_CHIPS = {
    "radiating_pain": _("Pain shooting down a leg"),
    "heat_cold_sensitivity": _("Sensitive to heat or cold"),
    "abnormal_sensation": _("Burning, shocks, touch pain"),
    "leg_heaviness": _("Heavy legs"),
    "numbness_tingling": _("Numb or tingling leg/foot"),
    "leg_weakness": _("Weak leg (as before)"),
    "muscle_spasm": _("Back muscle spasms"),
    "incision_pain": _("Pain at the wound"),
    "constipation": _("No bowel movement 3+ days"),
}

# Sleep as five taps: the words of the scale's ends and three bands between them, each stored
# as its middle (1-3 -> 2, 4-6 -> 5, 7-9 -> 8); any exact number can still be chosen.
SLEEP_BANDS = (
    (0, _("Not at all")),
    (2, _("A little")),
    (5, _("Some")),
    (8, _("A lot")),
    (10, _("No sleep")),
)

SAFETY_CARD_REQUIRED = _(
    "Tick “None of these”, or each warning sign you have had since your last check-in."
)
SAFETY_CARD_CONFLICT = _(
    "You ticked “None of these” and a warning sign. Untick “None of these” if you have had "
    "the sign, or untick the sign."
)


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


def minutes_field(label) -> forms.IntegerField:
    """Minutes walked (§1.1 `walking_minutes`, read by P11): a whole number from 0 to 600."""
    message = _("Enter minutes from 0 to 600.")
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=600,
        required=False,
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": _("Enter a whole number of minutes."),
        },
    )


def doses_field(label) -> forms.IntegerField:
    """Opioid doses (§1.1 `opioid_doses`): a whole number from 0 to 20."""
    message = _("Enter a number of doses from 0 to 20.")
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=20,
        required=False,
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": _("Enter a whole number of doses."),
        },
    )


class CheckInForm(forms.Form):
    """One day's answers. `require_core` asks for both pain scores and the safety card (the
    web form)."""

    safety_conflict_message = SAFETY_CARD_CONFLICT

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
    walking_minutes = minutes_field(_("Your longest walk today, in minutes"))
    opioid_doses = doses_field(
        _("Doses of opioid painkiller today (for example codeine, tramadol, morphine)")
    )
    # Typed numbers, for when the taps above them do not fit; they win over a tap.
    walking_exact = minutes_field(_("Another number of minutes"))
    opioid_exact = doses_field(_("Another number of doses"))
    sleep_exact = scale_field(_("Exactly, from 0 to 10"), False)
    # The painkiller checklist: "None", or each kind taken (opioid doses follow).
    painkillers_none = forms.BooleanField(label=_("None today"), required=False)
    took_opioid = forms.BooleanField(label=_("Opioid: codeine, tramadol, morphine"), required=False)
    safety_none = forms.BooleanField(label=_("None of these"), required=False)
    exercises_all_done = forms.BooleanField(label=_("I did all my exercises today"), required=False)
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
        self,
        *args,
        require_core: bool = True,
        exercises=(),
        patient=None,
        day=None,
        previous=None,
        **kwargs,
    ):
        """`patient` and `day` (the check-in's) let the form refuse a reading time that has
        not come yet; without them such a time is stored as "time not known". `previous`, the
        patient's check-in before `day` (within the week), offers its walking and painkillers
        as "same as yesterday"."""
        super().__init__(*args, **kwargs)
        self.require_core = require_core
        self.patient, self.day, self.previous = patient, day, previous
        # The signs the card left unticked, recorded as "no" (see `_clean_safety_card`).
        self.unticked: set[str] = set()
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

    def safety_groups(self):
        """The safety card: (group title, [(code, field, label)]) in the order asked."""
        return [
            (title, [(code, self[f"safety_{code}"], label) for code, label in signs])
            for title, signs in SAFETY_CARD
        ]

    def symptom_rows(self):
        return [
            (
                self[f"symptom_{code}"],
                self[f"symptom_{code}_side"] if code in SIDED_SYMPTOMS else None,
                SYMPTOM_CHIPS[code],
            )
            for code in SYMPTOM_CODES
        ]

    def exercises_one_by_one(self) -> bool:
        """Whether any exercise was answered (or is wrong) on its own: its rows show."""
        for _item, done, pain, too_hard in getattr(self, "exercise_rows", ()):
            if done.errors or pain.errors or too_hard.value():
                return True
            if done.value() not in (None, "") or pain.value() not in (None, ""):
                return True
        return False

    def walking_taps(self):
        """(value, label, checked) for the walking taps, "same as last time" first when the
        previous check-in (within the week) gave a number."""
        value, _exact = self._tapped("walking_minutes", "walking_exact", WALKING_CHOICES)
        taps = []
        last = getattr(self.previous, "walking_minutes", None)
        if last is not None:
            if self.previous.day == self._day_before():
                label = _("Same as yesterday: %(minutes)s") % {"minutes": last}
            else:
                label = _("Same as %(day)s: %(minutes)s") % {
                    "day": formats.date_format(self.previous.day, "l"),
                    "minutes": last,
                }
            taps.append((str(last), label, value == str(last)))
            if value == str(last):
                value = None  # one tap shows as chosen, not two
        for n in WALKING_CHOICES:
            label = f"{n}+" if n == WALKING_CHOICES[-1] else str(n)
            taps.append((str(n), label, value == str(n)))
        return taps

    def walking_exact_value(self):
        return self._tapped("walking_minutes", "walking_exact", WALKING_CHOICES)[1]

    def sleep_taps(self):
        """(value, label, checked) for the sleep bands; `sleep_exact_chosen` says when the
        value is none of them."""
        value = self._sleep_value()
        return [(str(n), label, value == str(n)) for n, label in SLEEP_BANDS]

    def sleep_exact_chosen(self) -> bool:
        value = self._sleep_value()
        return value != "" and value not in {str(n) for n, _label in SLEEP_BANDS}

    def sleep_exact_selected(self) -> str:
        """The exact scale's answer to show: the value when no band holds it."""
        return self._sleep_value() if self.sleep_exact_chosen() else ""

    def opioid_ticked(self) -> bool:
        """Whether "Opioid" shows ticked: ticked, or a number of doses above 0 given."""
        if self["took_opioid"].value():
            return True
        for name in ("opioid_doses", "opioid_exact"):
            value = self[name].value()
            if str(value or "").isdigit() and int(value) > 0:
                return True
        return False

    def _sleep_value(self) -> str:
        exact = self["sleep_exact"].value()
        if exact not in (None, ""):
            return str(exact)
        value = self["sleep_disturbance"].value()
        return "" if value is None else str(value)

    def opioid_taps(self):
        value, _exact = self._tapped("opioid_doses", "opioid_exact", OPIOID_DOSE_CHOICES)
        return [(str(n), str(n), value == str(n)) for n in OPIOID_DOSE_CHOICES]

    def opioid_exact_value(self):
        return self._tapped("opioid_doses", "opioid_exact", OPIOID_DOSE_CHOICES)[1]

    def _tapped(self, name: str, exact_name: str, choices) -> tuple[str | None, str]:
        """Which tap shows `name`'s value, and what the typed field beside it shows."""
        exact = self[exact_name].value()
        if exact not in (None, ""):
            return None, str(exact)
        value = self[name].value()
        value = "" if value is None else str(value)
        last = (
            getattr(self.previous, "walking_minutes", None) if name == "walking_minutes" else None
        )
        if value in {str(n) for n in choices} or (last is not None and value == str(last)):
            return value, ""
        if name == "opioid_doses" and value == "0":
            return None, ""  # no opioid: "None today" or nothing ticked says it
        return None, value

    def _day_before(self):
        return None if self.day is None else self.day - timedelta(days=1)

    def previous_painkillers(self) -> dict | None:
        """The previous check-in's painkiller answers, for "same as yesterday" (or None)."""
        last = self.previous
        if last is None or last.opioid_doses is None:
            return None
        return {
            "opioid_doses": last.opioid_doses,
            "took_other_painkillers": last.took_other_painkillers,
            "took_nerve_pain_medicine": last.took_nerve_pain_medicine,
        }

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

        self._clean_safety_card(data)
        self._clean_painkillers(data)
        self._clean_exact_numbers(data)
        self._clean_all_exercises(data)
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
        if side and not numb and "new_numbness" in self.unticked:
            # The sign was unticked on the card after its side was chosen (a radio button
            # cannot be cleared without JavaScript): the side goes with it.
            data["new_numbness_side"] = side = ""
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
        for code, parent in FOLLOW_UP_SIGNS.items():
            if safety.get(parent) and code not in safety and self.require_core:
                self.add_error(
                    f"safety_{code}",
                    _("Tell us whether the bleeding stops when you press firmly on the wound."),
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

    def _clean_safety_card(self, data: dict) -> None:
        """The checklist of warning signs: "None of these" or the signs had, never neither
        (web form) and never both. Either answers the card, so an unticked sign is a "no".

        A sign ticked beside "None of these" stays a "yes" in `cleaned_data` although the form
        is refused: `safety_first` keeps it when it means act now (§0.1). The unticked signs
        then stay unanswered, since the card's answer is contradictory."""
        answers = {code: data.get(f"safety_{code}") or "" for code in SAFETY_ANSWER_CODES}
        signs = [code for code, answer in answers.items() if answer == "yes"]
        none = bool(data.get("safety_none"))
        if none and signs:
            self.add_error("safety_none", SAFETY_CARD_CONFLICT)
            return
        if not none and not signs:
            given = any(answer == "no" for answer in answers.values())
            if self.require_core and not given and not self._has_error_on_safety():
                self.add_error("safety_none", SAFETY_CARD_REQUIRED)
            return
        for code, answer in answers.items():
            if answer or f"safety_{code}" in self.errors:
                continue
            if answers.get(FOLLOW_UP_SIGNS.get(code, "")) == "yes":
                continue  # the follow-up of a ticked sign is asked, not assumed
            data[f"safety_{code}"] = "no"
            self.unticked.add(code)

    def _has_error_on_safety(self) -> bool:
        return any(name.startswith("safety_") for name in self.errors)

    def _clean_painkillers(self, data: dict) -> None:
        """ "None today", or each kind taken: either answers all three painkiller questions."""
        doses = data.get("opioid_doses")
        exact = data.get("opioid_exact")
        ticked_opioid = bool(data.get("took_opioid"))
        opioid = ticked_opioid or bool(doses) or bool(exact)
        other = data.get("took_other_painkillers") or ""
        nerve = data.get("took_nerve_pain_medicine") or ""
        taken = opioid or "yes" in (other, nerve)
        if data.get("painkillers_none"):
            if taken:
                self.add_error(
                    "painkillers_none",
                    _("You ticked “None today” and a painkiller. Untick one of them."),
                )
                return
            if "opioid_doses" not in self.errors:
                data["opioid_doses"] = 0
            data["took_other_painkillers"] = data["took_nerve_pain_medicine"] = "no"
            return
        if not taken:
            return
        if ticked_opioid and not (doses or exact) and "opioid_doses" not in self.errors:
            if "opioid_exact" not in self.errors and self.require_core:
                self.add_error(
                    "opioid_doses", _("Tell us how many doses of opioid you took today.")
                )
        elif not opioid and doses is None and "opioid_doses" not in self.errors:
            data["opioid_doses"] = 0
        data["took_other_painkillers"] = other or "no"
        data["took_nerve_pain_medicine"] = nerve or "no"

    def _clean_exact_numbers(self, data: dict) -> None:
        """The exact number beside a row of taps. For walking and sleep it counts when "Other"
        ("0-10") is the tap, or no tap is chosen: another tap hides it, so what shows wins.
        The doses typed under "Opioid" are on view beside their taps and win over them."""
        pairs = (
            ("walking_minutes", "walking_exact", True),
            ("sleep_disturbance", "sleep_exact", True),
            ("opioid_doses", "opioid_exact", False),
        )
        for name, exact, behind_other in pairs:
            if data.get(exact) is None or name in self.errors:
                continue
            if behind_other and data.get(name) is not None:
                continue
            data[name] = data[exact]

    def _clean_all_exercises(self, data: dict) -> None:
        """ "I did all my exercises": every exercise not answered on its own was done in full."""
        if not data.get("exercises_all_done"):
            return
        for item in getattr(self, "exercise_items", ()):
            name = f"ex_{item.public_id}_done"
            if data.get(name) is None and name not in self.errors:
                data[name] = item.sessions_per_day

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
    # The checklists show "None" ticked when every answer in them was "no".
    safety = checkin.safety
    initial["safety_none"] = len(safety) == len(SAFETY_ANSWER_CODES) and not any(safety.values())
    initial["painkillers_none"] = (
        checkin.opioid_doses == 0
        and checkin.took_other_painkillers is False
        and checkin.took_nerve_pain_medicine is False
    )
    initial["took_opioid"] = bool(checkin.opioid_doses)
    for code, side in checkin.symptoms.items():
        initial[f"symptom_{code}"] = True
        if side:
            initial[f"symptom_{code}_side"] = side
    return initial
