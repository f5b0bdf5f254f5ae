"""Questionnaire responses (clinical-reference §1.3). Definitions are data files."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.timeline import QuestionnaireScore

from .people import Patient, User


class ResponseSource(models.TextChoices):
    PATIENT = "patient", _("Answered by the patient")
    PAPER = "paper", _("Scored on paper, entered by a clinician")
    IMPORT = "import", _("Imported")


class QuestionnaireResponse(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    instrument = models.CharField(max_length=32)  # the definition's code: peg, phq2, phq9, odi…
    definition_version = models.CharField(max_length=32, blank=True)
    day = models.DateField()
    answers = models.JSONField(default=dict, blank=True)  # linkId -> answer; {} for paper totals
    item_scores = models.JSONField(default=dict, blank=True)  # linkId -> score
    total = models.DecimalField(max_digits=6, decimal_places=2)
    band = models.CharField(max_length=64, blank=True)
    source = models.CharField(
        max_length=16, choices=ResponseSource.choices, default=ResponseSource.PATIENT
    )
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument", "day"], name="one_response_per_instrument_day"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0) & models.Q(total__lte=100),
                name="questionnaire_total_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.day}: {self.total}"

    def as_score(self) -> QuestionnaireScore:
        return QuestionnaireScore(
            instrument=self.instrument,
            day=self.day,
            total=float(self.total),
            items={str(k): int(v) for k, v in self.item_scores.items()},
        )
