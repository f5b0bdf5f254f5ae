"""Path converters for Laminar's URLs, registered once when this module is imported.

Ids in URLs are UUIDs (Django's own `uuid` converter); days are ISO dates (`isodate`).
"""

from datetime import date

from django.urls import register_converter


class IsoDateConverter:
    """YYYY-MM-DD in a URL, as a date. An impossible date (2026-02-30) does not match."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")
