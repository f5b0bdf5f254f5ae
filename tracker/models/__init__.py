"""The database tables, one module per aggregate; everything is importable from here."""

from .audit import AccessLog, AppendOnlyError
from .bands import RecoveryBand
from .checkins import CheckIn, CheckInRevision, LegSide, Source
from .flags import (
    ACTIVE_STATUSES,
    ClinicThresholds,
    DeliveryStatus,
    Flag,
    FlagLevel,
    FlagStatus,
    Notification,
    PatientReminder,
    ThresholdChange,
)
from .operations import JobRun
from .outcome_points import DuePointAnswers, OutcomePoints
from .people import (
    STAFF_ROLES,
    CareTeamMember,
    Clinic,
    ClinicianKind,
    Invitation,
    Patient,
    Role,
    User,
)
from .privacy import ErasureRequest, ErasureStatus
from .programmes import (
    Exercise,
    ExerciseLog,
    Programme,
    ProgrammeChange,
    ProgrammeItem,
    Restriction,
    RestrictionKind,
)
from .questionnaires import QuestionnaireResponse, ResponseSource
from .reminders import PushSubscription, ReminderChannel, ReminderPreference
from .summaries import PatientSummary

__all__ = [
    "ErasureRequest",
    "ErasureStatus",
    "PushSubscription",
    "ReminderChannel",
    "ReminderPreference",
    "ACTIVE_STATUSES",
    "ClinicThresholds",
    "JobRun",
    "DuePointAnswers",
    "OutcomePoints",
    "RecoveryBand",
    "DeliveryStatus",
    "Flag",
    "FlagLevel",
    "FlagStatus",
    "Notification",
    "PatientReminder",
    "ThresholdChange",
    "STAFF_ROLES",
    "AccessLog",
    "AppendOnlyError",
    "CareTeamMember",
    "CheckIn",
    "CheckInRevision",
    "Exercise",
    "ExerciseLog",
    "Programme",
    "ProgrammeChange",
    "ProgrammeItem",
    "Restriction",
    "RestrictionKind",
    "Clinic",
    "ClinicianKind",
    "Invitation",
    "LegSide",
    "Patient",
    "PatientSummary",
    "QuestionnaireResponse",
    "ResponseSource",
    "Role",
    "Source",
    "User",
]
