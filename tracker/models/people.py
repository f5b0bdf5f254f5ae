"""Clinics, the people who use Laminar, and the care team that links them."""

from __future__ import annotations

import hashlib
import secrets
import uuid
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Clinic(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    emergency_number = models.CharField(_("emergency number"), max_length=32, default="999")
    surgical_team_phone = models.CharField(_("surgical team phone"), max_length=32)
    out_of_hours_phone = models.CharField(_("out-of-hours phone"), max_length=32)
    crisis_line = models.CharField(
        _("crisis line"),
        max_length=200,
        default="Samaritans 116 123",
        help_text=_("Shown at once when a patient reports thoughts of self-harm."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def local_date(self) -> date:
        return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(self.time_zone)).date()

    def own_recovery_band(self) -> dict[str, dict[int, tuple[float, float, float, int]]]:
        """The clinic's recovery band by measure ({} until one is computed); see RecoveryBand.
        No query when loaded with `select_related("clinic__recovery_band")`."""
        try:
            band = self.recovery_band
        except ObjectDoesNotExist:
            return {}
        return {measure: band.for_measure(measure) for measure in band.weeks}


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    PHYSIO = "physio", _("Physiotherapist")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Clinic admin")


class ClinicianKind(models.TextChoices):
    NONE = "", _("Not a clinician")
    SURGEON = "surgeon", _("Surgeon")
    NURSE = "nurse", _("Nurse")


STAFF_ROLES = (Role.PHYSIO, Role.CLINICIAN, Role.ADMIN)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Signs in with e-mail and password."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    clinician_kind = models.CharField(
        _("clinician kind"), max_length=16, choices=ClinicianKind.choices, blank=True, default=""
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django's flag; unused by Laminar's pages
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_care_staff(self) -> bool:
        """Staff who can be on a care team and see patients (physios and clinicians)."""
        return self.role in (Role.PHYSIO, Role.CLINICIAN)

    @property
    def can_enrol(self) -> bool:
        return self.role in (Role.CLINICIAN, Role.ADMIN)

    @property
    def role_label(self) -> str:
        if self.role == Role.CLINICIAN and self.clinician_kind:
            return str(ClinicianKind(self.clinician_kind).label)
        return str(Role(self.role).label) if self.role else ""


def pain_field(verbose_name: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        **kwargs,
    )


class Patient(models.Model):
    """A patient's clinical profile. Reached only through `tracker.auth.access`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    date_of_birth = models.DateField(_("date of birth"))
    surgery_date = models.DateField(_("date of surgery"))
    procedure = models.CharField(_("procedure"), max_length=200, default="Lumbar laminectomy")
    levels = models.CharField(_("levels"), max_length=50, help_text=_("For example L4–L5"))
    surgeon = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="operated_patients",
        null=True,
        blank=True,
        verbose_name=_("operating surgeon"),
    )
    baseline_back_pain = pain_field(_("back pain before surgery (0–10)"), null=True, blank=True)
    baseline_leg_pain = pain_field(_("leg pain before surgery (0–10)"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    care_team = models.ManyToManyField(
        User, through="CareTeamMember", related_name="caseload", blank=True
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_back_pain__lte=10)
                | models.Q(baseline_back_pain__isnull=True),
                name="patient_baseline_back_pain_range",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_leg_pain__lte=10)
                | models.Q(baseline_leg_pain__isnull=True),
                name="patient_baseline_leg_pain_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def name(self) -> str:
        return self.user.full_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime | None = None) -> date:
        """The patient's calendar day at `moment` (now by default), in their time zone."""
        return timezone.localtime(moment or timezone.now(), self.zone).date()

    def days_since_surgery(self, day: date | None = None) -> int:
        return ((day or self.local_date()) - self.surgery_date).days

    def weeks_since_surgery(self, day: date | None = None) -> int:
        return self.days_since_surgery(day) // 7


class CareTeamMember(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="memberships")
    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "staff"], name="one_membership_per_staff")
        ]

    def __str__(self) -> str:
        return f"{self.staff} on the care team of {self.patient}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link to set a password. Only the token's hash is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Invitation for {self.user}"

    @classmethod
    def issue(cls, user: User, created_by: User | None) -> tuple[Invitation, str]:
        """Create an invitation; returns it with the clear token (sent, never stored)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            token_hash=hash_token(token),
            user=user,
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        return invitation, token

    @classmethod
    def find_usable(cls, token: str) -> Invitation | None:
        return (
            cls.objects.usable().select_related("user").filter(token_hash=hash_token(token)).first()
        )
