"""The app's configuration: what runs when Django starts."""

from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Laminar"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tracker.auth.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="laminar-session-clock")
