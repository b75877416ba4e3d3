"""`iptcare rotate_keys`: re-wrap the data keys with the newest master key, and optionally start a new data key.

Rotating the master key (the one outside the database), step by step — docs/encryption.md says the same:
  1. generate a key:      iptcare rotate_keys --generate
  2. put it FIRST in IPTCARE_MASTER_KEYS, keeping the old key after it, and restart the app;
  3. run:                 iptcare rotate_keys
  4. remove the old key from IPTCARE_MASTER_KEYS and restart.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.encryption import keyring
from iptcare.encryption.models import DataKey


class Command(BaseCommand):
    help = "Re-wrap every data key with the first master key; --new-data-key also starts a new data key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--generate", action="store_true", help="Print a new master key and change nothing.")
        parser.add_argument(
            "--new-data-key",
            action="store_true",
            help="Also retire the current data key: values written from now on use a new one.",
        )

    def handle(self, *args: Any, generate: bool = False, new_data_key: bool = False, **options: Any) -> None:
        if generate:
            self.stdout.write(Fernet.generate_key().decode())
            return
        total = DataKey.objects.count()
        self.stdout.write(
            f"Re-wrapping {total} data key(s) with the first of {len(keyring.master_keys())} master key(s)…"
        )
        try:
            rewrapped = keyring.rewrap_data_keys()
            new_id = keyring.start_new_data_key() if new_data_key else None
        except keyring.KeyUnavailable as error:
            raise CommandError(str(error)) from error
        keyring.forget_cached_keys()
        record_event(
            EventType.ENCRYPTION_KEYS_ROTATED,
            actor_label="console",
            extra={"rewrapped": rewrapped, "new_data_key": new_id},
        )
        self.stdout.write(self.style.SUCCESS(f"Done: {rewrapped} data key(s) now wrapped by the first master key."))
        if new_id is not None:
            self.stdout.write(f"New values are encrypted with data key #{new_id}; older values keep their own key.")
        self.stdout.write("You can now remove the old master key from IPTCARE_MASTER_KEYS and restart.")
