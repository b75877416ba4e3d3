"""Who may read and record a client's consents: exactly who may open (or change) the client (iptcare/clients/access.py).

Reading consents and the accounting of disclosures needs a record the user may open; recording a consent, a new
version or a revocation needs care-team membership. Anything else answers 404, audited as a refused record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client
from iptcare.consent.models import Consent
from iptcare.consent.selectors import ConsentHistory

if TYPE_CHECKING:
    from iptcare.accounts.models import User


def access_consent_history(user: User, client_id: int, *, write: bool = False) -> ConsentHistory:
    return ConsentHistory(access_client_by_id(user, client_id, write=write))


def access_consent_by_id(
    user: User, client_id: int, consent_id: int, *, write: bool = False
) -> tuple[ConsentHistory, Consent]:
    """The client's consent history and one version in it, when the user may open (or change) the client."""
    history = access_consent_history(user, client_id, write=write)
    consent = history.get(consent_id)
    if consent is None:
        raise Http404("No consent found.")
    consent.client = history.client
    return history, consent


def can_record_consents(user: User, client: Client) -> bool:
    return Client.objects.openable_by(user, write=True).filter(pk=client.pk).exists()
