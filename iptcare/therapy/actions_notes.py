"""Writing, signing, amending and co-signing a session note, and the organization's note settings.

Each do_* function is one audited transaction that locks the episode row first (see actions.py). A signed note is
refused with a ValidationError whose code is "locked"; the database refuses it too (triggers.py), so no path —
page, API, console or a bug — changes a signed note. Corrections are amendments, which keep the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import SupervisionLink
from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.ipt.models import DisputeStage, ProblemArea, ProblemAreaKind
from iptcare.therapy.access import check_may_write_note, supervises
from iptcare.therapy.actions import lock_session
from iptcare.therapy.models import (
    NON_IPT_TECHNIQUES,
    RISK_NEEDING_NOTES,
    AmendableField,
    InterpersonalIncident,
    NoteAmendment,
    NoteSettings,
    RiskReview,
    SessionNote,
    SessionStatus,
    Technique,
    TherapySession,
)
from iptcare.therapy.prefill import prefill_for

if TYPE_CHECKING:
    from iptcare.accounts.models import User

NOTE_FIELDS = (
    "interval_history",
    "mood",
    "use_days",
    "use_summary",
    "problem_area",
    "dispute_stage",
    "techniques",
    "homework_reviewed",
    "homework_set",
    "risk_review",
    "risk_notes",
    "next_session_plan",
)
# The fields the pre-fill gives a starting value; changing one of them makes the values the therapist's own.
PREFILLED_FIELDS = ("mood", "use_days", "use_summary")
INCIDENT_FIELDS = ("person", "what_happened", "affect", "communication_analysis")


def locked_message() -> str:
    return _("The note is signed and locked. To correct or add to it, write an amendment: the original stays.")


# ---------------------------------------------------------------------------------------------------- rules


def note_errors(
    *,
    problem_area: ProblemArea | None,
    dispute_stage: str,
    techniques: list[str],
    risk_review: str,
    risk_notes: str,
    mood: int | None,
) -> dict[str, str]:
    """What a draft may not say (the forms show these next to their fields)."""
    errors: dict[str, str] = {}
    is_dispute = problem_area is not None and problem_area.kind == ProblemAreaKind.ROLE_DISPUTE
    if dispute_stage and not is_dispute:
        errors["dispute_stage"] = _("Only a role dispute has a stage: choose the role dispute as the focus first.")
    if dispute_stage and dispute_stage not in DisputeStage.values:
        errors["dispute_stage"] = _("Choose renegotiation, impasse or dissolution.")
    unknown = [t for t in techniques if t not in Technique.values]
    if unknown:
        errors["techniques"] = _("Not a technique on the list: %(names)s.") % {"names": ", ".join(unknown)}
    if risk_review and risk_review not in RiskReview.values:
        errors["risk_review"] = _("Choose one of the risk levels.")
    if risk_review in RISK_NEEDING_NOTES and not risk_notes.strip():
        errors["risk_notes"] = _("A moderate or high risk needs a note of what was found and what was done.")
    if mood is not None and not 0 <= mood <= 10:
        errors["mood"] = _("Mood is 0 (very low) to 10 (very good).")
    return errors


def sign_errors(note: SessionNote) -> dict[str, str]:
    """What a note needs before it is signed: the interval history, a risk review, and the dispute's stage."""
    errors: dict[str, str] = {}
    if not note.interval_history.strip():
        errors["interval_history"] = _("Write the interval history (since we last met) before signing.")
    if not note.risk_review:
        errors["risk_review"] = _("Record the risk review before signing, even when there are no risk indicators.")
    area = note.problem_area
    if area is not None and area.kind == ProblemAreaKind.ROLE_DISPUTE and not note.dispute_stage:
        errors["dispute_stage"] = _("Give the stage of the role dispute before signing.")
    return errors


def own_name_message(user: User) -> str:
    return _("Type your own full name as it is on your account: %(name)s.") % {"name": user.full_name}


def same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------- drafts


@transaction.atomic
def do_save_note_draft(session: TherapySession, data: dict[str, Any], *, acting_user: User) -> SessionNote:
    """Create or change the draft. `data` holds any of NOTE_FIELDS; the others keep their value."""
    session = _writable_session(session, acting_user)
    note, created = _draft_of(session, acting_user, record_creation=False)
    before = {} if created else _values(note)
    prefill = prefill_for(session) if created else None
    _apply(note, data)
    _check_note(note, session)
    note.flagged_for_supervision = any(t in NON_IPT_TECHNIQUES for t in note.techniques)
    after = _values(note)
    if prefill is not None and prefill.has_values:
        same_as_prefill = all(after[name] == value for name, value in prefill.initial().items())
        note.prefill_source = prefill.source if same_as_prefill else ""
    elif any(before.get(name) != after[name] for name in PREFILLED_FIELDS):
        note.prefill_source = ""
    changes = diff_fields(before, _without_blanks(after) if created else after)
    if not changes and not created:
        return note
    note.updated_at = timezone.now()
    note.save()
    _record(EventType.NOTE_CHANGED, note, acting_user, changes, kind="draft", created=created)
    return note


