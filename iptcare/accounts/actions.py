"""Changes to staff accounts, roles, sites and API tokens, each audited in its own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from iptcare.accounts.models import (
    Membership,
    Organization,
    PersonalAccessToken,
    Role,
    SecuritySettings,
    Site,
    SupervisionLink,
    User,
)
from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType


def invitation_path(user: User) -> str:
    """The path where an invited person sets their password (Django's one-time reset token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def do_invite_staff(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    roles: Iterable[str],
    home_site: Site | None,
    supervisors: Iterable[User] = (),
    acting_user: User,
    base_url: str,
) -> User:
    user = User.objects.create_user(email=email, full_name=full_name, organization=organization, home_site=home_site)
    _set_roles(user, roles)
    _set_supervisors(user, supervisors)
    record_event(
        EventType.STAFF_INVITED,
        actor=acting_user,
        obj=user,
        extra={"email": user.email, "roles": sorted(roles)},
    )
    _send_invitation(user, base_url)
    return user


@transaction.atomic
def do_resend_invitation(user: User, *, acting_user: User, base_url: str) -> User:
    if user.has_usable_password() or not user.is_active:
        raise ValidationError(_("Only active staff who have not yet chosen a password can be invited again."))
    record_event(EventType.STAFF_INVITED, actor=acting_user, obj=user, extra={"email": user.email, "resent": True})
    _send_invitation(user, base_url)
    return user


def _send_invitation(user: User, base_url: str) -> None:
    link = base_url + invitation_path(user)
    message = render_to_string(
        "accounts/email/invitation.txt", {"user": user, "organization": user.organization, "link": link}
    )
    transaction.on_commit(
        lambda: send_mail(_("You are invited to iptcare"), message, None, [user.email], fail_silently=False)
    )


@transaction.atomic
def do_update_staff(
    user: User,
    *,
    full_name: str,
    roles: Iterable[str],
    home_site: Site | None,
    supervisors: Iterable[User],
    acting_user: User,
) -> User:
    roles = set(roles)
    supervisors = list(supervisors)
    # Separation of duties: nobody widens their own access to client records.
    if user.pk == acting_user.pk and roles != set(user.roles):
        raise ValidationError(_("Another admin must change your own roles."))
    if any(s.pk == acting_user.pk for s in supervisors):
        raise ValidationError(_("Another admin must make you someone's supervisor."))
    if Role.ADMIN not in roles and Role.ADMIN in user.roles:
        _refuse_removing_last_admin(user)
    before = _staff_values(user)
    user.full_name = full_name
    user.home_site = home_site
    user.save(update_fields=["full_name", "home_site"])
    _set_roles(user, roles)
    _set_supervisors(user, supervisors)
    changes = diff_fields(before, _staff_values(user))
    if changes:
        record_event(EventType.STAFF_UPDATED, actor=acting_user, obj=user, changes=changes)
    return user


def _staff_values(user: User) -> dict[str, Any]:
    user._roles_cache = None
    return {
        "full_name": user.full_name,
        "home_site": user.home_site_id,
        "roles": sorted(user.roles),
        "supervisors": sorted(
            SupervisionLink.objects.filter(supervisee=user).values_list("supervisor__email", flat=True)
        ),
    }


def _set_roles(user: User, roles: Iterable[str]) -> None:
    roles = set(roles)
    Membership.objects.filter(user=user).exclude(role__in=roles).delete()
    existing = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    Membership.objects.bulk_create([Membership(user=user, role=r) for r in sorted(roles - existing)])
    user._roles_cache = None


def _set_supervisors(user: User, supervisors: Iterable[User]) -> None:
    wanted = {s.pk for s in supervisors}
    SupervisionLink.objects.filter(supervisee=user).exclude(supervisor_id__in=wanted).delete()
    existing = set(SupervisionLink.objects.filter(supervisee=user).values_list("supervisor_id", flat=True))
    SupervisionLink.objects.bulk_create(
        [SupervisionLink(supervisor_id=pk, supervisee=user) for pk in sorted(wanted - existing)]
    )


def _refuse_removing_last_admin(user: User) -> None:
    # Lock the organization row so that two admins removing each other at once are serialized.
    Organization.objects.select_for_update().filter(pk=user.organization_id).first()
    other_admins = Membership.objects.filter(
        role=Role.ADMIN, user__organization_id=user.organization_id, user__is_active=True
    ).exclude(user=user)
    if not other_admins.exists():
        raise ValidationError(_("The organization needs at least one active admin."))


@transaction.atomic
def do_deactivate_staff(user: User, *, acting_user: User) -> User:
    if user.pk == acting_user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if Role.ADMIN in user.roles:
        _refuse_removing_last_admin(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    # A deactivated person must not keep API access through an old token.
    PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_event(EventType.STAFF_DEACTIVATED, actor=acting_user, obj=user, extra={"email": user.email})
    return user


@transaction.atomic
def do_reactivate_staff(user: User, *, acting_user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(EventType.STAFF_REACTIVATED, actor=acting_user, obj=user, extra={"email": user.email})
    return user


SITE_FIELDS = ("name", "address", "phone", "is_active")


@transaction.atomic
def do_save_site(site: Site, data: dict[str, Any], *, acting_user: User) -> Site:
    creating = site.pk is None
    # Read the stored row: a ModelForm has already copied the new values onto `site`.
    stored = None if creating else Site.objects.select_for_update().get(pk=site.pk)
    before = {f: getattr(stored, f) for f in SITE_FIELDS} if stored else {}
    for name in SITE_FIELDS:
        if name in data:
            setattr(site, name, data[name])
    site.save()
    changes = diff_fields(before, {f: getattr(site, f) for f in SITE_FIELDS})
    if creating or changes:
        record_event(
            EventType.SITE_CREATED if creating else EventType.SITE_UPDATED,
            actor=acting_user,
            organization=site.organization,
            obj=site,
            changes=changes,
        )
    return site


@transaction.atomic
def do_create_token(
    user: User, *, name: str, expires_at: dt.datetime | None = None, acting_user: User
) -> tuple[PersonalAccessToken, str]:
    """Create a token and return it with its raw value, which is never stored and cannot be shown again."""
    raw = PersonalAccessToken.new_raw_token()
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name,
        token_digest=PersonalAccessToken.digest(raw),
        token_hint=raw[:8],
        expires_at=expires_at,
    )
    record_event(EventType.TOKEN_CREATED, actor=acting_user, obj=token, extra={"name": name, "owner": user.email})
    return token, raw


@transaction.atomic
def do_revoke_token(token: PersonalAccessToken, *, acting_user: User) -> PersonalAccessToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            EventType.TOKEN_REVOKED,
            actor=acting_user,
            obj=token,
            extra={"name": token.name, "owner": token.user.email},
        )
    return token


@transaction.atomic
def do_save_security_settings(organization_id: int, *, second_factor_roles: Iterable[str], acting_user: User) -> bool:
    """Store which roles must use a second factor (admins always). Returns whether anything changed."""
    roles = sorted({r for r in second_factor_roles if r in Role.values} | {Role.ADMIN.value})
    current, created = SecuritySettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    old = sorted(set(current.second_factor_roles) | {Role.ADMIN.value})
    if old == roles and not created:
        return False
    current.second_factor_roles = roles
    current.updated_by = acting_user
    current.updated_at = timezone.now()
    current.save(update_fields=["second_factor_roles", "updated_by", "updated_at"])
    record_event(
        EventType.SECURITY_SETTINGS_CHANGED,
        actor=acting_user,
        obj=current,
        changes={"second_factor_roles": [old, roles]},
    )
    return True
