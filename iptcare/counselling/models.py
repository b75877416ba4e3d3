"""SUD counselling notes (42 CFR §2.11): a clinician's notes on the contents of a conversation in a private or group
counselling session, kept apart from the rest of the client's record.

They live in their own tables, which nothing else in the product reads: not the session note, the timeline of care,
the episode pages, the portal, the prints or any API but /api/v1/counselling/. Their text is encrypted at rest. The
author signs a note; then the database refuses any change and any deletion of it (triggers.py), and corrections are
addenda, kept as written. Who may read them is decided in access.py, by the author and the client's
counselling-notes consent, never by role or by care-team membership alone (docs/counselling-notes.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.encryption.fields import EncryptedTextField

# What a counselling note is not (§2.11): these belong in the session note, which the care team reads.
EXCLUDED_FROM_COUNSELLING_NOTES = _(
    "A counselling note records or analyses what was said in a private or group counselling session. It does not "
    "hold medication, session start and stop times, modalities and frequencies of treatment, results of clinical "
    "tests, or summaries of diagnosis, functional status, treatment plan, symptoms, prognosis or progress: write "
    "those in the session note, where the care team reads them."
)


class CounsellingNote(models.Model):
    """One counselling note. Signing locks it: the database refuses any change and any deletion once `signed_at`
    is set. Unsigned drafts are the author's alone."""

    # related_name "+": a client and a session have no way back to their counselling notes, so that nothing built
    # on those models (timelines, exports, FHIR) can reach them by accident.
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The individual or group session of the client the conversation took place in, when it was one.
    session = models.ForeignKey(
        "therapy.TherapySession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    # The day of the conversation: the session's day, or the day typed when no session is chosen.
    held_on = models.DateField(_("date of the conversation"))
    text = EncryptedTextField(_("counselling note"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The author's typed name, and when they signed.
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at", "-id"]
        verbose_name = _("counselling note")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="counselling_note_has_text",
                violation_error_message=_("Write the note."),
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(signature=""),
                name="counselling_note_signed_with_name",
                violation_error_message=_("A signed note carries the typed name of its author."),
            ),
        ]
        indexes = [models.Index(fields=["client", "held_on"], name="counselling_note_client_idx")]

    def __str__(self) -> str:
        return f"Counselling note {self.pk} of {self.held_on}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class CounsellingNoteAddendum(models.Model):
    """A correction or addition to a signed counselling note, by its author. Kept as written: the database refuses
    UPDATE and DELETE, and refuses an addendum to a note that is not signed."""

    note = models.ForeignKey(CounsellingNote, on_delete=models.PROTECT, related_name="addenda")
    text = EncryptedTextField(_("addendum"))
    reason = EncryptedTextField(_("reason"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "written_at", "id"]
        verbose_name = _("counselling note addendum")
        verbose_name_plural = _("counselling note addenda")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="counselling_addendum_has_text",
                violation_error_message=_("Write the addendum."),
            )
        ]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to counselling note {self.note_id}"
