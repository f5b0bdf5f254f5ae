"""Forms for enrolment, staff and clinic management, and sign-in."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tracker.models import Clinic, ClinicianKind, Role, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_username(self) -> str:
        # Addresses are stored in lower case; phone keyboards capitalise the first letter.
        return self.cleaned_data["username"].strip().lower()


class SetPasswordFromInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A short sentence is easy to remember."),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords are not the same."))
        if p2:
            password_validation.validate_password(p2, self.user)
        return p2


ALREADY_HERE = _("Someone with this e-mail address already has an account at this clinic.")


class EnrolPatientForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    surgery_date = forms.DateField(
        label=_("Date of surgery"), widget=forms.DateInput(attrs={"type": "date"})
    )
    procedure = forms.CharField(label=_("Procedure"), max_length=200, initial="Lumbar laminectomy")
    levels = forms.CharField(label=_("Levels"), max_length=50, help_text=_("For example L4–L5"))
    surgeon = forms.ModelChoiceField(
        label=_("Operating surgeon"), queryset=User.objects.none(), required=False
    )
    baseline_back_pain = forms.IntegerField(
        label=_("Back pain before surgery (0–10)"), min_value=0, max_value=10, required=False
    )
    baseline_leg_pain = forms.IntegerField(
        label=_("Leg pain before surgery (0–10)"), min_value=0, max_value=10, required=False
    )
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)
    care_team = forms.ModelMultipleChoiceField(
        label=_("Care team"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The staff who may see this patient's data."),
    )

    def __init__(self, clinic: Clinic, today: date, *args, **kwargs):
        self.clinic = clinic
        self.today = today
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(clinic=clinic, is_active=True)
        self.fields["surgeon"].queryset = staff.filter(
            role=Role.CLINICIAN, clinician_kind=ClinicianKind.SURGEON
        )
        self.fields["care_team"].queryset = staff.filter(role__in=[Role.PHYSIO, Role.CLINICIAN])
        self.fields["time_zone"].initial = clinic.time_zone

    def clean_email(self) -> str:
        # Only this clinic's accounts are named: an address known elsewhere is handled by
        # the enrolment itself, which tells its owner and not the staff (tracker.care.enrolment).
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email, clinic=self.clinic).exists():
            raise forms.ValidationError(ALREADY_HERE)
        return email

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        if value >= self.today or value.year < 1900:
            raise forms.ValidationError(_("Enter a date of birth in the past."))
        return value

    def clean_surgery_date(self) -> date:
        value = self.cleaned_data["surgery_date"]
        if (value - self.today).days > 60 or (self.today - value).days > 5 * 365:
            raise forms.ValidationError(
                _("Enter a surgery date within the last five years or the next two months.")
            )
        return value

    def clean_time_zone(self) -> str:
        import zoneinfo

        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Enter a time zone such as Europe/London."))
        return value


class CareTeamForm(forms.Form):
    care_team = forms.ModelMultipleChoiceField(
        label=_("Care team"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, clinic: Clinic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_team"].queryset = User.objects.filter(
            clinic=clinic, is_active=True, role__in=[Role.PHYSIO, Role.CLINICIAN]
        )


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.PHYSIO, Role.PHYSIO.label),
            (Role.CLINICIAN, Role.CLINICIAN.label),
            (Role.ADMIN, Role.ADMIN.label),
        ],
    )
    clinician_kind = forms.ChoiceField(
        label=_("For clinicians"),
        choices=[
            (ClinicianKind.SURGEON, ClinicianKind.SURGEON.label),
            (ClinicianKind.NURSE, ClinicianKind.NURSE.label),
        ],
        required=False,
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                _("Someone with this e-mail address already has an account.")
            )
        return email

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.CLINICIAN and not data.get("clinician_kind"):
            self.add_error("clinician_kind", _("Choose surgeon or nurse."))
        if data.get("role") != Role.CLINICIAN:
            data["clinician_kind"] = ""
        return data


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = [
            "name",
            "time_zone",
            "emergency_number",
            "surgical_team_phone",
            "out_of_hours_phone",
            "crisis_line",
        ]
