from .audit import AccessLog, AppendOnlyError
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
from .questionnaires import QuestionnaireResponse, ResponseSource

__all__ = [
    "ACTIVE_STATUSES",
    "ClinicThresholds",
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
    "Clinic",
    "ClinicianKind",
    "Invitation",
    "LegSide",
    "Patient",
    "QuestionnaireResponse",
    "ResponseSource",
    "Role",
    "Source",
    "User",
]
