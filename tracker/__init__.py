"""Laminar: a recovery tracker for people after lumbar laminectomy (the Django app)."""
