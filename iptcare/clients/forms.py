"""Forms for clients, care teams and people. The JSON API validates through the same forms."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import Site, User
from iptcare.clients.access import CARE_TEAM_ROLES, PRIMARY_THERAPIST_ROLES
from iptcare.clients.models import CareTeamMember, Client, Condition, Person, Substance, TeamRole
from iptcare.lib.validators import validate_phone

if TYPE_CHECKING:
    from iptcare.accounts.models import Organization

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


def staff_with_roles(organization: Organization, roles: tuple[str, ...]):
    return (
        User.objects.filter(organization=organization, is_active=True, memberships__role__in=roles)
        .distinct()
        .order_by("full_name")
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ClientForm(forms.ModelForm):
    primary_substances = forms.MultipleChoiceField(
        label=_("Primary substances"),
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    co_occurring_conditions = forms.MultipleChoiceField(
        label=_("Co-occurring conditions"),
        choices=Condition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Client
        fields = [
            "identifier",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex_at_birth",
            "gender_identity",
            "pronouns",
            "email",
            "phone",
            "address",
            "site",
            "status",
            "status_since",
            "primary_substances",
            "co_occurring_conditions",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "status_since": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "identifier": _("The program's record number; unique in your organization."),
            "status_since": _("The date the status took effect."),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # A client may stay at a site that has since closed; new choices are the open sites.
        self.fields["site"].queryset = Site.objects.filter(organization=organization).filter(
            Q(is_active=True) | Q(pk=self.instance.site_id)
        )
        self.fields["site"].empty_label = None
        self.fields["phone"].validators.append(validate_phone)

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"].strip()
        # The uniqueness constraint includes the organization, which is not a form field, so Django's
        # own unique check would skip it: check it here to give a message next to the field.
        taken = Client.objects.filter(organization=self.organization, identifier__iexact=identifier)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another client in your organization has this identifier."))
        return identifier

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(_("Enter a date of birth after 1900."))
        return born

    def clean_status_since(self) -> dt.date:
        since = self.cleaned_data["status_since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("The status date cannot be in the future."))
        return since

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        born, since = cleaned.get("date_of_birth"), cleaned.get("status_since")
        if born and since and since < born:
            self.add_error("status_since", _("The status date cannot be before the date of birth."))
        return cleaned


class ClientCreateForm(ClientForm):
    primary_therapist = forms.ModelChoiceField(
        label=_("Primary therapist"),
        queryset=User.objects.none(),
        help_text=_("A therapist or counsellor who will lead this client's care."),
    )

    def __init__(self, *args: Any, organization: Organization, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["primary_therapist"].queryset = staff_with_roles(organization, PRIMARY_THERAPIST_ROLES)
        if acting_user.has_role(*PRIMARY_THERAPIST_ROLES):
            self.fields["primary_therapist"].initial = acting_user.pk
        if acting_user.home_site_id:
            self.fields["site"].initial = acting_user.home_site_id


class CareTeamMemberForm(forms.Form):
    """Adds someone to the team. Naming a new primary therapist is a deliberate "Change role" of a member,
    never a side effect of adding someone."""

    user = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    team_role = forms.ChoiceField(
        label=_("Role on the team"),
        choices=[("", _("Choose a role")), *[c for c in TeamRole.choices if c[0] != TeamRole.PRIMARY_THERAPIST]],
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        on_team = CareTeamMember.objects.filter(client=client).values("user_id")
        self.fields["user"].queryset = staff_with_roles(client.organization, CARE_TEAM_ROLES).exclude(pk__in=on_team)


class CareTeamRoleForm(forms.Form):
    team_role = forms.ChoiceField(label=_("Role on the team"), choices=TeamRole.choices)

    def __init__(self, *args: Any, member: CareTeamMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_team_role(self) -> str:
        team_role = self.cleaned_data["team_role"]
        member = self.member
        if team_role == TeamRole.PRIMARY_THERAPIST and not member.user.has_role(*PRIMARY_THERAPIST_ROLES):
            raise forms.ValidationError(_("The primary therapist must be a therapist or a counsellor."))
        if member.team_role == TeamRole.PRIMARY_THERAPIST and team_role != TeamRole.PRIMARY_THERAPIST:
            raise forms.ValidationError(_("Make someone else the primary therapist first; a client always has one."))
        return team_role


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "relationship_type", "phone", "email", "is_support_contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": _("A first name or an alias the client is comfortable with."),
            "is_support_contact": _("Someone the client can call for support; shown in their plan later."),
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["phone"].validators.append(validate_phone)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Person.objects.filter(client=self.client, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This client already has someone recorded with that name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Only when both fields are otherwise valid: an invalid number already has its own message.
        reachable = cleaned.get("phone") or cleaned.get("email")
        if (
            cleaned.get("is_support_contact")
            and not reachable
            and not self.has_error("phone")
            and not self.has_error("email")
        ):
            self.add_error("phone", _("A support contact needs a phone number or an e-mail address."))
        return cleaned


def form_values(instance: Any, form_class: type[forms.ModelForm]) -> dict[str, Any]:
    """An instance's current values keyed by the form's fields, as a form would receive them.

    The API's PATCH merges the changed fields into these, so partial updates run the full validation.
    """
    values: dict[str, Any] = {}
    for name in form_class._meta.fields:
        value = getattr(instance, name)
        if hasattr(value, "pk"):
            value = value.pk
        values[name] = value
    return values
