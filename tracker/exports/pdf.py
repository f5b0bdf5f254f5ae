"""The clinic-visit report as PDF (WeasyPrint, no browser): an HTML template with inline SVG."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from tracker.exports.content import Report

# ?paper= value -> CSS page size
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
DEFAULT_PAPER = "a4"


def report_html(report: Report, paper: str = DEFAULT_PAPER) -> str:
    return render_to_string(
        "tracker/reports/report.html",
        {"report": report, "patient": report.patient, "page_size": PAPER_SIZES[paper]},
    )


def render_pdf(report: Report, paper: str = DEFAULT_PAPER) -> bytes:
    """PDF bytes of the report on A4 or Letter paper."""
    # Imported here: WeasyPrint takes ~0.4 s to import and only this path needs it.
    from weasyprint import HTML

    html = report_html(report, paper)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
