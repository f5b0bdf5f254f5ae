"""python manage.py export_report --patient EMAIL --format pdf|csv|fhir --output FILE
[--from YYYY-MM-DD --to YYYY-MM-DD] [--paper a4|letter]

Run by someone with access to the server, outside any care team: the access log records the
export with the operating-system account that ran it.
"""

import getpass
import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.charts.figures import Period
from tracker.exports.content import build_report
from tracker.exports.csv_export import patient_diary_lines
from tracker.exports.fhir import patient_bundle
from tracker.exports.pdf import PAPER_SIZES, render_pdf
from tracker.models import AccessLog, Patient

FORMATS = ("pdf", "csv", "fhir")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Export one patient's record as a PDF report, a CSV diary or a FHIR R4 Bundle."

    def add_arguments(self, parser):
        parser.add_argument("--patient", required=True, help="The patient's e-mail address.")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="export_format")
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--from", dest="start", type=iso_date, default=None)
        parser.add_argument("--to", dest="end", type=iso_date, default=None)
        parser.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4")

    def handle(self, *args, patient, export_format, output, start, end, paper, **options):
        found = (
            Patient.objects.select_related("user", "clinic", "surgeon")
            .filter(user__email=patient.lower())
            .first()
        )
        if found is None:
            raise CommandError(f"No patient with the e-mail address {patient}.")
        start = start or found.surgery_date
        end = end or found.local_date()
        if start > end:
            raise CommandError("--from must be on or before --to.")
        operator = f"manage.py export_report, run by {getpass.getuser()}"
        if export_format == "pdf":
            report = build_report(
                found, Period(start, end), generated_by=operator, generated_at=timezone.now()
            )
            output.write_bytes(render_pdf(report, paper))
        elif export_format == "csv":
            with output.open("w", encoding="utf-8", newline="") as file:
                file.writelines(patient_diary_lines(found, start, end))
        else:
            bundle = patient_bundle(found, start, end)
            output.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
        AccessLog.objects.create(
            actor=None,
            actor_label=operator,
            patient=found,
            patient_ref=found.public_id,
            action=f"export:{export_format}",
            path=str(output)[:500],
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} for {found.user.email}."))
