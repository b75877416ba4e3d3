"""The gate on a print page: what a printout needs to leave the program as a disclosure.

A print page that may go to someone outside the program offers a small form ("print for a recipient"). Posting it
asks the gate; when a consent covers the recipient, purpose and information, the disclosure is recorded and the page
reloads as that disclosure's printout, stamped with the notice and the consent summary the disclosure record keeps.
When none does, the form shows why and nothing is recorded as disclosed (the refusal is audited). Printing for the
client themself or for the record needs no consent and carries the organization's notice.

A view wires it in with three lines (see docs/disclosures.md):

    form, response = handle_print_disclosure(request, client, categories=[...], document="...")
    if response is not None:
        return response
    context |= print_stamp_context(request, client, form)
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client
from iptcare.consent.actions import DisclosureRefused, do_record_disclosure
from iptcare.consent.forms import DisclosureRequestForm
from iptcare.consent.gate import Recipient
from iptcare.consent.models import Disclosure, DisclosureSettings

# The field that marks a POST as the disclosure form (a print page may have no other form, but it might).
FORM_FLAG = "disclose"
# The query parameter that turns a print page into the printout of one recorded disclosure.
DISCLOSURE_PARAM = "disclosure"


class PrintDisclosureForm(DisclosureRequestForm):
    """The gate's question without the categories: the print page knows what it prints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["categories"]


def handle_print_disclosure(
    request: HttpRequest, client: Client, *, categories: list[str], document: str
) -> tuple[PrintDisclosureForm, HttpResponse | None]:
    """The disclosure form of a print page and, after a successful POST, the redirect to the stamped printout.

    Recording a disclosure needs care-team membership (404 otherwise, as for any change to the record).
    """
    posted = request.method == "POST" and FORM_FLAG in request.POST
    form = PrintDisclosureForm(request.POST if posted else None, prefix=FORM_FLAG)
    if not posted:
        return form, None
    access_client_by_id(request.user, client.pk, write=True)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    recipient = Recipient(
        name=data["recipient_name"],
        organization=data["recipient_organization"],
        recipient_class=data["recipient_class"],
        via=data["via"],
    )
    try:
        disclosure = do_record_disclosure(
            client,
            recipient=recipient,
            purpose=data["purpose"],
            purpose_detail=data["purpose_detail"],
            categories=categories,
            document=document,
            channel=Disclosure.Channel.PRINT,
            acting_user=request.user,
        )
    except DisclosureRefused as refusal:
        form.add_error(None, refusal.decision.reason)
        for detail in refusal.decision.details:
            form.add_error(None, detail)
        return form, None
    query = request.GET.copy()
    query[DISCLOSURE_PARAM] = str(disclosure.pk)
    return form, HttpResponseRedirect(f"{request.path}?{query.urlencode()}")


def printed_disclosure(request: HttpRequest, client: Client) -> Disclosure | None:
    """The disclosure a printout is for (?disclosure=<id>), or None. Another client's disclosure answers 404."""
    wanted = request.GET.get(DISCLOSURE_PARAM, "")
    if not wanted:
        return None
    try:
        return Disclosure.objects.select_related("consent", "disclosed_by").get(client=client, pk=int(wanted))
    except (Disclosure.DoesNotExist, ValueError):
        raise Http404("No disclosure found.") from None


def print_stamp_context(request: HttpRequest, client: Client, form: PrintDisclosureForm) -> dict[str, Any]:
    """What templates/consent/_print_stamp.html needs: the notice (the disclosure's own when printing one, the
    organization's otherwise), the consent summary of a disclosure, and the form."""
    disclosure = printed_disclosure(request, client)
    if disclosure is not None:
        notice_text, summary = disclosure.notice_text, disclosure.consent_summary
    else:
        notice_text, summary = DisclosureSettings.for_organization(client.organization_id).notice.text, ""
    return {
        "disclosure": disclosure,
        "disclosure_form": form,
        "disclosure_notice": notice_text,
        "disclosure_summary": summary,
    }