@transaction.atomic
def do_add_incident(session: TherapySession, data: dict[str, Any], *, acting_user: User) -> InterpersonalIncident:
    session = _writable_session(session, acting_user)
    note, _created = _draft_of(session, acting_user, record_creation=True)
    incident = InterpersonalIncident(note=note)
    for name in INCIDENT_FIELDS:
        if name in data:
            setattr(incident, name, data[name] if data[name] is not None else "")
    errors: dict[str, str] = {}
    if incident.person_id is None or incident.person.client_id != session.episode.client_id:
        errors["person"] = _("Choose one of the client's people.")
    if not incident.what_happened.strip():
        errors["what_happened"] = _("Say what happened.")
    _raise(errors)
    incident.save()
    changes = diff_fields({}, _without_blanks({name: getattr(incident, name) for name in INCIDENT_FIELDS}))
    _record(EventType.NOTE_CHANGED, note, acting_user, changes, kind="incident_added", incident_id=incident.pk)
    return incident


@transaction.atomic
def do_remove_incident(session: TherapySession, incident: InterpersonalIncident, *, acting_user: User) -> None:
    session = _writable_session(session, acting_user)
    note = SessionNote.objects.filter(session=session).first()
    if note is None or incident.note_id != note.pk:
        raise ValidationError(_("This incident is not part of this note."))
    if note.is_signed:
        raise ValidationError(locked_message(), code="locked")
    removed = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
    incident_id = incident.pk
    incident.delete()
    changes = diff_fields(removed, dict.fromkeys(INCIDENT_FIELDS))
    _record(EventType.NOTE_CHANGED, note, acting_user, changes, kind="incident_removed", incident_id=incident_id)


# ---------------------------------------------------------------------------------------------------- signatures


@transaction.atomic
def do_sign_note(session: TherapySession, *, signature: str, acting_user: User) -> SessionNote:
    """The therapist types their own full name; the note is then locked. When the organization requires it and the
    therapist has a clinical supervisor, the note then waits for the supervisor's co-signature."""
    session = _writable_session(session, acting_user)
    note = SessionNote.objects.select_related("problem_area").filter(session=session).first()
    if note is None:
        raise ValidationError(_("Write the note before signing it."))
    if note.is_signed:
        raise ValidationError(_("The note is already signed."), code="locked")
    signature = " ".join(signature.split())
    errors = sign_errors(note)
    if not signature:
        errors["signature"] = _("Type your full name to sign.")
    elif not same_name(signature, acting_user.full_name):
        # The typed name stands for the person signed in: it has to be theirs.
        errors["signature"] = own_name_message(acting_user)
    _raise(errors)
    settings = NoteSettings.for_organization(session.episode.organization_id)
    note.signature, note.signed_by, note.signed_at = signature, acting_user, timezone.now()
    note.cosign_required = (
        settings.require_cosign_for_supervised
        and SupervisionLink.objects.filter(supervisee=acting_user, supervisor__is_active=True).exists()
    )
    note.save(update_fields=["signature", "signed_by", "signed_at", "cosign_required"])
    _record(
        EventType.NOTE_SIGNED,
        note,
        acting_user,
        {"signed_at": [None, note.signed_at.isoformat()]},
        signature=signature,
        cosign_required=note.cosign_required,
    )
    _carry_dispute_stage(note, session, acting_user)
    return note


def _carry_dispute_stage(note: SessionNote, session: TherapySession, acting_user: User) -> None:
    """A signed note that puts the role dispute at another stage moves the formulation's stage, so the dispute's
    stage history (IPT-DOMAIN §2) follows the sessions. A stage the history cannot take (dated before its latest
    change) stays in the note only."""
    from iptcare.ipt.actions_formulation import do_change_dispute_stage
    from iptcare.ipt.models import ProblemAreaKind

    area = note.problem_area
    if area is None or area.kind != ProblemAreaKind.ROLE_DISPUTE or not note.dispute_stage:
        return
    if note.dispute_stage == area.dispute_stage:
        return
    day = timezone.localtime(session.scheduled_start).date()
    try:
        with transaction.atomic():
            do_change_dispute_stage(
                area,
                stage=note.dispute_stage,
                changed_on=day,
                note=_("From the note of the session on %(date)s.") % {"date": day.isoformat()},
                acting_user=acting_user,
            )
    except ValidationError:
        return


@transaction.atomic
def do_cosign_note(session: TherapySession, *, signature: str, acting_user: User) -> SessionNote:
    """A supervisor of the therapist who signed adds their typed name. The note stays locked."""
    session = lock_session(session)
    note = SessionNote.objects.select_related("signed_by").filter(session=session).first()
    if note is None or not note.is_signed:
        raise ValidationError(_("The note is co-signed after the therapist has signed it."))
    if not note.cosign_required:
        raise ValidationError(_("This note does not need a co-signature."))
    if note.cosigned_at is not None:
        raise ValidationError(_("This note is already co-signed."), code="locked")
    if not supervises(acting_user, note.signed_by_id):
        raise PermissionDenied(_("Only a clinical supervisor of the therapist who signed co-signs this note."))
    signature = " ".join(signature.split())
    if not same_name(signature, acting_user.full_name):
        raise ValidationError({"signature": own_name_message(acting_user)})
    note.cosignature, note.cosigned_by, note.cosigned_at = signature, acting_user, timezone.now()
    note.save(update_fields=["cosignature", "cosigned_by", "cosigned_at"])
    _record(
        EventType.NOTE_SIGNED,
        note,
        acting_user,
        {"cosigned_at": [None, note.cosigned_at.isoformat()]},
        signature=signature,
        cosignature=True,
    )
    return note


