"""Data keys for the fields encrypted at rest (envelope encryption).

Each sensitive value is encrypted with a *data key*. Data keys are stored here only wrapped (encrypted) by a
*master key* that never enters the database: it comes from the environment (IPTCARE_MASTER_KEYS) or, in
development, from a key file in the data folder. Rotating the master key re-wraps these few rows; the encrypted
values themselves — many of them in signed notes that the database keeps as signed — stay untouched.
See docs/encryption.md.
"""

from django.db import models
from django.utils import timezone


class DataKey(models.Model):
    # A Fernet token: the data key, encrypted by the master key that was first in the list when it was wrapped.
    wrapped_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # The last time the wrapping changed (creation or a master-key rotation).
    wrapped_at = models.DateTimeField(default=timezone.now)
    # A retired data key still decrypts what it encrypted; new values use the newest key that is not retired.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["retired_at", "id"], name="encryption_current_key_idx")]

    def __str__(self) -> str:
        return f"Data key #{self.pk}" + (" (retired)" if self.retired_at else "")
