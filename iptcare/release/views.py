"""Release of records under /clients/<client_id>/release/: export the client's records for an outside recipient
(a printable page or a JSON file), and issue or revoke tokens with which an outside recipient reads them through
the API. Care-team members only (404 otherwise); every release asks the disclosure gate and is recorded."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.accounts.security import require_recent_password
from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client
from iptcare.consent.actions import DisclosureRefused
from iptcare.release.actions import do_create_recipient_token, do_export_records, do_revoke_recipient_token
from iptcare.release.forms import ExportForm, RecipientTokenForm
from iptcare.release.models import RecipientToken


def _page(
    request: HttpRequest, client: Client, export_form: ExportForm, token_form: RecipientTokenForm
) -> HttpResponse:
    tokens = RecipientToken.objects.filter(client=client).select_related("created_by", "revoked_by")
    context = {
        "client": client,
        "export_form": export_form,
        "token_form": token_form,
        "tokens": tokens,
        "now": timezone.now(),
    }
    return render(request, "release/release.html", context)


def _refused(form: ExportForm | RecipientTokenForm, refusal: DisclosureRefused) -> None:
    form.add_error(None, refusal.decision.reason)
    for detail in refusal.decision.details:
        form.add_error(None, detail)


# Each view opens the record first (404 for anyone outside the care team), then asks for a recent password
# confirmation: releasing records is a sensitive action (issue 7, part 6).


@require_staff
def release_records(request: HttpRequest, client_id: int) -> HttpResponse:
    return _release_records(request, access_client_by_id(request.user, client_id, write=True))


@require_recent_password
def _release_records(request: HttpRequest, client: Client) -> HttpResponse:
    posted = request.method == "POST"
    export_form = ExportForm(request.POST if posted else None, prefix="export")
    token_form = RecipientTokenForm(prefix="token")
    if posted and export_form.is_valid():
        file_format = export_form.cleaned_data["file_format"]
        try:
            release = do_export_records(
                client, export_form.release_request(), acting_user=request.user, file_format=file_format
            )
        except DisclosureRefused as refusal:
            _refused(export_form, refusal)
        else:
            document = release.as_document()
            if file_format == "json":
                response = HttpResponse(
                    json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
                )
                name = f"iptcare-{client.identifier}-disclosure-{release.disclosure.pk}.json"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            return render(request, "release/document.html", {"client": client, "document": document})
    return _page(request, client, export_form, token_form)


@require_staff
def token_create(request: HttpRequest, client_id: int) -> HttpResponse:
    return _token_create(request, access_client_by_id(request.user, client_id, write=True))


@require_recent_password
def _token_create(request: HttpRequest, client: Client) -> HttpResponse:
    if request.method != "POST":
        return redirect("release_records", client_id=client.pk)
    token_form = RecipientTokenForm(request.POST, prefix="token")
    if token_form.is_valid():
        try:
            token, raw = do_create_recipient_token(
                client,
                token_form.release_request(),
                valid_days=token_form.cleaned_data["valid_days"],
                acting_user=request.user,
            )
        except DisclosureRefused as refusal:
            _refused(token_form, refusal)
        else:
            return render(request, "release/token_created.html", {"client": client, "token": token, "raw": raw})
    return _page(request, client, ExportForm(prefix="export"), token_form)


@require_staff
def token_revoke(request: HttpRequest, client_id: int, token_id: int) -> HttpResponse:
    return _token_revoke(request, access_client_by_id(request.user, client_id, write=True), token_id)


@require_recent_password
def _token_revoke(request: HttpRequest, client: Client, token_id: int) -> HttpResponse:
    try:
        token = RecipientToken.objects.get(client=client, pk=token_id)
    except RecipientToken.DoesNotExist:
        raise Http404("No token found.") from None
    if request.method == "POST":
        do_revoke_recipient_token(token, acting_user=request.user)
        messages.success(request, _("The token no longer works."))
        return redirect("release_records", client_id=client.pk)
    return render(request, "release/token_revoke.html", {"client": client, "token": token})
