"""Forms for the exercise library, programmes, restrictions and the check-in's exercises.

Every dose is bounded (`tracker.models.programmes.DOSE_LIMITS`): a negative or absurd value is
refused with a message beside the field, before anything reaches the database.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tracker.models import Exercise, ProgrammeItem, Restriction, RestrictionKind
from tracker.models.programmes import DOSE_LIMITS, MAX_WEEK

DOSE_LABELS = {
    "sets": _("Sets"),
    "repetitions": _("Repetitions"),
    "hold_seconds": _("Hold (seconds)"),
    "minutes": _("Minutes"),
    "sessions_per_day": _("Sessions a day"),
    "days_per_week": _("Days a week"),
}


def dose_form_field(name: str) -> forms.IntegerField:
    low, high = DOSE_LIMITS[name]
    message = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    required = name in ("sessions_per_day", "days_per_week")
    return forms.IntegerField(
        label=DOSE_LABELS[name],
        min_value=low,
        max_value=high,
        required=required,
        help_text=None if required else _("Leave empty if it does not apply."),
        error_messages={
            "min_value": message,
            "max_value": message,
            "invalid": message,
            "required": message,
        },
    )


def week_form_field(label, *, required: bool, help_text=None) -> forms.IntegerField:
    message = _("Enter a week from 0 to %(max)s.") % {"max": MAX_WEEK}
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_WEEK,
        required=required,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
    )


class DoseFormMixin:
    """Checks that the dose says how much (repetitions, a hold or minutes)."""

    def clean_dose(self, data: dict) -> None:
        if not any(data.get(name) for name in ("repetitions", "hold_seconds", "minutes")):
            self.add_error(
                "repetitions", _("Give repetitions, a hold time or minutes: say how much.")
            )

    def clean_weeks(self, data: dict, start: str, end: str) -> None:
        first, last = data.get(start), data.get(end)
        if first is not None and last is not None and last <= first:
            self.add_error(end, _("The end week must come after the start week."))


class ExerciseForm(DoseFormMixin, forms.ModelForm):
    """A clinic's own exercise."""

    sets = dose_form_field("sets")
    repetitions = dose_form_field("repetitions")
    hold_seconds = dose_form_field("hold_seconds")
    minutes = dose_form_field("minutes")
    sessions_per_day = dose_form_field("sessions_per_day")
    days_per_week = dose_form_field("days_per_week")
    phase_start_week = week_form_field(_("Usual start (week after surgery)"), required=True)
    phase_end_week = week_form_field(
        _("Usual end (week after surgery)"),
        required=False,
        help_text=_("The first week without it; leave empty when it continues."),
    )

    class Meta:
        model = Exercise
        fields = [
            "name",
            "steps",
            "cautions",
            "media_url",
            "phase_start_week",
            "phase_end_week",
            "sets",
            "repetitions",
            "hold_seconds",
            "minutes",
            "each_side",
            "sessions_per_day",
            "days_per_week",
        ]
        widgets = {
            "steps": forms.Textarea(attrs={"rows": 6}),
            "cautions": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "media_url": {"invalid": _("Enter a full web address, starting with https://.")},
        }

    def clean_steps(self):
        steps = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        if not steps:
            raise forms.ValidationError(_("Write at least one step for the patient."))
        return "\n".join(steps)

    def clean(self):
        data = super().clean()
        self.clean_dose(data)
        self.clean_weeks(data, "phase_start_week", "phase_end_week")
        return data

    def save_for(self, clinic, user) -> Exercise:
        exercise = self.save(commit=False)
        if exercise.pk is None:
            exercise.clinic = clinic
            exercise.created_by = user
            exercise.code = unique_code(clinic, exercise.name)
        exercise.updated_at = timezone.now()
        exercise.save()
        return exercise


