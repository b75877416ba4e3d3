"""A client's consents and accounting of disclosures, under /clients/<client_id>/consents/."""

from django.urls import path

from iptcare.consent import views

urlpatterns = [
    path("", views.consent_list, name="consent_list"),
    path("new/", views.consent_create, name="consent_create"),
    path("disclosures/", views.disclosure_list, name="disclosure_list"),
    path("<int:consent_id>/", views.consent_detail, name="consent_detail"),
    path("<int:consent_id>/change/", views.consent_change, name="consent_change"),
    path("<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:consent_id>/print/", views.consent_print, name="consent_print"),
]
