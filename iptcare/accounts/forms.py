"""Forms for signing in, second factor, API tokens, staff and sites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import Role, Site, SupervisionLink, User
from iptcare.lib.validators import validate_phone


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail and password do not match an active account."),
    }


class TotpCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class ConfirmPasswordForm(forms.Form):
    """The password again, and the authenticator's code for people who have one, before a sensitive action."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class CheckboxesWithLockedChoices(forms.CheckboxSelectMultiple):
    """Checkboxes where some choices are always ticked and cannot be changed."""

    def __init__(self, *args: Any, locked: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.locked:
            option["attrs"] = {**option["attrs"], "disabled": True, "checked": True}
            option["selected"] = True
        return option


class SecuritySettingsForm(forms.Form):
    second_factor_roles = forms.MultipleChoiceField(
        label=_("Roles that must use two-step sign-in"),
        choices=Role.choices,
        required=False,
        widget=CheckboxesWithLockedChoices(locked=frozenset({Role.ADMIN.value})),
        help_text=_(
            "People with a ticked role set up an authenticator app at their next sign-in and give its code each "
            "time. Organization admins always must."
        ),
    )

    def clean_second_factor_roles(self) -> list[str]:
        return sorted({*self.cleaned_data["second_factor_roles"], Role.ADMIN.value})


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'reporting script'.")
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        choices=[(30, _("in 30 days")), (90, _("in 90 days")), (365, _("in a year")), (0, _("never"))],
        initial=90,
    )

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data["expires_in_days"]
        return timezone.now() + dt.timedelta(days=days) if days else None


class StaffForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person can hold several roles."),
    )
    home_site = forms.ModelChoiceField(label=_("Home site"), queryset=Site.objects.none(), required=False)
    supervisors = forms.ModelMultipleChoiceField(
        label=_("Clinical supervisors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Supervisors can read the records of the clients this person treats."),
    )

    def __init__(
        self, *args: Any, organization: Any, acting_user: User, staff: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.acting_user = acting_user
        self.staff = staff
        self.fields["home_site"].queryset = Site.objects.filter(organization=organization, is_active=True)
        supervisors = User.objects.filter(
            organization=organization, is_active=True, memberships__role=Role.SUPERVISOR
        ).distinct()
        if staff is not None:
            supervisors = supervisors.exclude(pk=staff.pk)
            self.initial.setdefault("full_name", staff.full_name)
            self.initial.setdefault("roles", sorted(staff.roles))
            self.initial.setdefault("home_site", staff.home_site_id)
            self.initial.setdefault(
                "supervisors",
                list(SupervisionLink.objects.filter(supervisee=staff).values_list("supervisor_id", flat=True)),
            )
        self.fields["supervisors"].queryset = supervisors

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if self.staff is not None and self.staff.pk == self.acting_user.pk and set(roles) != set(self.staff.roles):
            raise forms.ValidationError(_("Another admin must change your own roles."))
        return roles

    def clean_supervisors(self) -> Any:
        supervisors = self.cleaned_data["supervisors"]
        # Supervising someone opens their clients' records: an admin may not grant that to themself.
        if any(s.pk == self.acting_user.pk for s in supervisors):
            raise forms.ValidationError(_("Another admin must make you someone's supervisor."))
        return supervisors


class StaffInviteForm(StaffForm):
    email = forms.EmailField(label=_("E-mail"))
    field_order = ["email", "full_name", "roles", "home_site", "supervisors"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."))
        return email


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "phone", "is_active"]

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["phone"].validators.append(validate_phone)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Site.objects.filter(organization=self.organization, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Your organization already has a site with this name."))
        return name
