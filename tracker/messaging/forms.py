"""The patient's daily reminder: time (in their time zone), channel and pause."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.messaging.reminders import push_enabled
from tracker.models import ReminderChannel, ReminderPreference


class ReminderForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["time_of_day", "channel", "paused"]
        labels = {
            "time_of_day": _("Remind me at"),
            "channel": _("How"),
            "paused": _("Pause my reminders"),
        }
        widgets = {
            "time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "channel": forms.RadioSelect,
        }
        error_messages = {"time_of_day": {"invalid": _("Enter a time such as 19:00.")}}

    def __init__(self, *args, has_push: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_push = has_push
        if not push_enabled():
            self.fields["channel"].choices = [(ReminderChannel.EMAIL, ReminderChannel.EMAIL.label)]

    def clean_channel(self):
        channel = self.cleaned_data["channel"]
        if channel != ReminderChannel.EMAIL and not self.has_push:
            raise forms.ValidationError(
                _("Turn on notifications on this phone first (the button below), or choose e-mail.")
            )
        return channel
