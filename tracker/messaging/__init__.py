"""What leaves Laminar: e-mail through one module, reminders, Web Push, and the background tasks."""
