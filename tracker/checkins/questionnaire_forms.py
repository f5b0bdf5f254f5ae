"""A form built from a questionnaire definition (tracker.questionnaires.scoring.Definition)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.questionnaires.scoring import Definition


class QuestionnaireForm(forms.Form):
    """One radio group per item; every item must be answered. Values are the items' scores."""

    def __init__(self, definition: Definition, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        for item in definition.items:
            if item.type == "choice":
                choices = [(str(o.value), o.display) for o in item.options]
            else:
                choices = [(str(n), str(n)) for n in range(item.min_value, item.max_value + 1)]
            field = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please answer this question."),
                    "invalid_choice": _("Choose one of the answers shown."),
                },
            )
            field.item = item
            self.fields[item.link_id] = field

    def answers(self) -> dict[str, int]:
        return {item.link_id: self.cleaned_data[item.link_id] for item in self.definition.items}
