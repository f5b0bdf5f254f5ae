"""`manage.py import_checkins`: a paper or spreadsheet diary, through the check-in form and
recording path."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.checkins.diary_import import DiaryError, import_diary
from tracker.models import Patient


class Command(BaseCommand):
    help = "Import a paper or spreadsheet diary (CSV; format in the README) for one patient."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--patient", required=True, help="The patient's e-mail address.")

    def handle(self, *args, file: Path, patient: str, **options):
        found = (
            Patient.objects.select_related("user", "clinic")
            .filter(user__email=patient.lower())
            .first()
        )
        if found is None:
            raise CommandError(f"No patient with the e-mail address {patient}.")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            rows = import_diary(found, text)
        except DiaryError as error:
            for line, day, findings in error.kept:
                for finding in findings:
                    self.stdout.write(
                        self.style.ERROR(
                            f"{finding.level.value.upper()} {day} (line {line}): "
                            f"{finding.patient_message} The valid answers of line {line} were "
                            "saved and the care team is told; nothing else was imported."
                        )
                    )
            for line, reason in error.problems:
                self.stderr.write(f"{file}:{line}: {reason}")
            raise CommandError(
                f"Nothing was imported: {len(error.problems)} row(s) need correcting."
            ) from error
        # Safety first (§0.1): a recent emergency or urgent answer is said before anything else.
        for row in rows:
            for finding in row.findings:
                self.stdout.write(
                    self.style.ERROR(
                        f"{finding.level.value.upper()} {row.day} (line {row.line}): "
                        f"{finding.patient_message}"
                    )
                )
        self.stdout.write(
            self.style.SUCCESS(f"Imported {len(rows)} day(s) for {found.user.email}.")
        )
