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
        label=_("Alarms opened from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("Alarms opened until"), required=False, widget=forms.DateInput({"type": "date"})
    )

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


class FunnelForm(forms.Form):
    """Which measure and time point the funnel plot compares surgeons on."""

    measure = forms.ChoiceField(label=_("Funnel plot: measure"), required=False)
    point = forms.ChoiceField(label=_("at"), required=False)

    def __init__(self, measures, points, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {measure.key: measure for measure in measures}
        self.points = {point.key: point for point in points}
        self.fields["measure"].choices = [(m.key, m.label) for m in measures]
        self.fields["point"].choices = [(p.key, p.label) for p in points]

    def chosen(self):
        """(measure, time point): leg pain at 6 weeks (the P3 question) unless chosen."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        measure = self.measures.get(data.get("measure") or "", next(iter(self.measures.values())))
        point = self.points.get(data.get("point") or "", next(iter(self.points.values())))
        return measure, point
