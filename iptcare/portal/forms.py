"""The portal's forms: one small form per step, every field labelled, words a client in crisis can follow."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from iptcare.clients.models import Client, Substance
from iptcare.portal.actions import PASSWORD_MIN_LENGTH, validate_client_password
from iptcare.portal.models import InvitationMethod, PortalSettings

_LOGIN_NAME = re.compile(r"^[\w.@+-]{3,150}$")
SCALE = [(str(n), str(n)) for n in range(11)]


def language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]


class SignInForm(forms.Form):
    login_name = forms.CharField(
        label=_("Sign-in name"),
        max_length=150,
        help_text=_("Your e-mail address, or the name you chose."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=40,
        help_text=_("The 10 letters and numbers your care team gave you. Spaces and dashes do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def _password_help() -> str:
    return _(
        "At least %(count)d characters. A few words you will remember, like a short sentence, make a good password."
    ) % {"count": PASSWORD_MIN_LENGTH}


class NewPasswordMixin(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = _password_help()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", _("The two passwords are not the same. Please type them again."))
        elif first:
            try:
                validate_client_password(first)
            except ValidationError as error:
                self.add_error("new_password", error)
        return cleaned


class SetUpForm(NewPasswordMixin):
    """Choosing a sign-in name, a password and a language, from an invitation."""

    login_name = forms.CharField(
        label=_("Sign-in name"),
        max_length=150,
        help_text=_("Your e-mail address, or a name you will remember (no spaces)."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(label=_("Language"), widget=forms.RadioSelect)

    field_order = ["login_name", "new_password", "new_password_again", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()

    def clean_login_name(self) -> str:
        name = self.cleaned_data["login_name"].strip().lower()
        if not _LOGIN_NAME.match(name):
            raise ValidationError(_("Use 3 to 150 letters, numbers, and . @ + - or _ (no spaces)."))
        return name


class PasswordChangeForm(NewPasswordMixin):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["current_password", "new_password", "new_password_again"]

    def __init__(self, *args: Any, account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.account.check_password(value):
            raise ValidationError(_("That is not your current password."))
        return value


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), widget=forms.RadioSelect)
    wants_reminders = forms.BooleanField(
        label=_("E-mail me when something is waiting"),
        required=False,
        help_text=_("At most one e-mail a day. It never says what is waiting."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()


class CheckInForm(forms.Form):
    """The daily check-in: under a minute, and only the use question must be answered."""

    mood = forms.TypedChoiceField(
        label=_("How is your mood today?"),
        help_text=_("0 = very low, 10 = very good"),
        choices=SCALE,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    craving = forms.TypedChoiceField(
        label=_("How strong is your craving today?"),
        help_text=_("0 = none, 10 = the strongest"),
        choices=SCALE,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    used = forms.TypedChoiceField(
        label=_("Have you used alcohol or drugs today?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        error_messages={"required": _("Please answer yes or no.")},
    )
    substances = forms.MultipleChoiceField(
        label=_("What did you use?"),
        help_text=_("Only if you answered yes. Choose all that apply."),
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpersonal_event = forms.CharField(
        label=_("Did something happen with someone today?"),
        help_text=_("For example an argument, a loss, help from someone, or meeting someone new."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    person = forms.TypedChoiceField(label=_("Who was it?"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in client.people.order_by("name", "id")}
        self.fields["person"].choices = [
            ("", _("Someone else, or nobody")),
            *((pk, p.name) for pk, p in self.people.items()),
        ]
        # The client's own substances first: the answer they most likely need is at the top.
        own = [s for s in client.primary_substances if s in Substance.values]
        self.fields["substances"].choices = [
            *((s, Substance(s).label) for s in own),
            *((s, label) for s, label in Substance.choices if s not in own),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        used, substances = cleaned.get("used"), cleaned.get("substances") or []
        if used is True and not substances:
            self.add_error("substances", _("Please choose what you used."))
        if used is False:
            cleaned["substances"] = []
        return cleaned

    def check_in_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["person"] = self.people.get(data.get("person")) if data.get("person") else None
        return data


class HomeworkForm(forms.Form):
    done = forms.TypedChoiceField(
        label=_("Did you do it?"),
        choices=[("yes", _("Yes, I did it")), ("no", _("Not yet"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        error_messages={"required": _("Please choose one.")},
    )
    comment = forms.CharField(
        label=_("Anything to tell your therapist about it?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PortalSettingsForm(forms.ModelForm):
    """The organization admin's portal settings."""

    class Meta:
        model = PortalSettings
        fields = ["show_progress", "reminders_enabled", "quiet_from", "quiet_until", "idle_minutes"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "show_progress": _(
                "Mood from their check-ins, days without use and their current streak. Questionnaire scores are "
                "never shown to clients."
            ),
            "quiet_from": _("No reminder is e-mailed between these two times (the clinic's time zone)."),
            "idle_minutes": _("Between 5 and 120 minutes."),
        }

    def clean_idle_minutes(self) -> int:
        value = self.cleaned_data["idle_minutes"]
        if not 5 <= value <= 120:
            raise ValidationError(_("Choose between 5 and 120 minutes."))
        return value


class InvitationMethodForm(forms.Form):
    method = forms.ChoiceField(choices=InvitationMethod.choices)
