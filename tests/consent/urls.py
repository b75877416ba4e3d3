"""The project's URLs plus a minimal print page wired to the gate, so the gate's printing helpers are tested apart
from the plan and circle prints that use them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from iptcare.accounts.access import require_staff
from iptcare.clients.access import access_client_by_id
from iptcare.consent.printing import handle_print_disclosure, print_stamp_context
from iptcare.urls import urlpatterns as project_urls


@require_staff
def example_print(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    form, response = handle_print_disclosure(request, client, categories=["treatment_plan"], document="Example plan")
    if response is not None:
        return response
    return render(request, "consent/_print_stamp.html", print_stamp_context(request, client, form))


urlpatterns = [
    path("example-print/<int:client_id>/", example_print),
    *project_urls,
]
