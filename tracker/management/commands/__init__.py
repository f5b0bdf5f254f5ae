"""The `manage.py` commands of Laminar."""
