from .audit import AccessLog, AppendOnlyError
from .checkins import CheckIn, CheckInRevision, LegSide, Source
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
