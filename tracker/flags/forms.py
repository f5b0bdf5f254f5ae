"""Forms of the triage inbox and of the clinic's thresholds."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.flags.inbox import ACTIVE, ALL
from tracker.models import FlagLevel, FlagStatus
from tracker.models.flags import ASK_RULE
from tracker.rules import RULES_BY_ID, Thresholds
from tracker.rules.definition import rule_info

STATUS_FILTERS = [
    (ACTIVE, _("Open and acknowledged")),
    *FlagStatus.choices,
    (ALL, _("All")),
]


class InboxFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *FlagLevel.choices], required=False
    )
    rule = forms.ChoiceField(
        label=_("Rule"),
        choices=[
            ("", _("Any rule")),
            *[(rule_id, rule_info(rule).title) for rule_id, rule in RULES_BY_ID.items()],
            (ASK_RULE, _("Questions from patients")),
        ],
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[
            ("triage", _("Most severe first")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("patient", _("By patient")),
        ],
        required=False,
    )

    def filters(self) -> dict:
        """Valid filter values; anything invalid falls back to the default view."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "level": data.get("level") or "",
            "rule": data.get("rule") or "",
            "status": data.get("status") or ACTIVE,
            "sort": data.get("sort") or "triage",
        }


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Resolution note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write what was done, for the record.")},
    )


MAX_THRESHOLD = 1000


class ThresholdsForm(forms.Form):
    """One number field per threshold of tracker.rules.Thresholds, defaults as placeholders."""

    def __init__(self, current: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in Thresholds.describe():
            name = spec["name"]
            field_class = forms.IntegerField if spec["whole"] else forms.FloatField
            label = f"{name} ({spec['row']} {spec['label']})"
            help_text = _("Reference default: %(default)s.") % {"default": spec["default"]}
            if spec["emergency"]:
                help_text += " " + _("Decides an emergency: it may only be tightened.")
            self.fields[name] = field_class(
                label=label,
                required=False,
                min_value=0,
                # No threshold of §3/§4 goes beyond a year of days or a 0-100 score.
                max_value=MAX_THRESHOLD,
                help_text=help_text,
                widget=forms.NumberInput(attrs={"placeholder": spec["default"], "step": "any"}),
            )
            self.fields[name].initial = current.get(name)

    def clean(self):
        data = super().clean()
        overrides = {k: v for k, v in data.items() if v is not None}
        for name, value in overrides.items():
            try:
                Thresholds.from_overrides({name: value})
            except ValueError as error:
                self.add_error(name, str(error).removeprefix("Invalid thresholds: "))
        if not self.errors:
            try:
                Thresholds.from_overrides(overrides)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        data["overrides"] = overrides
        return data
