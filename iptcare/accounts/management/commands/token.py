"""`iptcare token create --email E [--name N] [--days D]` prints a new API token once; `list` and `revoke`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from iptcare.accounts.actions import do_create_token, do_revoke_token
from iptcare.accounts.models import PersonalAccessToken, User


class Command(BaseCommand):
    help = "Create, list or revoke personal access tokens for the JSON API."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (it is shown only once).")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="command line")
        create.add_argument("--days", type=int, default=90, help="Days until it expires; 0 for never.")
        listing = sub.add_parser("list", help="List a person's tokens.")
        listing.add_argument("--email", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its id (from 'list').")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, action: str, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email, is_active=True, organization__isnull=False).first()
        if user is None:
            raise CommandError(f"No active staff account with the e-mail {email}.")
        if action == "create":
            days = options["days"]
            if days < 0:
                raise CommandError("--days must be 0 (never expires) or more.")
            expires = timezone.now() + dt.timedelta(days=days) if days else None
            _token, raw = do_create_token(user, name=options["name"], expires_at=expires, acting_user=user)
            self.stdout.write(raw)
        elif action == "list":
            for token in PersonalAccessToken.objects.filter(user=user):
                state = "active" if token.is_active else "revoked" if token.revoked_at else "expired"
                expires = token.expires_at.date().isoformat() if token.expires_at else "never"
                self.stdout.write(f"{token.pk}\t{token.token_hint}…\t{token.name}\t{state}\texpires {expires}")
        else:
            token = PersonalAccessToken.objects.filter(user=user, pk=options["token_id"]).first()
            if token is None:
                raise CommandError("No such token for this person.")
            do_revoke_token(token, acting_user=user)
            self.stdout.write(f"Revoked {token.name}.")
