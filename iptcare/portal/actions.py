"""Changes made through the portal, by staff (invitations, access) or by the client (check-ins, questionnaires,
homework, their settings). Each is one audited transaction; e-mail leaves on commit.

The client acts without a staff user: their events carry actor_label "client:<identifier>" and the client.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.measures.actions import do_record_administration
from iptcare.measures.models import Administration, AlertRule, AnsweredBy
from iptcare.portal.auth import end_all_sessions, normalize_login_name
from iptcare.portal.models import (
    ClientAccount,
    ClientApiToken,
    HomeworkAnswer,
    InvitationMethod,
    PortalInvitation,
    PortalSettings,
    secret_digest,
)
from iptcare.substance_use.actions import do_record_check_in
from iptcare.substance_use.models import ANY_SUBSTANCE, CheckIn, UseDay

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client
    from iptcare.therapy.models import SessionNote

# Passphrases welcome: length and "not a common password", no rules about capitals or symbols (NIST SP 800-63B).
PASSWORD_MIN_LENGTH = 10
PASSWORD_VALIDATORS = (MinimumLengthValidator(PASSWORD_MIN_LENGTH), CommonPasswordValidator())
# Alerts after which the client is shown the crisis line at once and told their team will be in touch.
SAFETY_RULES = (AlertRule.PHQ9_ITEM9, AlertRule.CSSRS_HIGH)


def validate_client_password(password: str) -> None:
    validate_password(password, password_validators=list(PASSWORD_VALIDATORS))


def record_portal_view(account: ClientAccount, page: str, *, obj: Any = None) -> None:
    """Every portal page that shows client data is a read of the record, and audited as one."""
    record_event(
        EventType.PORTAL_VIEWED, client=account.client, actor_label=account.audit_label, obj=obj, extra={"page": page}
    )


# ---------------------------------------------------------------------------------------------------- invitations


def _invitation_digest(method: str, raw: str) -> str:
    return secret_digest(f"invitation.{method}", raw)


@transaction.atomic
def do_invite_client(client: Client, method: str, *, acting_user: User, base_url: str) -> tuple[PortalInvitation, str]:
    """A new invitation and its secret (the link's token, or the code), shown once. Older unused ones stop working.

    An e-mail invitation goes to the client's e-mail address on record and names nothing clinical.
    """
    if method == InvitationMethod.EMAIL and not client.email:
        raise ValidationError(_("The client has no e-mail address on record. Print a code instead."))
    now = timezone.now()
    withdrawn = PortalInvitation.objects.usable().filter(client=client).update(revoked_at=now)
    raw = secrets.token_urlsafe(32) if method == InvitationMethod.EMAIL else PortalInvitation.new_code()
    invitation = PortalInvitation.objects.create(
        client=client,
        method=method,
        digest=_invitation_digest(method, raw),
        created_by=acting_user,
        created_at=now,
        expires_at=now + PortalInvitation.VALID_FOR,
        sent_to=client.email if method == InvitationMethod.EMAIL else "",
    )
    record_event(
        EventType.PORTAL_INVITED,
        actor=acting_user,
        client=client,
        obj=invitation,
        extra={"method": method, "withdrew_earlier": withdrawn},
    )
    if method == InvitationMethod.EMAIL:
        link = base_url + reverse("portal_invitation", kwargs={"token": raw})
        language = _account_language(client)
        with translation.override(language):
            subject = _("Your invitation to the client portal")
            body = render_to_string(
                "portal/email/invitation.txt",
                {"link": link, "hours": int(PortalInvitation.VALID_FOR.total_seconds() // 3600)},
            )
        transaction.on_commit(lambda: send_mail(subject, body, None, [client.email], fail_silently=False))
    return invitation, raw


def _account_language(client: Client) -> str:
    account = ClientAccount.objects.filter(client=client).only("language").first()
    return account.language if account else translation.get_language() or "en"


def resolve_invitation(raw: str, method: str) -> PortalInvitation | None:
    """The usable invitation behind a link token or a typed code, or None (unknown, used, withdrawn or expired)."""
    if method == InvitationMethod.CODE:
        raw = PortalInvitation.normalize_code(raw)
    if not raw or len(raw) > 100:
        return None
    return (
        PortalInvitation.objects.usable()
        .select_related("client__organization")
        .filter(method=method, digest=_invitation_digest(method, raw))
        .first()
    )


def record_invitation_refused(method: str) -> None:
    record_event(EventType.PORTAL_INVITATION_REFUSED, actor_label="portal:invitation", extra={"method": method})


class InvitationUsed(Exception):
    """The invitation was used, withdrawn or expired between opening it and choosing the password."""


@transaction.atomic
def do_set_up_account(invitation: PortalInvitation, *, login_name: str, password: str, language: str) -> ClientAccount:
    """Create the client's account from an invitation, or reset its password when it exists. Works once.

    Resetting ends every other session of the account and lifts a lock-out.
    """
    locked = PortalInvitation.objects.select_for_update().usable().filter(pk=invitation.pk).first()
    if locked is None:
        raise InvitationUsed
    client = invitation.client
    name = normalize_login_name(login_name)
    if ClientAccount.objects.filter(login_name=name).exclude(client=client).exists():
        raise ValidationError({"login_name": _("This sign-in name is taken. Please choose another.")})
    validate_client_password(password)
    account = ClientAccount.objects.select_for_update().filter(client=client).first()
    created = account is None
    if account is None:
        account = ClientAccount(client=client)
    account.login_name = name
    account.language = language
    account.is_active = True
    account.failed_logins = 0
    account.locked_until = None
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError({"login_name": _("This sign-in name is taken. Please choose another.")}) from None
    if not created:
        end_all_sessions(account)
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    record_event(
        EventType.PORTAL_ACCOUNT_SET_UP,
        client=client,
        actor_label=account.audit_label,
        obj=locked,
        extra={"method": locked.method, "new_account": created},
    )
    return account


@transaction.atomic
def do_turn_off_access(account: ClientAccount, *, acting_user: User) -> ClientAccount:
    """Staff stop a client's portal access: every session and token ends; invitations waiting are withdrawn."""
    account.is_active = False
    account.save(update_fields=["is_active"])
    end_all_sessions(account)
    PortalInvitation.objects.usable().filter(client=account.client).update(revoked_at=timezone.now())
    record_event(EventType.PORTAL_ACCESS_TURNED_OFF, actor=acting_user, client=account.client, obj=account)
    return account


# -------------------------------------------------------------------------------------------- the client's account


@transaction.atomic
def do_change_password(account: ClientAccount, new_password: str) -> ClientAccount:
    """A new password; every other session ends (the caller keeps the current one going)."""
    validate_client_password(new_password)
    account.set_password(new_password)
    account.save(update_fields=["password", "password_changed_at"])
    end_all_sessions(account)
    record_event(EventType.PORTAL_PASSWORD_CHANGED, client=account.client, actor_label=account.audit_label)
    return account


@transaction.atomic
def do_sign_out_everywhere(account: ClientAccount) -> None:
    end_all_sessions(account)
    record_event(EventType.PORTAL_LOGOUT_EVERYWHERE, client=account.client, actor_label=account.audit_label)


@transaction.atomic
def do_save_preferences(account: ClientAccount, *, language: str, wants_reminders: bool) -> ClientAccount:
    before = {"language": account.language, "wants_reminders": account.wants_reminders}
    after = {"language": language, "wants_reminders": wants_reminders}
    changes = diff_fields(before, after)
    if changes:
        account.language, account.wants_reminders = language, wants_reminders
        account.save(update_fields=["language", "wants_reminders"])
        record_event(
            EventType.PORTAL_PREFERENCES_CHANGED,
            client=account.client,
            actor_label=account.audit_label,
            obj=account,
            changes=changes,
        )
    return account


@transaction.atomic
def do_create_client_token(account: ClientAccount, *, name: str) -> tuple[ClientApiToken, str]:
    raw = ClientApiToken.new_raw_token()
    now = timezone.now()
    token = ClientApiToken.objects.create(
        account=account,
        name=name[:100] or "app",
        token_digest=ClientApiToken.digest(raw),
        created_at=now,
        expires_at=now + ClientApiToken.VALID_FOR,
    )
    record_event(EventType.PORTAL_TOKEN_CREATED, client=account.client, actor_label=account.audit_label, obj=token)
    return token, raw


@transaction.atomic
def do_revoke_client_token(token: ClientApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        account = token.account
        record_event(EventType.PORTAL_TOKEN_REVOKED, client=account.client, actor_label=account.audit_label, obj=token)


# -------------------------------------------------------------------------------------------- the client's answers


@dataclass(frozen=True)
class Outcome:
    """What the client is told after answering. `support`: show the crisis line and supportive words at once.
    `team_will_call`: an alert went to the care team, so the page says they will be in touch."""

    support: bool
    team_will_call: bool


@transaction.atomic
def do_portal_check_in(account: ClientAccount, data: dict[str, Any]) -> tuple[CheckIn, Outcome]:
    """Today's check-in from the client (replacing an earlier one of today). A reported use raises the lapse alert
    through the check-in's own rules; the client gets the supportive message for any reported use."""
    client = account.client
    today = timezone.localdate()
    check_in, _created = do_record_check_in(client, {**data, "date": today}, acting_user=None)
    lapse_alert = UseDay.objects.filter(
        client=client, date=today, substance=ANY_SUBSTANCE, lapse_alert__isnull=False
    ).exists()
    outcome = Outcome(support=check_in.used, team_will_call=lapse_alert)
    record_event(
        EventType.PORTAL_CHECK_IN,
        client=client,
        actor_label=account.audit_label,
        obj=check_in,
        extra={"date": today.isoformat()},
    )
    if outcome.support:
        _record_support_shown(account, "check_in", alerted=outcome.team_will_call)
    return check_in, outcome


@transaction.atomic
def do_portal_questionnaire(
    account: ClientAccount, code: str, answers: dict[str, Any]
) -> tuple[Administration, Outcome]:
    """Store the client's answers, scored on the server like any other; the client is never shown a score."""
    client = account.client
    administration = do_record_administration(
        client, code, answers, answered_by=AnsweredBy.CLIENT_PORTAL, acting_user=None
    )
    rules = set(administration.alerts.values_list("rule", flat=True))
    safety = bool(rules.intersection(SAFETY_RULES))
    outcome = Outcome(support=safety, team_will_call=bool(rules))
    record_event(
        EventType.PORTAL_QUESTIONNAIRE,
        client=client,
        actor_label=account.audit_label,
        obj=administration,
        extra={"instrument": administration.instrument_code},
    )
    if safety:
        _record_support_shown(account, "questionnaire", alerted=True)
    return administration, outcome


def _record_support_shown(account: ClientAccount, after: str, *, alerted: bool) -> None:
    record_event(
        EventType.PORTAL_SUPPORT_SHOWN,
        client=account.client,
        actor_label=account.audit_label,
        extra={"after": after, "alerted": alerted},
    )


@transaction.atomic
def do_answer_homework(account: ClientAccount, note: SessionNote, *, done: bool, comment: str) -> HomeworkAnswer:
    if note.session.episode.client_id != account.client_id:
        raise ValidationError(_("This homework is not yours."))
    answer = HomeworkAnswer.objects.select_for_update().filter(note=note).first()
    before = {"done": answer.done, "comment": answer.comment} if answer else {}
    after = {"done": done, "comment": comment.strip()}
    now = timezone.now()
    if answer is None:
        answer = HomeworkAnswer(client=account.client, note=note, created_at=now)
    answer.done, answer.comment, answer.updated_at = done, comment.strip(), now
    answer.save()
    record_event(
        EventType.PORTAL_HOMEWORK,
        client=account.client,
        actor_label=account.audit_label,
        obj=answer,
        changes=diff_fields(before, after),
    )
    return answer


# ---------------------------------------------------------------------------------------------------- organization


@transaction.atomic
def do_save_portal_settings(organization_id: int, data: dict[str, Any], *, acting_user: User) -> PortalSettings:
    settings, _created = PortalSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    names = ("show_progress", "reminders_enabled", "quiet_from", "quiet_until", "idle_minutes")
    before = {name: getattr(settings, name) for name in names}
    for name in names:
        setattr(settings, name, data[name])
    settings.updated_by = acting_user
    settings.updated_at = timezone.now()
    settings.full_clean()
    settings.save()
    changes = diff_fields(before, {name: data[name] for name in names})
    record_event(EventType.PORTAL_SETTINGS_CHANGED, actor=acting_user, obj=settings, changes=changes)
    return settings
