"""Forms for a group, its members, its sessions' attendance and its notes.

The rules live in the actions (the *_errors functions); the forms run them too, so each problem shows next to its
field before anything is saved. The JSON API validates through the same rules.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import Site, User
from iptcare.clients.forms import DateInput
from iptcare.clients.models import Client
from iptcare.groups.access import FACILITATOR_ROLES
from iptcare.groups.actions import (
    cancel_errors,
    capacity_errors,
    creator_errors,
    facilitator_errors,
    leave_errors,
    local_start,
    schedule_errors,
)
from iptcare.groups.actions_notes import member_note_errors, technique_errors
from iptcare.groups.models import (
    CAPACITY_RANGE,
    AttendanceStatus,
    GroupCancelledBy,
    GroupMember,
    GroupNote,
    MemberNote,
    TherapyGroup,
)
from iptcare.therapy.forms import RuleFormMixin, TimeInput, team_therapists
from iptcare.therapy.models import MINUTES_RANGE, Technique

if TYPE_CHECKING:
    from iptcare.ipt.models import Episode


class GroupForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = TherapyGroup
        fields = [
            "name",
            "site",
            "facilitator",
            "co_facilitator",
            "weekday",
            "start_time",
            "start_date",
            "session_minutes",
            "capacity",
            "status",
        ]
        widgets = {"start_time": TimeInput(), "start_date": DateInput()}
        help_texts = {
            "start_date": _("The day of the first group session; it falls on the group's day of the week."),
            "session_minutes": _("WHO Group IPT sessions last about 90 minutes (to verify)."),
            "capacity": _(
                "WHO Group IPT suggests about 6 to 10 members (to verify). Nobody is added beyond the capacity."
            ),
            "co_facilitator": _("A group has one or two facilitators."),
        }

    def __init__(self, *args: Any, organization_id: int, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id = organization_id
        self.acting_user = acting_user
        self.creating = self.instance.pk is None
        self.fields["site"].queryset = Site.objects.filter(organization_id=organization_id, is_active=True)
        facilitators = (
            User.objects.filter(
                organization_id=organization_id, is_active=True, memberships__role__in=FACILITATOR_ROLES
            )
            .distinct()
            .order_by("full_name")
        )
        self.fields["facilitator"].queryset = facilitators
        self.fields["co_facilitator"].queryset = facilitators
        self.fields["co_facilitator"].empty_label = _("No co-facilitator")
        self.fields["capacity"].widget.attrs.update(min=CAPACITY_RANGE[0], max=CAPACITY_RANGE[1])
        self.fields["session_minutes"].widget.attrs.update(min=MINUTES_RANGE[0], max=MINUTES_RANGE[1])
        if self.creating:
            # A new group is forming; its status changes on the edit page.
            del self.fields["status"]
            if acting_user.has_role(*FACILITATOR_ROLES):
                self.fields["facilitator"].initial = acting_user.pk
            if acting_user.home_site_id:
                self.fields["site"].initial = acting_user.home_site_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        facilitator, co_facilitator = cleaned.get("facilitator"), cleaned.get("co_facilitator")
        errors = schedule_errors(weekday=cleaned.get("weekday"), start_date=cleaned.get("start_date"))
        errors |= facilitator_errors(facilitator, co_facilitator, self.organization_id)
        if self.creating:
            errors |= creator_errors(self.acting_user, facilitator, co_facilitator)
        else:
            current = GroupMember.objects.filter(group=self.instance).current().count()
            errors |= capacity_errors(cleaned.get("capacity"), current)
        self.add_rule_errors(errors)
        return cleaned


class MemberAddForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        help_text=_("Clients on your care teams. Their group episode is linked, or opened now."),
        error_messages={"required": _("Choose the client to add."), "invalid_choice": _("Choose one of the list.")},
    )
    joined_on = forms.DateField(label=_("Joins on"), widget=DateInput(), initial=timezone.localdate)
    problem_area = forms.CharField(
        label=_("Problem area for the group"),
        max_length=200,
        required=False,
        help_text=_("Leave blank to take it from the client's formulation, when there is one."),
    )
    goal = forms.CharField(
        label=_("Goal for the group"),
        max_length=300,
        required=False,
        help_text=_("Leave blank to take it from the client's formulation, when there is one."),
    )

    def __init__(self, *args: Any, group: TherapyGroup, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        in_group = GroupMember.objects.filter(group=group).current().values("client_id")
        self.fields["client"].queryset = (
            Client.objects.openable_by(acting_user, write=True).exclude(pk__in=in_group).order_by("family_name")
        )
        self.fields["client"].label_from_instance = lambda c: f"{c.display_name} ({c.identifier})"


class MemberForm(forms.ModelForm):
    class Meta:
        model = GroupMember
        fields = ["problem_area", "goal"]


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Reason for leaving"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for leaving.")},
    )

    def __init__(self, *args: Any, member: GroupMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        errors = leave_errors(self.member, left_on=cleaned.get("left_on"), reason=cleaned.get("reason") or "")
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class PregroupForm(forms.Form):
    """The pre-group individual meeting: one of the client's therapists meets them before the group starts."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=MINUTES_RANGE[0], max_value=MINUTES_RANGE[1], initial=50
    )
    therapist = forms.ModelChoiceField(label=_("With"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, episode: Episode, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        therapists = team_therapists(episode)
        self.fields["therapist"].queryset = therapists
        mine = therapists.filter(pk=acting_user.pk).exists()
        self.fields["therapist"].initial = acting_user.pk if mine else episode.primary_therapist_id

    def start(self) -> dt.datetime:
        return local_start(self.cleaned_data["date"], self.cleaned_data["time"])


class CancelForm(forms.Form):
    cancelled_by = forms.ChoiceField(
        label=_("Who cancelled"), choices=GroupCancelledBy.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        errors = cancel_errors(cancelled_by=cleaned.get("cancelled_by") or "", reason=cleaned.get("reason") or "")
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class AttendanceForm(forms.Form):
    """One choice per member of the group on the session's day: attended, absent or excused."""

    def __init__(self, *args: Any, members: list[GroupMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            name = member.client.display_name
            self.fields[self.field_name(member)] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Record attended, absent or excused for %(name)s.") % {"name": name}},
            )

    @staticmethod
    def field_name(member: GroupMember) -> str:
        return f"member_{member.pk}"

    def rows(self) -> list[tuple[GroupMember, forms.BoundField]]:
        return [(member, self[self.field_name(member)]) for member in self.members]

    def statuses(self) -> dict[int, str]:
        return {member.pk: self.cleaned_data[self.field_name(member)] for member in self.members}


class GroupNoteForm(RuleFormMixin, forms.ModelForm):
    techniques = forms.MultipleChoiceField(
        label=_("Techniques used"),
        choices=Technique.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The last three are not IPT: a note that records one is flagged for supervision."),
    )

    class Meta:
        model = GroupNote
        fields = ["worked_on", "themes", "techniques", "observations"]
        widgets = {
            "worked_on": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.Textarea(attrs={"rows": 3}),
            "observations": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "worked_on": _(
                "About the group as a whole. Every member's care team may read this note: write what concerns one "
                "member in their own note below."
            ),
            "themes": _("e.g. role transitions after leaving treatment, disputes at home, loneliness."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(technique_errors(cleaned.get("techniques") or []))
        return cleaned


class MemberNoteForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = MemberNote
        fields = ["worked_on", "mood", "risk_flag", "risk_notes"]
        widgets = {
            "worked_on": forms.Textarea(attrs={"rows": 2}),
            "mood": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "risk_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "mood": _("0 = very low, 10 = very good."),
            "risk_notes": _("Needed when a risk was noticed: what was noticed, and what was done."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            member_note_errors(
                mood=cleaned.get("mood"),
                risk_flag=bool(cleaned.get("risk_flag")),
                risk_notes=cleaned.get("risk_notes") or "",
            )
        )
        return cleaned


class SignForm(forms.Form):
    signature = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("Signing locks the group note, its member notes and the session's attendance."),
    )
