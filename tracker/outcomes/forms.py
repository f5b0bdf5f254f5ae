"""The period chosen on the outcomes page."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS = 365
LONGEST_PERIOD_DAYS = 5 * 366


class PeriodForm(forms.Form):
    """?start=&end= (ISO dates, both included). Left empty: the last 12 months."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", _("The start must be on or before the end."))
        elif (end - start).days >= LONGEST_PERIOD_DAYS:
            self.add_error("start", _("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        """The chosen period, or the default one when the choice is not valid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.today - timedelta(days=DEFAULT_DAYS - 1), self.today