def unique_code(clinic, name: str) -> str:
    base = slugify(name)[:50] or "exercise"
    code, n = base, 1
    while Exercise.objects.filter(clinic=clinic, code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


class ProgrammeItemForm(DoseFormMixin, forms.ModelForm):
    """One exercise's dose and weeks in a patient's programme."""

    sets = dose_form_field("sets")
    repetitions = dose_form_field("repetitions")
    hold_seconds = dose_form_field("hold_seconds")
    minutes = dose_form_field("minutes")
    sessions_per_day = dose_form_field("sessions_per_day")
    days_per_week = dose_form_field("days_per_week")
    start_week = week_form_field(_("From week (after surgery)"), required=True)
    end_week = week_form_field(
        _("Until week (after surgery)"),
        required=False,
        help_text=_("The first week without it; leave empty to continue."),
    )

    class Meta:
        model = ProgrammeItem
        fields = [
            "sets",
            "repetitions",
            "hold_seconds",
            "minutes",
            "each_side",
            "sessions_per_day",
            "days_per_week",
            "start_week",
            "end_week",
            "note",
        ]

    def clean(self):
        data = super().clean()
        self.clean_dose(data)
        self.clean_weeks(data, "start_week", "end_week")
        return data

    def _post_clean(self):
        # Leave the instance untouched: tracker.programmes.changes applies the values and
        # records what changed against the values before. The fields above carry every bound.
        pass


class PhaseTemplateForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Add the exercises of a phase"),
        choices=[
            ("0-2", _("Weeks 0–2: protection and walking")),
            ("2-6", _("Weeks 2–6: activation")),
            ("6-12", _("Weeks 6–12: dynamic stabilisation and conditioning")),
            ("12+", _("Week 12 on: return to full activity and work")),
        ],
        error_messages={"invalid_choice": _("Choose one of the phases.")},
    )


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = Restriction
        fields = ["kind", "text", "until"]
        widgets = {"until": forms.DateInput(attrs={"type": "date"})}
        labels = {"until": _("Until (the last day it applies; empty: until you lift it)")}
        error_messages = {
            "text": {"required": _("Write what the patient is told.")},
            "until": {"invalid": _("Enter a date such as 2026-12-31.")},
        }

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["kind"].choices = RestrictionKind.choices

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and until < self.today:
            raise forms.ValidationError(_("Choose today or a later date."))
        return until


# The check-in's exercises -------------------------------------------------------------------

SCALE = [(str(n), str(n)) for n in range(11)]


def done_choices(sessions: int) -> list[tuple[str, str]]:
    if sessions == 1:
        return [("1", _("Done")), ("0", _("Not today"))]
    partial = [
        (str(n), _("%(n)s of %(total)s") % {"n": n, "total": sessions})
        for n in range(sessions - 1, 0, -1)
    ]
    return [(str(sessions), _("All done")), *partial, ("0", _("Not today"))]


def add_exercise_fields(form: forms.Form, items) -> None:
    """Add, for each exercise prescribed today, "how many sessions", pain and "too hard".

    Sets `form.exercise_rows` for the template and `form.exercise_items` for `clean`.
    """
    form.exercise_items = list(items)
    rows = []
    for item in form.exercise_items:
        key = str(item.public_id)
        name = item.exercise.name
        form.fields[f"ex_{key}_done"] = forms.TypedChoiceField(
            label=name,
            choices=done_choices(item.sessions_per_day),
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose how many sessions you did.")},
        )
        form.fields[f"ex_{key}_pain"] = forms.TypedChoiceField(
            label=_("Pain during %(exercise)s") % {"exercise": name},
            choices=SCALE,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose a number from 0 to 10.")},
        )
        form.fields[f"ex_{key}_too_hard"] = forms.BooleanField(
            label=_("Too hard, or I had to stop"), required=False
        )
        rows.append(
            (item, form[f"ex_{key}_done"], form[f"ex_{key}_pain"], form[f"ex_{key}_too_hard"])
        )
    form.exercise_rows = rows


def exercise_answers(form: forms.Form, data: dict) -> dict | None:
    """The JSON-able exercise answers for `record_checkin`; None when none were asked."""
    items = getattr(form, "exercise_items", None)
    if not items:
        return None
    answers = {}
    for item in items:
        key = str(item.public_id)
        answers[key] = {
            "done": data.get(f"ex_{key}_done"),
            "pain": data.get(f"ex_{key}_pain"),
            "too_hard": bool(data.get(f"ex_{key}_too_hard")),
        }
    return answers


def exercise_initial(logged: dict) -> dict:
    """Form initial values from `tracker.programmes.changes.logged_answers`."""
    initial = {}
    for key, answer in logged.items():
        initial[f"ex_{key}_done"] = as_choice(answer["done"])
        initial[f"ex_{key}_pain"] = as_choice(answer["pain"])
        initial[f"ex_{key}_too_hard"] = answer["too_hard"]
    return initial


def as_choice(value: int | None) -> str | None:
    return None if value is None else str(value)
