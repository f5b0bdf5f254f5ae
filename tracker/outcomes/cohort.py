"""Which patients an outcome figure counts: a clinic's patients, filtered by surgery period,
surgeon, procedure and levels."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tracker.models import Clinic, Patient, User


class CohortForm(forms.Form):
    """?operated_from=&operated_to=&surgeon=&procedure=&levels= (all optional)."""

    operated_from = forms.DateField(
        label=_("Operated from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    operated_to = forms.DateField(
        label=_("Operated until"), required=False, widget=forms.DateInput({"type": "date"})
    )
    surgeon = forms.ChoiceField(label=_("Surgeon"), required=False)
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    levels = forms.ChoiceField(label=_("Levels"), required=False)

    def __init__(self, clinic: Clinic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        patients = Patient.objects.filter(clinic=clinic).order_by()
        surgeons = User.objects.filter(
            pk__in=patients.exclude(surgeon=None).values("surgeon")
        ).order_by("full_name")
        self.fields["surgeon"].choices = [("", _("Every surgeon"))] + [
            (str(surgeon.public_id), surgeon.full_name) for surgeon in surgeons
        ]
        for name, every in (("procedure", _("Every procedure")), ("levels", _("Every level"))):
            values = patients.values_list(name, flat=True).distinct().order_by(name)
            self.fields[name].choices = [("", every)] + [(value, value) for value in values]

    def clean(self):
        data = super().clean()
        start, end = data.get("operated_from"), data.get("operated_to")
        if start and end and start > end:
            self.add_error("operated_from", _("The start must be on or before the end."))
        return data

    def patients(self) -> QuerySet[Patient]:
        """The clinic's patients matching the valid filters (all of them when none is)."""
        patients = Patient.objects.filter(clinic=self.clinic)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("operated_from"):
            patients = patients.filter(surgery_date__gte=data["operated_from"])
        if data.get("operated_to"):
            patients = patients.filter(surgery_date__lte=data["operated_to"])
        if data.get("surgeon"):
            patients = patients.filter(surgeon__public_id=data["surgeon"])
        for name in ("procedure", "levels"):
            if data.get(name):
                patients = patients.filter(**{name: data[name]})
        return patients.order_by()

    def as_query(self) -> dict[str, str]:
        """The valid filters, for links that keep them (CSV downloads)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if value
        }
