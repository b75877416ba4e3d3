"""Forms for writing a counselling note, signing it and adding an addendum. The rules are in actions.py
(`note_errors`), so the pages and the API report the same problems on the same fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.counselling.actions import note_errors, sessions_for_notes
from iptcare.counselling.models import EXCLUDED_FROM_COUNSELLING_NOTES, CounsellingNote
from iptcare.therapy.models import TherapySession

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Long enough for any note; a bound keeps one form post from being unreasonable.
TEXT_MAX_LENGTH = 20_000


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TherapySession) -> str:
        when = timezone.localtime(obj.scheduled_start)
        return f"{when:%Y-%m-%d %H:%M} — {obj.get_kind_display()}"


class NoteForm(forms.Form):
    session = SessionChoiceField(
        label=_("Session"),
        queryset=TherapySession.objects.none(),
        required=False,
        empty_label=_("No session in the list: give the date below"),
        help_text=_("The individual or group session the conversation took place in."),
    )
    held_on = forms.DateField(
        label=_("Date of the conversation"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Needed only when no session is chosen. With a session, the note takes the session's date."),
    )
    text = forms.CharField(
        label=_("Counselling note"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=EXCLUDED_FROM_COUNSELLING_NOTES,
        error_messages={"required": _("Write the note.")},
    )

    def __init__(self, *args: Any, client: Any, note: CounsellingNote | None = None, **kwargs: Any) -> None:
        if note is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "session": note.session_id,
                "held_on": None if note.session_id else note.held_on,
                "text": note.text,
            }
        super().__init__(*args, **kwargs)
        self.client, self.note = client, note
        keep = note.session if note is not None else None
        ids = [session.pk for session in sessions_for_notes(client, keep=keep)]
        field = self.fields["session"]
        field.queryset = (
            TherapySession.objects.filter(pk__in=ids).select_related("episode").order_by("-scheduled_start", "-id")
        )

    def clean(self) -> dict[str, Any]:
        """The note's rules (actions.note_errors), reported with the field errors so everything shows at once."""
        cleaned = super().clean()
        if "session" in self.errors or "held_on" in self.errors:
            return cleaned
        for name, message in note_errors(self.client, {"text": "-", **cleaned}, current=self.note).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


class SignForm(forms.Form):
    signature = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("Signing locks the note: nothing in it changes any more. Later corrections are addenda."),
        error_messages={"required": _("Type your full name to sign.")},
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the addendum.")},
        help_text=_("Shown below the signed note with your name and the time; the note itself stays as signed."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a correction: what was wrong. An addition needs no reason."),
    )