# ---------------------------------------------------------------------------------------------------- amendments


@transaction.atomic
def do_amend_note(session: TherapySession, *, field: str, text: str, reason: str, acting_user: User) -> NoteAmendment:
    session = _writable_session(session, acting_user, attended=False)
    note = SessionNote.objects.filter(session=session).first()
    if note is None or not note.is_signed:
        raise ValidationError(_("A draft is changed directly; amendments are for signed notes."))
    errors: dict[str, str] = {}
    if field not in AmendableField.values:
        errors["field"] = _("Choose the part of the note the amendment is about.")
    if not text.strip():
        errors["text"] = _("Write the amendment.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the amendment.")
    _raise(errors)
    amendment = NoteAmendment.objects.create(
        note=note, field=field, text=text.strip(), reason=reason.strip(), amended_by=acting_user
    )
    record_event(
        EventType.NOTE_AMENDED,
        actor=acting_user,
        client=session.episode.client,
        obj=note,
        reason=amendment.reason,
        extra={"session_id": session.pk, "field": field, "text": amendment.text, "amendment_id": amendment.pk},
    )
    return amendment


# ---------------------------------------------------------------------------------------------------- settings


@transaction.atomic
def do_save_note_settings(
    organization_id: int, *, require_cosign_for_supervised: bool, acting_user: User
) -> NoteSettings:
    settings, _created = NoteSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    before = {"require_cosign_for_supervised": settings.require_cosign_for_supervised}
    settings.require_cosign_for_supervised = require_cosign_for_supervised
    settings.updated_by = acting_user
    settings.updated_at = timezone.now()
    settings.save()
    record_event(
        EventType.NOTE_SETTINGS_CHANGED,
        actor=acting_user,
        obj=settings,
        changes=diff_fields(before, {"require_cosign_for_supervised": require_cosign_for_supervised}),
        extra={"kind": "settings"},
    )
    return settings


# ---------------------------------------------------------------------------------------------------- helpers


def _writable_session(session: TherapySession, acting_user: User, *, attended: bool = True) -> TherapySession:
    session = lock_session(session)
    check_may_write_note(acting_user, session)
    if attended and session.status != SessionStatus.ATTENDED:
        raise ValidationError(_("A note is written for an attended session: mark the session attended first."))
    return session


def _draft_of(session: TherapySession, acting_user: User, *, record_creation: bool) -> tuple[SessionNote, bool]:
    """The session's note, refused when signed; a new draft (unsaved unless `record_creation`) when there is none."""
    note = SessionNote.objects.select_related("problem_area").filter(session=session).first()
    if note is not None:
        if note.is_signed:
            raise ValidationError(locked_message(), code="locked")
        note.session = session
        return note, False
    note = SessionNote(session=session, author=acting_user)
    if record_creation:
        note.save()
        _record(EventType.NOTE_CHANGED, note, acting_user, None, kind="draft", created=True)
    return note, True


def _apply(note: SessionNote, data: dict[str, Any]) -> None:
    for name in NOTE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "techniques":
            value = [t for t in Technique.values if t in (value or [])] + [
                t for t in (value or []) if t not in Technique.values
            ]
        elif value is None and isinstance(note._meta.get_field(name), models.CharField | models.TextField):
            value = ""
        setattr(note, name, value)


def _check_note(note: SessionNote, session: TherapySession) -> None:
    area = note.problem_area
    errors = note_errors(
        problem_area=area,
        dispute_stage=note.dispute_stage,
        techniques=note.techniques,
        risk_review=note.risk_review,
        risk_notes=note.risk_notes,
        mood=note.mood,
    )
    if area is not None and area.formulation.episode_id != session.episode_id:
        errors["problem_area"] = _("Choose one of this episode's problem areas.")
    _raise(errors)


def _values(note: SessionNote) -> dict[str, Any]:
    values = {name: getattr(note, name) for name in NOTE_FIELDS if name != "problem_area"}
    values["problem_area"] = note.problem_area_id
    return values


def _without_blanks(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value not in ("", None, [])}


def _record(
    event_type: EventType,
    note: SessionNote,
    acting_user: User,
    changes: dict[str, list[Any]] | None,
    **extra: Any,
) -> None:
    session = note.session
    record_event(
        event_type,
        actor=acting_user,
        client=session.episode.client,
        obj=note,
        changes=changes,
        extra={"session_id": session.pk, "episode_id": session.episode_id, **extra},
    )
